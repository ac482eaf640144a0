import type { ClusterConfig, Config, HarborConfig } from './config.js';
import { UserInputError } from './errors.js';
import type { TargetRef } from './findings/finding.js';

export type TargetKind = 'harbor' | 'cluster';

export interface Target {
  kind: TargetKind;
  name: string;
  ref: TargetRef;
}

export function targetOf(kind: TargetKind, name: string): Target {
  return { kind, name, ref: `${kind}/${name}` };
}

/** Every configured target, Harbors first. */
export function listTargets(config: Config): Target[] {
  return [
    ...config.harbors.map((h) => targetOf('harbor', h.name)),
    ...config.clusters.map((c) => targetOf('cluster', c.name)),
  ];
}

/** Resolves `harbor/NAME` or `cluster/NAME` against the configuration; the error lists what is valid. */
export function parseTargetRef(config: Config, ref: string): Target {
  const all = listTargets(config);
  const found = all.find((t) => t.ref === ref);
  if (found) return found;
  const valid = all.map((t) => t.ref).join(', ') || 'none configured';
  throw new UserInputError(`unknown target "${ref}"; valid targets: ${valid}`);
}

export function harborConfigOf(config: Config, name: string): HarborConfig | undefined {
  return config.harbors.find((h) => h.name === name);
}

export function clusterConfigOf(config: Config, name: string): ClusterConfig | undefined {
  return config.clusters.find((c) => c.name === name);
}

/** True when `remediationId` is allowed on the target by its `remediations` list. */
export function remediationAllowed(config: Config, target: Target, remediationId: string): boolean {
  const list =
    target.kind === 'harbor'
      ? harborConfigOf(config, target.name)?.remediations
      : clusterConfigOf(config, target.name)?.remediations;
  return !!list && (list.includes('*') || list.includes(remediationId));
}
