import type * as z from 'zod';
import type { Config } from '../config.js';
import { UserInputError, errorMessage } from '../errors.js';
import { causes } from '../findings/causes.js';
import { compareFindings, fingerprintOf, type Finding, type Report } from '../findings/finding.js';
import type { Logger } from '../log.js';
import { clusterConfigOf, harborConfigOf, type Target } from '../targets.js';
import type { ClientSet } from './clients.js';
import type { CheckDefinition, FindingInput, Progress, RunContext } from './define.js';
import { CheckTimeoutError, faultFinding } from './fault-finding.js';
import { RunReads } from './run-reads.js';
import { loadKubernetesClient } from '../kube/k8s.js';

export { faultFinding };
import type { Registry } from './registry.js';

export interface RunnerDeps {
  config: Config;
  clients: ClientSet;
  log: Logger;
  now?: () => Date;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Reads shared by the checks of one diagnosis (runPlan makes one per plan when not given). */
  reads?: RunReads;
}

export interface CheckRun {
  id: string;
  target: Target['ref'];
  status: 'ok' | 'findings' | 'error';
  durationMs: number;
  findings: Finding[];
  /** Set for `error`: what stopped the check (safe to show; carries no secret). */
  error?: string;
}

export interface PlannedCheck {
  check: CheckDefinition;
  target: Target;
  params?: Record<string, unknown>;
}

/** The shared context of checks and remediations for one target. */
export function createRunContext(target: Target, deps: RunnerDeps, signal: AbortSignal, log: Logger): RunContext {
  const clusterConfig = target.kind === 'cluster' ? clusterConfigOf(deps.config, target.name) : undefined;
  const harborName = target.kind === 'harbor' ? target.name : clusterConfig?.harbor;
  const harborConfig = harborName ? harborConfigOf(deps.config, harborName) : undefined;
  return {
    target,
    config: deps.config,
    harborConfig,
    clusterConfig,
    harbor() {
      if (!harborConfig) throw new UserInputError(`${target.ref} has no Harbor configured (set clusters[].harbor)`);
      return deps.clients.harbor(harborConfig.name);
    },
    kube() {
      if (!clusterConfig) throw new UserInputError(`${target.ref} is not a cluster`);
      const clients = deps.clients.kube(clusterConfig.name);
      return deps.reads ? { ...clients, reads: deps.reads.scoped(`cluster/${clusterConfig.name}`) } : clients;
    },
    log,
    now: deps.now ?? (() => new Date()),
    signal,
  };
}

/** Validates params: configured defaults (config.checks[id]) overlaid by the caller's. */
export function resolveParams(check: CheckDefinition, config: Config, params: Record<string, unknown> = {}): unknown {
  const merged = { ...(config.checks[check.id] ?? {}), ...params };
  const parsed = check.params.safeParse(merged);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
    throw new UserInputError(`bad parameters for ${check.id}: ${detail}`);
  }
  return parsed.data;
}

/**
 * Runs one check against one target, bounded in time. Never throws and never passes silently:
 * a fault becomes an `error` run with a finding that says what could not be checked.
 */
export async function runCheck(
  planned: PlannedCheck,
  deps: RunnerDeps,
  onProgress?: (p: Progress) => void,
): Promise<CheckRun> {
  const { check, target } = planned;
  const now = deps.now ?? (() => new Date());
  const started = performance.now();
  const timeoutMs = deps.timeoutMs ?? deps.config.runner.checkTimeoutMs;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(deps.signal?.reason);
  deps.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const log = deps.log.child({ check: check.id, target: target.ref });
  let timer: NodeJS.Timeout | undefined;
  const complete = (input: FindingInput): Finding => completeFinding(check.id, target, input);
  try {
    const params = resolveParams(check, deps.config, planned.params) as z.infer<typeof check.params>;
    if (target.kind === 'cluster') await loadKubernetesClient();
    const ctx = {
      ...createRunContext(target, deps, controller.signal, log),
      params,
      progress: (p: Progress) => onProgress?.(p),
    };
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new Error('check timed out'));
        reject(new CheckTimeoutError(timeoutMs));
      }, timeoutMs);
    });
    const inputs = await Promise.race([check.run(ctx), timeout]);
    const findings = inputs.map(complete).sort(compareFindings);
    const run: CheckRun = {
      id: check.id,
      target: target.ref,
      status: findings.length > 0 ? 'findings' : 'ok',
      durationMs: elapsed(started),
      findings,
    };
    log.info({ findings: findings.length, durationMs: run.durationMs }, 'check completed');
    return run;
  } catch (err) {
    const finding = complete(faultFinding(check, target, err, now()));
    log.warn({ err: errorMessage(err), durationMs: elapsed(started) }, 'check failed');
    return {
      id: check.id,
      target: target.ref,
      status: 'error',
      durationMs: elapsed(started),
      findings: [finding],
      error: finding.summary,
    };
  } finally {
    clearTimeout(timer);
    deps.signal?.removeEventListener('abort', onOuterAbort);
    controller.abort();
  }
}

