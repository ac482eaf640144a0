import type { RedisClient } from './redis/connection.js';
import * as z from 'zod';

/** One audit entry: who did what to which target, when, and how it ended. Never a secret. */
export const auditEntrySchema = z.object({
  at: z.iso.datetime(),
  actor: z.string().min(1),
  action: z.string().min(1),
  target: z.string().optional(),
  remediation: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  fingerprint: z.string().optional(),
  outcome: z.string().min(1),
  detail: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export interface AuditLog {
  append(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<string>;
  /** The newest `count` entries, newest first. */
  latest(count: number): Promise<(AuditEntry & { id: string })[]>;
}

const secretKey = /pass(word)?|secret|token|authorization|kubeconfig|credential/i;

/** Drops values whose key names a secret, at any depth. */
export function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretKey.test(k) ? '[redacted]' : scrub(v)]));
  }
  return value;
}

/**
 * The audit trail: an append-only Redis stream (`<prefix>:audit`), capped at about 100,000
 * entries. Every proposal, click, approval, rejection, execution, verification and silence goes here.
 */
export function createAuditLog(redis: RedisClient, prefix: string, now: () => Date = () => new Date()): AuditLog {
  const key = `${prefix}:audit`;
  return {
    async append(entry) {
      const full = auditEntrySchema.parse({
        ...entry,
        at: entry.at ?? now().toISOString(),
        params: entry.params ? scrub(entry.params) : undefined,
      });
      const id = await redis.xadd(key, 'MAXLEN', '~', '100000', '*', 'entry', JSON.stringify(full));
      return String(id);
    },
    async latest(count) {
      const rows = await redis.xrevrange(key, '+', '-', 'COUNT', Math.max(1, Math.min(count, 1000)));
      return rows.map(([id, fields]) => ({ id, ...auditEntrySchema.parse(JSON.parse(fields[1] ?? '{}')) }));
    },
  };
}
