import { inOrder } from '../checks/format.js';
import type { Cause } from '../findings/causes.js';
import type { Severity } from '../findings/finding.js';
import { scrubLogLine } from '../log-scrub.js';
import { saturationSignatures } from './saturation-signatures.js';

/** A log line pattern whose meaning is known (failure-modes.md), and the cause it proves. */
export interface LogSignature {
  id: string;
  cause: Cause;
  /** Which component logs it; matched against the pod's `component` label. */
  components: readonly string[];
  pattern: RegExp;
  /** A later line matching this means the condition has ended (a finished migration). */
  until?: RegExp;
  severity?: Severity;
  meaning: string;
}

/** Harbor log lines quoted in the field reports and read in Harbor's source. */
export const logSignatures: readonly LogSignature[] = [
  {
    id: 'admiral-url-unset',
    cause: 'known-benign-log',
    components: ['core'],
    pattern: /failed to get key admiral_url, error: the configure value is not set/,
    meaning: 'harmless: Admiral integration is not configured; nothing to do',
  },
  {
    id: 'data-migration',
    cause: 'migration-in-progress',
    components: ['core'],
    pattern: /Start to sync quota data|Migrating quota usage|start to migrate data|Migrating the data/i,
    until: new RegExp(
      [
        'Success to sync quota data',
        'sync quota data successfully',
        'Data migration (is )?(completed|done)',
        'migration completed',
      ].join('|'),
      'i',
    ),
    meaning: 'core is still migrating data after an upgrade; logins may fail until it ends: wait',
  },
  {
    id: 'token-verification-error',
    cause: 'token-key-mismatch',
    components: ['core'],
    pattern: /crypto\/rsa: verification error/,
    meaning: 'a token signed by another core replica (another key) was rejected',
  },
  {
    id: 'token-not-valid-yet',
    cause: 'clock-skew',
    components: ['core', 'registry'],
    pattern: /bearer token is not valid yet|token is not valid yet|Token used before issued/i,
    meaning: "a token's validity window starts in this replica's future: clocks disagree",
  },
  {
    id: 'schema-file-missing',
    cause: 'schema-newer-than-binary',
    components: ['core'],
    pattern:
      /Failed to upgrade schema, error: "file does not exist"|failed to initialize database: file does not exist/,
    meaning: 'the database schema is newer than this Harbor binary (a downgrade)',
  },
  {
    id: 'schema-dirty',
    cause: 'schema-dirty',
    components: ['core'],
    pattern: /Dirty database version \d+/,
    meaning: 'schema_migrations is marked dirty: a migration was interrupted or edited by hand',
  },
  {
    id: 'tag-unknown-race',
    cause: 'replication-tag-unknown-race',
    components: ['jobservice'],
    pattern: inOrder('pull manifest from local registry failed', 'tag unknown'),
    meaning: 'replication read a tag before the registry wrote it; re-run the execution',
  },
  {
    id: 'tag-listing-failed',
    cause: 'replication-tag-listing-failed',
    components: ['jobservice'],
    pattern: /(FetchArtifacts|FetchImages) error when collect tags for repos/,
    meaning: 'replication could not list the tags of a large repository; add filters to the rule',
  },
  {
    id: 'tag-link-missing',
    cause: 'manifest-missing',
    components: ['registry'],
    pattern: /filesystem: Path not found: \S*\/_manifests\/tags\/[^/\s]+\/current\/link/,
    meaning: "a tag's manifest link is missing from storage",
  },
  ...saturationSignatures,
];

export interface SignatureHit {
  signature: LogSignature;
  count: number;
  /** The most recent matching lines (at most 3), credentials blanked (scrubLogLine). */
  samples: string[];
}

/** The signatures a component's log lines show, with counts and the latest samples. */
export function scanLog(
  lines: readonly string[],
  component: string,
  catalog: readonly LogSignature[] = logSignatures,
): SignatureHit[] {
  const hits: SignatureHit[] = [];
  for (const signature of catalog) {
    if (!signature.components.includes(component)) continue;
    let count = 0;
    let samples: string[] = [];
    lines.forEach((line) => {
      if (signature.pattern.test(line)) {
        count += 1;
        samples = [...samples, scrubLogLine(line)].slice(-3);
      } else if (signature.until?.test(line)) {
        count = 0;
        samples = [];
      }
    });
    if (count > 0) hits.push({ signature, count, samples });
  }
  return hits;
}
