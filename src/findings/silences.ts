import type { RedisClient } from '../redis/connection.js';
import * as z from 'zod';
import type { AuditLog } from '../audit-log.js';
import { UserInputError } from '../errors.js';

/** A fingerprint as typed in `/harbor silence` (see fingerprintOf). */
export const fingerprintArg = z
  .string()
  .regex(/^[0-9a-f]{16}$/, { error: 'a fingerprint is 16 hex digits, as `/harbor findings` shows it' });

/** Who silenced which finding, why, and until when. */
export const silenceSchema = z.object({
  fingerprint: z.string().min(1),
  by: z.string().min(1),
  reason: z.string(),
  at: z.iso.datetime(),
  until: z.iso.datetime(),
});
export type Silence = z.infer<typeof silenceSchema>;

export interface Silences {
  silence(input: { fingerprint: string; by: string; reason: string; durationMs: number }): Promise<Silence>;
  /** Removes a silence; false when there was none active. */
  unsilence(fingerprint: string, by: string): Promise<boolean>;
  /** The silence in force for a fingerprint, if any. */
  active(fingerprint: string): Promise<Silence | undefined>;
  /** Every silence in force, soonest to expire first. */
  list(): Promise<Silence[]>;
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
export const maxSilenceMs = 30 * day;

/** Parses `30m`, `2h`, `1d`, `1w` or combinations like `1h30m`; at most 30 days. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim().toLowerCase());
  if (!m || text.trim() === '')
    throw new UserInputError(`"${text}" is not a duration; use e.g. 30m, 2h, 1d, 1w or 1h30m`);
  const [, w, d, h, min] = m;
  const ms = Number(w ?? 0) * 7 * day + Number(d ?? 0) * day + Number(h ?? 0) * hour + Number(min ?? 0) * minute;
  if (ms <= 0) throw new UserInputError('a silence must last at least one minute');
  if (ms > maxSilenceMs) throw new UserInputError('a silence may last at most 30 days; renew it when it ends');
  return ms;
}

/**
 * Silences on Redis (`<prefix>:silences`, one field per fingerprint). Expiry follows the injected
 * clock, not Redis TTLs, so it is exact and testable; expired entries are dropped when read.
 * Every silence and unsilence goes into the audit trail (`finding.silenced`, `finding.unsilenced`).
 */
export function createSilences(
  redis: RedisClient,
  prefix: string,
  audit: AuditLog,
  now: () => Date = () => new Date(),
): Silences {
  const key = `${prefix}:silences`;
  const inForce = (s: Silence) => Date.parse(s.until) > now().getTime();

  async function readAll(): Promise<Silence[]> {
    const raw = await redis.hgetall(key);
    const all = Object.values(raw).map((v) => silenceSchema.parse(JSON.parse(v)));
    const expired = all.filter((s) => !inForce(s)).map((s) => s.fingerprint);
    if (expired.length > 0) await redis.hdel(key, ...expired);
    return all.filter(inForce);
  }

  return {
    async silence({ fingerprint, by, reason, durationMs }) {
      const at = now();
      const s: Silence = {
        fingerprint,
        by,
        reason,
        at: at.toISOString(),
        until: new Date(at.getTime() + durationMs).toISOString(),
      };
      await redis.hset(key, fingerprint, JSON.stringify(s));
      await audit.append({
        actor: by,
        action: 'finding.silenced',
        fingerprint,
        outcome: `until ${s.until}`,
        detail: reason || undefined,
      });
      return s;
    },
    async unsilence(fingerprint, by) {
      const current = (await readAll()).find((s) => s.fingerprint === fingerprint);
      if (!current) return false;
      await redis.hdel(key, fingerprint);
      await audit.append({
        actor: by,
        action: 'finding.unsilenced',
        fingerprint,
        outcome: 'removed',
        detail: `silenced by ${current.by} until ${current.until}`,
      });
      return true;
    },
    async active(fingerprint) {
      const raw = await redis.hget(key, fingerprint);
      if (!raw) return undefined;
      const s = silenceSchema.parse(JSON.parse(raw));
      return inForce(s) ? s : undefined;
    },
    async list() {
      return (await readAll()).sort((a, b) => a.until.localeCompare(b.until));
    },
  };
}
