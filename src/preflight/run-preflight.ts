import type { CheckDefinition, FindingInput } from '../checks/define.js';
import { completeFinding, createRunContext, faultFinding, type RunnerDeps } from '../checks/runner.js';
import { loadKubernetesClient } from '../kube/k8s.js';
import { UserInputError } from '../errors.js';
import type { Finding, Report, TargetRef } from '../findings/finding.js';
import { clusterConfigOf, harborConfigOf, targetOf, type Target } from '../targets.js';
import { certificatesValidGate } from './certificates-valid-gate.js';
import { databaseSchemaGate } from './database-schema-gate.js';
import type { Gate, GateContext } from './gate.js';
import { componentsHealthyGate, replicationsIdleGate } from './harbor-gates.js';
import { imageSourceGate } from './image-source-gate.js';
import { ingressBaselineGate } from './ingress-baseline-gate.js';
import { tokenKeyGate } from './token-key-gate.js';

/** The gates in the order preflight prints them. */
export const gates: readonly Gate[] = [
  imageSourceGate,
  tokenKeyGate,
  databaseSchemaGate,
  replicationsIdleGate,
  componentsHealthyGate,
  ingressBaselineGate,
  certificatesValidGate,
];

export interface GateResult {
  gate: string;
  target: TargetRef;
  pass: boolean;
  /** True when the gate could not be evaluated: it fails, as an `error` check run. */
  faulted: boolean;
  /** One line: why it passed, or the failing finding's title. */
  reason: string;
  durationMs: number;
  finding?: Finding;
}

export interface PreflightResult {
  to: string;
  gates: GateResult[];
  /** The findings document of CONTRACT.md: one check run per gate, a finding per failed gate. */
  report: Report;
}

export interface PreflightRequest {
  harbor: string;
  cluster: string;
  to: string;
}

/**
 * Runs one gate, bounded in time. A gate that cannot be evaluated (unreachable, refused, timed out)
 * fails with the finding `check` would give for it, and counts as an `error` run.
 */
async function evaluateGate(gate: Gate, ctx: GateContext, target: Target, timeoutMs: number): Promise<GateResult> {
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const took = () => Math.max(0, Math.round(performance.now() - started));
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UserInputError(`did not finish within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
  });
  const failed = (input: FindingInput, faulted: boolean): GateResult => {
    const finding = completeFinding(`preflight-${gate.id}`, target, input);
    return {
      gate: gate.id,
      target: target.ref,
      pass: false,
      faulted,
      reason: finding.title,
      durationMs: took(),
      finding,
    };
  };
  try {
    const outcome = await Promise.race([gate.run(ctx), timeout]);
    return outcome.pass
      ? { gate: gate.id, target: target.ref, pass: true, faulted: false, reason: outcome.reason, durationMs: took() }
      : failed(outcome.finding, false);
  } catch (err) {
    return failed(
      faultFinding({ id: `preflight-${gate.id}`, title: gate.title } as CheckDefinition, target, err, ctx.now()),
      true,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Checks the request against the configuration: the cluster must run that Harbor, the version must parse. */
export function resolveRequest(deps: RunnerDeps, req: PreflightRequest): void {
  const cluster = clusterConfigOf(deps.config, req.cluster);
  if (!cluster)
    throw new UserInputError(
      `--cluster ${req.cluster}: no such cluster; configured: ` +
        `${deps.config.clusters.map((c) => c.name).join(', ') || 'none'}`,
    );
  if (!harborConfigOf(deps.config, req.harbor))
    throw new UserInputError(
      `--harbor ${req.harbor}: no such Harbor; configured: ` +
        `${deps.config.harbors.map((h) => h.name).join(', ') || 'none'}`,
    );
  if (cluster.harbor && cluster.harbor !== req.harbor)
    throw new UserInputError(`cluster ${req.cluster} runs harbor ${cluster.harbor}, not ${req.harbor}`);
  if (!/^v?\d+\.\d+\.\d+$/.test(req.to))
    throw new UserInputError(`--to ${req.to}: expected a Harbor version like 2.11.0`);
}

/** Runs every gate against the Harbor and the cluster it runs on; never throws for an upstream fault. */
export async function runPreflight(deps: RunnerDeps, req: PreflightRequest): Promise<PreflightResult> {
  resolveRequest(deps, req);
  const now = deps.now ?? (() => new Date());
  const to = req.to.replace(/^v/, '');
  const startedAt = now().toISOString();
  const harborConfig = harborConfigOf(deps.config, req.harbor);
  const cluster = targetOf('cluster', req.cluster);
  const timeoutMs = Math.min(deps.timeoutMs ?? deps.config.runner.checkTimeoutMs, 60_000);
  await loadKubernetesClient();
  const results = await Promise.all(
    gates.map(async (gate) => {
      const controller = new AbortController();
      const base = createRunContext(cluster, deps, controller.signal, deps.log.child({ gate: gate.id }));
      const ctx: GateContext = { ...base, harborConfig, harbor: () => deps.clients.harbor(req.harbor), to };
      const target = gate.on === 'harbor' ? targetOf('harbor', req.harbor) : cluster;
      return evaluateGate(gate, ctx, target, timeoutMs).finally(() => controller.abort());
    }),
  );
  const report: Report = {
    version: 1,
    startedAt,
    finishedAt: now().toISOString(),
    checks: results.map((r) => ({
      id: `preflight-${r.gate}`,
      target: r.target,
      status: r.pass ? 'ok' : r.faulted ? 'error' : 'findings',
      durationMs: r.durationMs,
    })),
    findings: results.flatMap((r) => (r.finding ? [r.finding] : [])),
  };
  return { to, gates: results, report };
}
