import type * as z from 'zod';
import type { ClusterConfig, Config, HarborConfig } from '../config.js';
import type { Cause } from '../findings/causes.js';
import type { Finding, ProposedRemediation, Resource, Risk, Severity } from '../findings/finding.js';
import type { HarborClient } from '../harbor/client.js';
import type { KubeClients } from '../kube/client.js';
import type { Logger } from '../log.js';
import type { Target, TargetKind } from '../targets.js';

/** What a check returns for one problem; the runner adds check, target and fingerprint. */
export interface FindingInput {
  cause: Cause;
  /** Defaults to the cause's severity; say why in the summary when you change it. */
  severity?: Severity;
  title: string;
  summary: string;
  resource: Resource;
  evidence?: string[];
  remediations?: ProposedRemediation[];
}

export interface Progress {
  done: number;
  total: number | null;
  note?: string;
}

/** Everything a check or remediation may touch. Nothing reaches for globals. */
export interface RunContext {
  target: Target;
  config: Config;
  /** The target's Harbor, or for a cluster the Harbor it runs (its `harbor` key). */
  harborConfig: HarborConfig | undefined;
  clusterConfig: ClusterConfig | undefined;
  /** The client of `harborConfig`; throws when there is none. */
  harbor(): HarborClient;
  /** The clients of the target cluster; throws for a Harbor target. */
  kube(): KubeClients;
  log: Logger;
  now(): Date;
  signal: AbortSignal;
}

export interface CheckContext<P> extends RunContext {
  params: P;
  progress(p: Progress): void;
}

export interface CheckDefinition<S extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  /** One paragraph: what it looks at and why. Drives `/harbor help` and the catalog. */
  description: string;
  appliesTo: readonly TargetKind[];
  /** Causes it can report (for the catalog and the architecture test). */
  causes: readonly Cause[];
  params: S;
  /** Remediations this check can propose, declared beside it. */
  remediations?: readonly RemediationDefinition[];
  /** Runs only when this says so (for example: only when a cluster has a `harbor`). */
  enabled?(ctx: Pick<RunContext, 'target' | 'config' | 'harborConfig' | 'clusterConfig'>): boolean;
  run(ctx: CheckContext<z.infer<S>>): Promise<FindingInput[]>;
}

export function defineCheck<S extends z.ZodType>(def: CheckDefinition<S>): CheckDefinition<S> {
  return Object.freeze(def);
}

export interface RemediationPlan {
  /** One line: what will change. */
  summary: string;
  /** The exact requests, e.g. `PUT /api/v2.0/replication/executions/118`. */
  requests: string[];
  /** A before/after diff where an object changes. */
  diff?: string;
  /** Set when current state no longer matches the finding: nothing may run. */
  refuse?: string;
  /** Values `execute` re-checks (resourceVersion, status) so it acts on what was planned. */
  expect?: Record<string, string | number>;
}

export interface RemediationOutcome {
  ok: boolean;
  detail: string;
}

export interface RemediationDefinition<S extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  description: string;
  risk: Risk;
  targetKind: TargetKind;
  /** Must include `harbor` or `cluster` (by targetKind): the name of the target it acts on. */
  params: S;
  plan(ctx: RunContext, params: z.infer<S>): Promise<RemediationPlan>;
  execute(ctx: RunContext, params: z.infer<S>, plan: RemediationPlan): Promise<RemediationOutcome>;
  verify(ctx: RunContext, params: z.infer<S>): Promise<RemediationOutcome>;
}

export function defineRemediation<S extends z.ZodType>(def: RemediationDefinition<S>): RemediationDefinition<S> {
  return Object.freeze(def);
}

/** A proposal a finding carries; params are validated now, so a check cannot propose nonsense. */
export function propose<S extends z.ZodType>(
  remediation: RemediationDefinition<S>,
  params: z.input<S>,
  title?: string,
): ProposedRemediation {
  const parsed = remediation.params.parse(params) as Record<string, unknown>;
  return { id: remediation.id, title: title ?? remediation.title, risk: remediation.risk, params: parsed };
}

/** The finding type the runner completes. */
export type CompletedFinding = Finding;
