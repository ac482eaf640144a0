import type { RedisClient } from '../redis/connection.js';
import { auditEntrySchema, type AuditEntry } from '../audit-log.js';

/** Remediation outcomes a digest counts, by the audit `action` prefix the approvals flow writes. */
export const remediationActions = {
  approved: 'remediation.approved',
  rejected: 'remediation.rejected',
  executed: 'remediation.executed',
} as const;
export type RemediationCounts = Record<keyof typeof remediationActions, number>;

/**
 * Reads the audit stream (`<prefix>:audit`, see audit.ts) newest first, page by page, down to the
 * first entry older than `since`. Entries are kept in time order by their `at`, so this stops early.
 */
export async function auditEntriesSince(
  redis: RedisClient,
  prefix: string,
  since: Date,
  until: Date,
): Promise<AuditEntry[]> {
  const key = `${prefix}:audit`;
  const out: AuditEntry[] = [];
  let end = '+';
  for (;;) {
    const rows = await redis.xrevrange(key, end, '-', 'COUNT', 500);
    for (const [id, fields] of rows) {
      const entry = auditEntrySchema.safeParse(JSON.parse(fields[1] ?? '{}'));
      if (!entry.success) continue;
      const at = Date.parse(entry.data.at);
      if (at < since.getTime()) return out;
      if (at < until.getTime()) out.push(entry.data);
      end = `(${id}`;
    }
    if (rows.length < 500) return out;
  }
}

/** Counts remediations approved, rejected and executed: actions that start with those prefixes. */
export function countRemediations(entries: readonly AuditEntry[], targets?: readonly string[]): RemediationCounts {
  const counts: RemediationCounts = { approved: 0, rejected: 0, executed: 0 };
  for (const e of entries) {
    if (targets && e.target && !targets.includes(e.target)) continue;
    for (const [k, prefix] of Object.entries(remediationActions) as [keyof RemediationCounts, string][]) {
      if (e.action.startsWith(prefix)) counts[k] += 1;
    }
  }
  return counts;
}
