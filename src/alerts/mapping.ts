import type { Alert } from './alert.js';

/** One row of the built-in mapping: which alerts it takes and the checks they get. */
export interface MappingRule {
  id: string;
  /** For the README table (mrkdwn-free Markdown). */
  when: string;
  checks: string;
  matches(a: Alert): boolean;
  /** Check ids; `available` says whether a check id is registered (for fallbacks). */
  plan(a: Alert, available: (id: string) => boolean): string[];
}

const pullReasons = /^(ImagePullBackOff|ErrImagePull|InvalidImageName|ErrImageNeverPull|ImageInspectError)$/;
const harborTrouble = /(down|unhealthy|unavailable|5xx|error|latency|slow)/i;

/** The Harbor component a crash-looping container or pod belongs to (`core`, `jobservice`, ...). */
export function componentOf(labels: Record<string, string>): string | undefined {
  const known = [
    'core',
    'jobservice',
    'registry',
    'registryctl',
    'portal',
    'database',
    'redis',
    'trivy',
    'exporter',
    'nginx',
  ];
  if (labels.component && known.includes(labels.component)) return labels.component;
  if (labels.container && known.includes(labels.container)) return labels.container;
  const pod = labels.pod ?? labels.deployment ?? labels.statefulset ?? '';
  return known.find((k) => new RegExp(`-${k}(-|$)`).test(pod));
}

const byComponent: Record<string, string[]> = {
  core: ['core-token-keys', 'database-schema'],
  jobservice: ['replication-stuck'],
};

/** The built-in mapping, in the order it is tried; the README table is generated from it. */
export const mappingRules: readonly MappingRule[] = [
  {
    id: 'crash-loop',
    when: '`KubePodCrashLooping`, or `KubeContainerWaiting` with reason `CrashLoopBackOff`',
    checks:
      '`pod-health`, `component-logs`; for `core` also `core-token-keys`, `database-schema`; for `jobservice` ' +
      'also `replication-stuck`',
    matches: (a) =>
      a.name === 'KubePodCrashLooping' || (a.name === 'KubeContainerWaiting' && a.labels.reason === 'CrashLoopBackOff'),
    plan: (a) => ['pod-health', 'component-logs', ...(byComponent[componentOf(a.labels) ?? ''] ?? [])],
  },
  {
    id: 'image-pull',
    when:
      '`KubeContainerWaiting` (an image-pull reason, or none), `KubePodNotReady`, ' +
      '`KubeDeploymentReplicasMismatch`, `KubeStatefulSetReplicasMismatch`',
    checks: '`image-pull`, `pod-health`',
    matches: (a) =>
      (a.name === 'KubeContainerWaiting' && (!a.labels.reason || pullReasons.test(a.labels.reason))) ||
      ['KubePodNotReady', 'KubeDeploymentReplicasMismatch', 'KubeStatefulSetReplicasMismatch'].includes(a.name),
    plan: () => ['image-pull', 'pod-health'],
  },
  {
    id: 'harbor-down',
    when:
      'alerts named `Harbor…` that say down, unhealthy, unavailable, 5xx, error, latency or slow (`harbor_up ' +
      '== 0`, error rates, latency)',
    checks: '`harbor-health`, `ingress`, `pod-health`',
    matches: (a) => a.source === 'alertmanager' && /^harbor/i.test(a.name) && harborTrouble.test(a.name),
    plan: () => ['harbor-health', 'ingress', 'pod-health'],
  },
  {
    id: 'replication',
    when: 'Harbor `REPLICATION` with `job_status` `Error` or `Stopped`',
    checks: '`replication-failures`, `replication-stuck`',
    matches: (a) => a.source === 'harbor' && a.name === 'REPLICATION',
    plan: () => ['replication-failures', 'replication-stuck'],
  },
  {
    id: 'quota',
    when: 'Harbor `QUOTA_WARNING`, `QUOTA_EXCEED`; alerts named `Harbor…Quota…`',
    checks: '`project-quota` for the project',
    matches: (a) => (a.source === 'harbor' && a.name.startsWith('QUOTA_')) || /^harbor.*quota/i.test(a.name),
    plan: (_a, available) => (available('project-quota') ? ['project-quota'] : ['harbor-health']),
  },
  {
    id: 'scan-failed',
    when: 'Harbor `SCANNING_FAILED`',
    checks: '`harbor-health`',
    matches: (a) => a.source === 'harbor' && a.name === 'SCANNING_FAILED',
    plan: () => ['harbor-health'],
  },
];

/** The rule an alert falls under; undefined means a full diagnosis of its target. */
export function ruleFor(a: Alert): MappingRule | undefined {
  return mappingRules.find((r) => r.matches(a));
}

/** The README table of the built-in mapping. */
export function mappingTable(): string {
  const rows = mappingRules.map((r) => `| ${r.when} | ${r.checks} |`);
  return [
    '| alert | checks |',
    '|---|---|',
    ...rows,
    '| anything else aimed at a known target | every check that applies to that target (a full diagnosis) |',
  ].join('\n');
}