function elapsed(started: number): number {
  return Math.max(0, Math.round(performance.now() - started));
}

export function completeFinding(checkId: string, target: Target, input: FindingInput): Finding {
  const base = { check: checkId, cause: input.cause, target: target.ref, resource: input.resource };
  return {
    ...base,
    severity: input.severity ?? causes[input.cause].severity,
    title: input.title,
    summary: input.summary,
    fingerprint: fingerprintOf(base),
    evidence: input.evidence ?? [],
    remediations: input.remediations ?? [],
  };
}

/** Which checks to run: by id (all when none), on the targets selected (all applicable when none). */
export function planChecks(
  registry: Registry,
  config: Config,
  options: { ids?: string[]; targets?: Target[] },
  allTargets: Target[],
): PlannedCheck[] {
  const ids = options.ids && options.ids.length > 0 ? options.ids : [...registry.checks.keys()];
  const explicit = !!options.ids && options.ids.length > 0;
  const unknown = ids.filter((id) => !registry.check(id));
  if (unknown.length > 0) {
    throw new UserInputError(
      `unknown check id ${unknown.map((u) => `"${u}"`).join(', ')}; valid ids: ` +
        `${[...registry.checks.keys()].join(', ')}`,
    );
  }
  const targets = options.targets ?? allTargets;
  const plan: PlannedCheck[] = [];
  for (const id of ids) {
    const check = registry.check(id) as CheckDefinition;
    for (const target of targets) {
      if (!check.appliesTo.includes(target.kind)) continue;
      const clusterConfig = target.kind === 'cluster' ? clusterConfigOf(config, target.name) : undefined;
      const harborName = target.kind === 'harbor' ? target.name : clusterConfig?.harbor;
      const scope = {
        target,
        config,
        clusterConfig,
        harborConfig: harborName ? harborConfigOf(config, harborName) : undefined,
      };
      if (check.enabled && !check.enabled(scope)) continue;
      plan.push({ check, target });
    }
  }
  if (explicit && plan.length === 0) {
    throw new UserInputError(
      `${ids.join(', ')} applies to none of the selected targets (${targets.map((t) => t.ref).join(', ') || 'none'})`,
    );
  }
  return plan;
}

/** Runs a plan with bounded concurrency and assembles the findings document of CONTRACT.md. */
export async function runPlan(
  plan: PlannedCheck[],
  deps: RunnerDeps,
  concurrency = deps.config.runner.concurrency,
  /** Progress a check reports (processed/total), with the planned check it belongs to. */
  onProgress?: (planned: PlannedCheck, p: Progress) => void,
): Promise<Report & { runs: CheckRun[] }> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const runs: CheckRun[] = new Array(plan.length);
  const shared = { ...deps, reads: deps.reads ?? new RunReads() };
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const i = next++;
      const planned = plan[i] as PlannedCheck;
      runs[i] = await runCheck(planned, shared, onProgress ? (p) => onProgress(planned, p) : undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, worker));
  return {
    version: 1,
    startedAt,
    finishedAt: now().toISOString(),
    checks: runs.map(({ id, target, status, durationMs }) => ({ id, target, status, durationMs })),
    findings: runs.flatMap((r) => r.findings).sort(compareFindings),
    runs,
  };
}
