import type { SlackDoor } from '../slack/slack-door.js';
import type { AuditLog } from '../audit-log.js';
import type { ClientSet } from '../checks/clients.js';
import type { RemediationDefinition, RunContext } from '../checks/define.js';
import type { Registry } from '../checks/registry.js';
import { createRunContext } from '../checks/runner.js';
import { loadKubernetesClient } from '../kube/k8s.js';
import { slackConfigSchema, type Config, type SlackConfig } from '../config.js';
import { UserInputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../ops/metrics.js';
import { parseTargetRef, type Target } from '../targets.js';
import type { Approval } from './approval.js';
import type { ApprovalStore } from './approval-store.js';

/** What proposing, clicking and executing remediations need. Nothing reaches for globals. */
export interface ApprovalDeps {
  config: Config;
  registry: Registry;
  clients: ClientSet;
  store: ApprovalStore;
  audit: AuditLog;
  slack: SlackDoor;
  log: Logger;
  now(): Date;
  /** Counts remediation outcomes for /metrics. */
  metrics?: Pick<Metrics, 'remediationOutcome'>;
}

/** The `slack` settings, defaulted when the configuration has none (then nobody may approve). */
export function slackSettings(config: Config): SlackConfig {
  return config.slack ?? slackConfigSchema.parse({});
}

/** The target a remediation acts on: its `harbor` or `cluster` parameter, by its target kind. */
export function remediationTarget(config: Config, def: RemediationDefinition, params: Record<string, unknown>): Target {
  const name = params[def.targetKind];
  if (typeof name !== 'string') throw new UserInputError(`${def.id} has no "${def.targetKind}" parameter`);
  return parseTargetRef(config, `${def.targetKind}/${name}`);
}

/**
 * The remediation definition, its validated params and a RunContext on its target (with the
 * Kubernetes client loaded when the target is a cluster).
 */
export async function remediationContext(
  deps: ApprovalDeps,
  a: Pick<Approval, 'remediation' | 'params'>,
  signal: AbortSignal,
  log: Logger,
) {
  const def = deps.registry.remediation(a.remediation);
  if (!def) throw new UserInputError(`unknown remediation "${a.remediation}"`);
  const params = def.params.parse(a.params) as Record<string, unknown>;
  const target = remediationTarget(deps.config, def, params);
  if (target.kind === 'cluster') await loadKubernetesClient();
  const ctx: RunContext = createRunContext(
    target,
    { config: deps.config, clients: deps.clients, log, now: deps.now },
    signal,
    log,
  );
  return { def, params, target, ctx };
}

/** Audit fields of one approval. */
export function auditFields(a: Approval): { remediation: string; params: Record<string, unknown>; target: string } {
  return { remediation: a.remediation, params: a.params, target: a.target };
}
