import type { Redis } from 'ioredis';
import * as z from 'zod';
import type { CheckRun } from '../checks/runner.js';
import { findingSchema, type Finding } from './finding.js';

/** Where a finding was posted: its message `ts` in a thread. */
export interface FindingPost {
  channel: string;
  threadTs: string;
  ts: string;
}

/** A finding as the store keeps it. `openedAt` starts the current open episode (first sighting or reopening). */
export interface FindingRecord {
  fingerprint: string;
  finding: Finding;
  status: 'open' | 'resolved';
  firstSeen: string;
  openedAt: string;
  lastSeen: string;
  timesSeen: number;
  resolvedAt?: string;
  posts: FindingPost[];
}

/** One finding of a run: `isNew` when it was not open before this run (first sighting or back after resolution). */
export interface Sighting {
  record: FindingRecord;
  isNew: boolean;
}

export interface RunOutcome {
  sightings: Sighting[];
  /** Findings the previous run of the same (check, target) saw and this one did not. */
  resolved: FindingRecord[];
}

/** The last run of one (check, target): for "the checks that could not run". */
export const lastRunSchema = z.object({
  check: z.string(),
  target: z.string(),
  status: z.enum(['ok', 'findings', 'error']),
  at: z.iso.datetime(),
  error: z.string().optional(),
});
export type LastRun = z.infer<typeof lastRunSchema>;

export interface FindingStore {
  recordRun(run: CheckRun): Promise<RunOutcome>;
  addPost(fingerprint: string, post: FindingPost): Promise<void>;
  get(fingerprint: string): Promise<FindingRecord | undefined>;
  /** Open findings, and resolved ones whose last sighting is within the retention. */
  list(): Promise<FindingRecord[]>;
  lastRuns(): Promise<LastRun[]>;
  /** The "still present" message of a (check, target) in a thread, updated on each re-run. */
  statusNote(thread: { channel: string; threadTs: string }, run: Pick<CheckRun, 'id' | 'target'>): Promise<string | undefined>;
  setStatusNote(thread: { channel: string; threadTs: string }, run: Pick<CheckRun, 'id' | 'target'>, ts: string): Promise<void>;
}

const upsertScript = `
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'open' then
  redis.call('HINCRBY', KEYS[1], 'timesSeen', 1)
  redis.call('HSET', KEYS[1], 'lastSeen', ARGV[1], 'finding', ARGV[2])
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'open', 'openedAt', ARGV[1], 'lastSeen', ARGV[1], 'timesSeen', 1, 'finding', ARGV[2])
redis.call('HSETNX', KEYS[1], 'firstSeen', ARGV[1])
redis.call('HDEL', KEYS[1], 'resolvedAt')
redis.call('DEL', KEYS[2])
return 1`;

// Swaps a (check, target)'s membership atomically, so two concurrent runs never resolve the same finding twice.
const swapScript = `
local prev = redis.call('SMEMBERS', KEYS[1])
if ARGV[1] == 'replace' then redis.call('DEL', KEYS[1]) end
if #ARGV > 1 then redis.call('SADD', KEYS[1], unpack(ARGV, 2)) end
return prev`;

const resolveScript = `
if redis.call('HGET', KEYS[1], 'status') ~= 'open' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'resolved', 'resolvedAt', ARGV[1])
return 1`;

/** Resolved findings are kept this long after their last sighting (the digest's trend looks back 14 days). */
export const retentionMs = 30 * 24 * 3600 * 1000;

/**
 * The findings store on Redis, under `<prefix>:finding:<fingerprint>` (a hash) and `<prefix>:findings:*`
 * indexes. Each (check, target) remembers what its last run saw; a later run that completes without a
 * finding resolves it. A run that could not complete (`error`) resolves nothing: it does not know.
 */
