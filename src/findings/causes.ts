import type { Severity } from './finding.js';

export interface CauseInfo {
  severity: Severity;
  /** Letter of the failure mode in failure-modes.md, or "common". */
  mode: string;
  description: string;
}

/** Every cause code the bot reports, with its default severity. Codes are public: add, never rename. */
export const causes = {
  'circular-image-dependency': {
    severity: 'critical',
    mode: 'A',
    description: "Harbor's own images are pulled through the Harbor being upgraded",
  },
  'image-pull-failed': {
    severity: 'critical',
    mode: 'common',
    description: 'a pod cannot pull its image (not found, unauthorized, rate limited, upstream down)',
  },
  'ingress-drift': {
    severity: 'warning',
    mode: 'A2',
    description: 'the live Ingress differs from the deployed release or its previous revision',
  },
  'ingress-no-endpoints': {
    severity: 'critical',
    mode: 'A2',
    description: 'the Ingress backend Service has no ready endpoints',
  },
  'external-unreachable': {
    severity: 'critical',
    mode: 'A2',
    description: 'the external URL fails while core answers inside the cluster',
  },
  'manifest-missing': {
    severity: 'warning',
    mode: 'B',
    description: 'Harbor lists an artifact whose manifest is not in storage',
  },
  'blob-missing': {
    severity: 'warning',
    mode: 'B',
    description: 'a layer or config blob of an artifact is not in storage',
  },
  'token-key-mismatch': {
    severity: 'critical',
    mode: 'C',
    description: 'core replicas sign and verify tokens with different keys',
  },
  'clock-skew': {
    severity: 'warning',
    mode: 'C',
    description: "core replicas' clocks disagree beyond the tolerated skew",
  },
  'schema-newer-than-binary': {
    severity: 'critical',
    mode: 'D',
    description: 'the database schema is newer than the running Harbor (a downgrade)',
  },
  'schema-dirty': {
    severity: 'critical',
    mode: 'D',
    description: 'schema_migrations is marked dirty: a migration was interrupted or edited by hand',
  },
  'known-benign-log': { severity: 'info', mode: 'D2', description: 'a log line that looks alarming and is harmless' },
  'migration-in-progress': {
    severity: 'warning',
    mode: 'D2',
    description: 'a data migration is still running after an upgrade; wait',
  },
  'replication-stuck': {
    severity: 'warning',
    mode: 'E',
    description: 'a replication execution runs far longer than usual or makes no progress',
  },
  'replication-tag-unknown-race': {
    severity: 'warning',
    mode: 'E',
    description: 'replication read a tag before the registry wrote it',
  },
  'replication-tag-listing-failed': {
    severity: 'warning',
    mode: 'E',
    description: 'replication could not list the tags of a large repository',
  },
  'repo-too-many-tags': {
    severity: 'warning',
    mode: 'E',
    description: 'a replicated repository holds more tags than replication lists reliably',
  },
  'artifact-zero-size': {
    severity: 'warning',
    mode: 'F',
    description: 'an artifact of size 0 B that cannot be deleted normally',
  },
  'harvester-version-missing': {
    severity: 'critical',
    mode: 'G',
    description: 'the Harvester Version object of the upgrade does not exist',
  },
  'harvester-upgrade-image-pull': {
    severity: 'critical',
    mode: 'G',
    description: 'Harvester upgrade pods are stuck pulling images',
  },
  'token-key-unpinned': {
    severity: 'warning',
    mode: 'C',
    description: 'the Helm values do not pin the token key, so the next upgrade generates a new one (preflight)',
  },
  'replication-in-progress': {
    severity: 'warning',
    mode: 'E',
    description: 'replication executions are running; an upgrade now interrupts them (preflight)',
  },
  'ingress-baseline-missing': {
    severity: 'warning',
    mode: 'A2',
    description: 'no Helm-rendered Ingress to compare the live one with after the upgrade (preflight)',
  },
  'component-unhealthy': { severity: 'critical', mode: 'common', description: 'a Harbor component reports unhealthy' },
  'pod-crashloop': { severity: 'critical', mode: 'common', description: 'a Harbor component restarts in a loop' },
  'target-unreachable': {
    severity: 'critical',
    mode: 'common',
    description: 'the bot cannot reach a Harbor, cluster or database',
  },
  'permission-denied': {
    severity: 'critical',
    mode: 'common',
    description: "the bot's credentials lack a permission a check needs",
  },
  'check-failed': {
    severity: 'warning',
    mode: 'common',
    description: 'a check stopped on an unexpected error; its area was not diagnosed',
  },
  'quota-near-limit': {
    severity: 'warning',
    mode: 'common',
    description: "a project's storage use reached 85% of its quota (Harbor's own warning level)",
  },
  'quota-exceeded': {
    severity: 'critical',
    mode: 'common',
    description: 'a project reached its storage quota: pushes fail with QUOTA_EXCEED',
  },
  'gc-failed': {
    severity: 'warning',
    mode: 'common',
    description: 'the latest garbage-collection run ended in error or was stopped: storage is not reclaimed',
  },
  'robot-expiring': {
    severity: 'warning',
    mode: 'common',
    description: 'an enabled robot account expires within 14 days',
  },
  'robot-expired': {
    severity: 'critical',
    mode: 'common',
    description: 'an enabled robot account expired; critical when replication or the bot authenticates as it',
  },
  'certificate-expiring': {
    severity: 'warning',
    mode: 'common',
    description: 'a TLS certificate Harbor serves expires within 14 days',
  },
  'certificate-expired': {
    severity: 'critical',
    mode: 'common',
    description: 'a TLS certificate Harbor serves has expired: clients fail TLS',
  },
  'certificate-name-mismatch': {
    severity: 'critical',
    mode: 'common',
    description:
      "a TLS certificate Harbor serves does not cover a host name clients use (or the Ingress's Secret has none)",
  },
  'storage-backend-error': {
    severity: 'critical',
    mode: 'common',
    description: 'the registry cannot reach or write its storage (S3 access denied, bucket missing, disk full)',
  },
  'database-connections-exhausted': {
    severity: 'critical',
    mode: 'common',
    description: "Harbor's PostgreSQL refuses new connections (too many clients)",
  },
  'harbor-redis-oom': {
    severity: 'critical',
    mode: 'common',
    description: "Harbor's Redis reached maxmemory and refuses writes",
  },
} as const satisfies Record<string, CauseInfo>;

export type Cause = keyof typeof causes;

export function isCause(code: string): code is Cause {
  return Object.hasOwn(causes, code);
}
