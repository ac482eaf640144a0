import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/connection.js';
import * as z from 'zod';
import { plannedCheckSchema, routedAlertSchema } from './notification.js';

/** What Redis keeps of an alert: its last state and the incident it belongs to ('' for none). */
export const alertRecordSchema = routedAlertSchema.extend({ incident: z.string() });
export type AlertRecord = z.infer<typeof alertRecordSchema>;

/** An open incident of one target. `threadTs` is unset until its root message is out. */
export const incidentSchema = z.object({
  id: z.string().min(1),
  target: z.string().min(1),
  channel: z.string().min(1),
  threadTs: z.string().optional(),
  openedAt: z.string(),
  receivedAt: z.coerce.number(),
});
export type Incident = z.infer<typeof incidentSchema>;

/** A line for the next coalesced note of an incident. */
export const pendingNoteSchema = z.object({
  kind: z.enum(['joined', 'resolved']),
  name: z.string(),
  summary: z.string(),
  checks: z.array(plannedCheckSchema).default([]),
});
export type PendingNote = z.infer<typeof pendingNoteSchema>;

const week = 7 * 24 * 3600;
const unlock = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

function parse<T>(schema: z.ZodType<T>, text: string | null | undefined): T | undefined {
  if (!text) return undefined;
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Incident state in Redis, per target: the open incident, every alert seen (kept a week, so late
 * duplicates of resolved alerts change nothing), when each check last ran, and the lines waiting
 * for the next note. Every change to a target's state happens under its lock.
 */
export function createIncidentStore(redis: RedisClient, prefix: string) {
  const key = (kind: string, target: string) => `${prefix}:alerts:${kind}:${target}`;
  return {
    /** Takes the target's lock; undefined while another worker holds it. */
    async lock(target: string, ttlMs = 30_000): Promise<(() => Promise<void>) | undefined> {
      const token = randomUUID();
      const ok = await redis.set(key('lock', target), token, 'PX', ttlMs, 'NX');
      if (ok !== 'OK') return undefined;
      return async () => {
        await redis.eval(unlock, 1, key('lock', target), token);
      };
    },
    async incident(target: string): Promise<Incident | undefined> {
      const h = await redis.hgetall(key('incident', target));
      const r = incidentSchema.safeParse(h);
      return r.success ? r.data : undefined;
    },
    async saveIncident(i: Incident): Promise<void> {
      const fields: Record<string, string> = {
        id: i.id,
        target: i.target,
        channel: i.channel,
        openedAt: i.openedAt,
        receivedAt: String(i.receivedAt),
      };
      if (i.threadTs) fields.threadTs = i.threadTs;
      await redis.hset(key('incident', i.target), fields);
      if (i.threadTs)
        await redis.set(
          key('thread', i.threadTs),
          JSON.stringify({ target: i.target, id: i.id, receivedAt: i.receivedAt }),
          'EX',
          week,
        );
    },
    /** Ends an incident: its state, check times and pending lines go; the alerts stay remembered. */
    async closeIncident(target: string): Promise<void> {
      await redis.del(key('incident', target), key('ran', target), key('pending', target), key('firing', target));
    },
    /** The incident a thread belongs to, for the first-finding figure. */
    async threadIncident(threadTs: string): Promise<{ target: string; id: string; receivedAt: number } | undefined> {
      return parse(
        z.object({ target: z.string(), id: z.string(), receivedAt: z.number() }),
        await redis.get(key('thread', threadTs)),
      );
    },
    /** True the first time it is asked for an incident. */
    async firstFinding(incidentId: string): Promise<boolean> {
      return (await redis.set(`${prefix}:alerts:first:${incidentId}`, '1', 'EX', week, 'NX')) === 'OK';
    },
    /** The remembered records of these alerts (one HMGET: never the whole history). */
    async alertsByKey(target: string, keys: string[]): Promise<Map<string, AlertRecord>> {
      const values = keys.length > 0 ? await redis.hmget(key('known', target), ...keys) : [];
      const out = new Map<string, AlertRecord>();
      for (const v of values) {
        const rec = parse(alertRecordSchema, v);
        if (rec) out.set(rec.key, rec);
      }
      return out;
    },
    /** Every remembered alert of one incident (read when it opens or closes). */
    async incidentAlerts(target: string, incidentId: string): Promise<AlertRecord[]> {
      const h = await redis.hgetall(key('known', target));
      return Object.values(h)
        .map((v) => parse(alertRecordSchema, v))
        .filter((r): r is AlertRecord => r?.incident === incidentId);
    },
    /** Alerts of the open incident that fire, each until it resolves or `until` (epoch ms) passes. */
    async markFiring(target: string, alerts: { key: string; until: number }[]): Promise<void> {
      if (alerts.length > 0) await redis.zadd(key('firing', target), ...alerts.flatMap((a) => [a.until, a.key]));
    },
    async markResolved(target: string, keys: string[]): Promise<void> {
      if (keys.length > 0) await redis.zrem(key('firing', target), ...keys);
    },
    /** How many alerts of the open incident still fire at `now`. */
    async firingCount(target: string, now: number): Promise<number> {
      return redis.zcount(key('firing', target), now, '+inf');
    },
    /** When the last firing alert expires, if every one of them expires (Harbor events); else undefined. */
    async lastExpiry(target: string, forever: number): Promise<number | undefined> {
      const [, score] = (await redis.zrevrange(key('firing', target), 0, 0, 'WITHSCORES')) as string[];
      return score === undefined || Number(score) >= forever ? undefined : Number(score);
    },
    async remember(target: string, records: AlertRecord[]): Promise<void> {
      if (records.length === 0) return;
      const k = key('known', target);
      await redis
        .multi()
        .hset(k, Object.fromEntries(records.map((r) => [r.key, JSON.stringify(r)])))
        .expire(k, week)
        .exec();
    },
    /** Check (`checkId@target`) -> when it last ran in the open incident, epoch ms. */
    async ranAt(target: string): Promise<Map<string, number>> {
      const h = await redis.hgetall(key('ran', target));
      return new Map(Object.entries(h).map(([k, v]) => [k, Number(v)]));
    },
    async markRan(target: string, checks: string[], at: number): Promise<void> {
      if (checks.length > 0)
        await redis.hset(key('ran', target), Object.fromEntries(checks.map((c) => [c, String(at)])));
    },
    async addPending(target: string, notes: PendingNote[]): Promise<void> {
      if (notes.length > 0) await redis.rpush(key('pending', target), ...notes.map((n) => JSON.stringify(n)));
    },
    /** The lines waiting for the next note, oldest first. */
    async pending(target: string): Promise<{ notes: PendingNote[]; count: number }> {
      const items = await redis.lrange(key('pending', target), 0, -1);
      return {
        notes: items.map((t) => parse(pendingNoteSchema, t)).filter((n): n is PendingNote => n !== undefined),
        count: items.length,
      };
    },
    /** Drops the first `count` pending lines, once their note is out. */
    async dropPending(target: string, count: number): Promise<void> {
      await redis.ltrim(key('pending', target), count, -1);
    },
  };
}
export type IncidentStore = ReturnType<typeof createIncidentStore>;