export function createFindingStore(redis: Redis, prefix: string, now: () => Date = () => new Date()): FindingStore {
  const keys = {
    finding: (fp: string) => `${prefix}:finding:${fp}`,
    posts: (fp: string) => `${prefix}:finding:${fp}:posts`,
    members: (check: string, target: string) => `${prefix}:findings:run:${check}|${target}`,
    index: `${prefix}:findings:index`,
    runs: `${prefix}:findings:runs`,
    note: (t: { channel: string; threadTs: string }, r: Pick<CheckRun, 'id' | 'target'>) => `${prefix}:findings:note:${t.channel}|${t.threadTs}|${r.id}|${r.target}`,
  };

  async function get(fp: string): Promise<FindingRecord | undefined> {
    const [hash, posts] = await Promise.all([redis.hgetall(keys.finding(fp)), redis.hgetall(keys.posts(fp))]);
    return toRecord(fp, hash, posts);
  }

  async function sight(f: Finding, at: string): Promise<Sighting> {
    const isNew = Number(await redis.eval(upsertScript, 2, keys.finding(f.fingerprint), keys.posts(f.fingerprint), at, JSON.stringify(f))) === 1;
    await redis.zadd(keys.index, Date.parse(at), f.fingerprint);
    const record = await get(f.fingerprint);
    if (!record) throw new Error(`finding ${f.fingerprint} vanished while being recorded`);
    return { record, isNew };
  }

  async function resolve(fp: string, at: string): Promise<FindingRecord | undefined> {
    if (Number(await redis.eval(resolveScript, 1, keys.finding(fp), at)) !== 1) return undefined;
    const record = await get(fp);
    await redis.del(keys.posts(fp));
    return record;
  }

  async function prune(): Promise<void> {
    const stale = await redis.zrangebyscore(keys.index, 0, now().getTime() - retentionMs);
    for (const fp of stale) {
      if ((await redis.hget(keys.finding(fp), 'status')) === 'open') continue;
      await redis.multi().del(keys.finding(fp), keys.posts(fp)).zrem(keys.index, fp).exec();
    }
  }

  return {
    async recordRun(run) {
      const at = now().toISOString();
      const sightings: Sighting[] = [];
      for (const f of run.findings) sightings.push(await sight(f, at));
      const seen = run.findings.map((f) => f.fingerprint);
      const mode = run.status === 'error' ? 'add' : 'replace';
      const prev = (await redis.eval(swapScript, 1, keys.members(run.id, run.target), mode, ...seen)) as string[];
      const resolved: FindingRecord[] = [];
      if (mode === 'replace') {
        for (const fp of prev.filter((p) => !seen.includes(p))) {
          const r = await resolve(fp, at);
          if (r) resolved.push(r);
        }
      }
      const last: LastRun = { check: run.id, target: run.target, status: run.status, at, error: run.error };
      await redis.hset(keys.runs, `${run.id}|${run.target}`, JSON.stringify(last));
      await prune();
      return { sightings, resolved };
    },
    async addPost(fp, post) {
      await redis.hset(keys.posts(fp), `${post.channel}|${post.threadTs}`, post.ts);
    },
    get,
    async list() {
      const fps = await redis.zrange(keys.index, '0', '-1');
      const records = await Promise.all(fps.map((fp) => get(fp)));
      return records.filter((r): r is FindingRecord => r !== undefined);
    },
    async lastRuns() {
      const all = await redis.hvals(keys.runs);
      return all.map((v) => lastRunSchema.parse(JSON.parse(v)));
    },
    async statusNote(thread, run) {
      return (await redis.get(keys.note(thread, run))) ?? undefined;
    },
    async setStatusNote(thread, run, ts) {
      await redis.set(keys.note(thread, run), ts, 'PX', retentionMs);
    },
  };
}

function toRecord(fingerprint: string, h: Record<string, string>, posts: Record<string, string>): FindingRecord | undefined {
  if (!h.status || !h.finding) return undefined;
  return {
    fingerprint,
    finding: findingSchema.parse(JSON.parse(h.finding)),
    status: h.status === 'open' ? 'open' : 'resolved',
    firstSeen: h.firstSeen ?? h.openedAt ?? '',
    openedAt: h.openedAt ?? '',
    lastSeen: h.lastSeen ?? '',
    timesSeen: Number(h.timesSeen ?? 0),
    resolvedAt: h.resolvedAt,
    posts: Object.entries(posts).map(([k, ts]) => {
      const [channel = '', threadTs = ''] = k.split('|');
      return { channel, threadTs, ts };
    }),
  };
}
