import type { RedisClient } from '../redis/connection.js';
import * as z from 'zod';
import type { CheckRun } from '../checks/runner.js';
import type { FindingPost, FindingRecord, Sighting } from './finding-record.js';
import {
  pruneResolved,
  readRecord,
  resolveFinding,
  settleThread,
  sightFinding,
  storeKeys,
  swapMembers,
  takeResolution,
} from './store-ops.js';

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
  /**
   * Records a run. A `partial` run (one with explicit parameters, which may narrow what the check
   * looks at) and a run that could not complete add sightings but resolve nothing.
   */
  recordRun(run: CheckRun, options?: { partial?: boolean }): Promise<RunOutcome>;
  addPost(fingerprint: string, post: FindingPost): Promise<void>;
  get(fingerprint: string): Promise<FindingRecord | undefined>;
  /** Open findings, and resolved ones whose last sighting is within the retention. */
  list(): Promise<FindingRecord[]>;
  lastRuns(): Promise<LastRun[]>;
  /** The "still present" message of a (check, target) in a thread, updated on each re-run. */
  statusNote(
    thread: { channel: string; threadTs: string },
    run: Pick<CheckRun, 'id' | 'target'>,
  ): Promise<string | undefined>;
  setStatusNote(
    thread: { channel: string; threadTs: string },
    run: Pick<CheckRun, 'id' | 'target'>,
    ts: string,
  ): Promise<void>;
  /**
   * Claims the announcement of a finding's current open episode in a channel: true once, false for
   * every later caller, so overlapping watch ticks (or replicas) never announce it twice.
   */
  claimAnnouncement(record: FindingRecord, channel: string): Promise<boolean>;
  releaseAnnouncement(record: FindingRecord, channel: string): Promise<void>;
  /** Fingerprints resolved whose threads have not been told yet (including after a failed attempt). */
  unnotifiedResolutions(): Promise<string[]>;
  /** Claims one resolution notice: the resolved record with its posts, once; else undefined. */
  takeResolution(fingerprint: string): Promise<FindingRecord | undefined>;
  /** Gives a notice back after Slack failed, for the next attempt. */
  returnResolution(fingerprint: string): Promise<void>;
  /** After the notice went out: the threads of this episode are done with. */
  forgetPosts(fingerprint: string): Promise<void>;
  /** Keeps the root status (JSON) of a diagnosis thread, for when all it reported has resolved. */
  setThreadRoot(thread: { channel: string; threadTs: string }, status: string): Promise<void>;
  /**
   * Takes a resolved finding off the open findings of a thread it was posted in. Returns the
   * thread's root status when that was the last one open, else undefined.
   */
  settleThread(thread: { channel: string; threadTs: string }, fingerprint: string): Promise<string | undefined>;
}

/** Resolved findings are kept this long after their last sighting (the digest's trend looks back 14 days). */
export const retentionMs = 30 * 24 * 3600 * 1000;

/**
 * The findings store on Redis, under `<prefix>:finding:<fingerprint>` (a hash) and `<prefix>:findings:*`
 * indexes. Each (check, target) remembers what its last run saw; a later complete run that no longer
 * sees a finding resolves it.
 */
export function createFindingStore(
  redis: RedisClient,
  prefix: string,
  now: () => Date = () => new Date(),
): FindingStore {
  const keys = storeKeys(prefix);
  return {
    async recordRun(run, options = {}) {
      const at = now().toISOString();
      const sightings: Sighting[] = [];
      for (const f of run.findings) sightings.push(await sightFinding(redis, keys, f, at));
      const seen = run.findings.map((f) => f.fingerprint);
      const mode = run.status === 'error' || options.partial ? 'add' : 'replace';
      const prev = await swapMembers(redis, keys, run, mode, seen);
      const resolved: FindingRecord[] = [];
      for (const fp of mode === 'replace' ? prev.filter((p) => !seen.includes(p)) : []) {
        const r = await resolveFinding(redis, keys, fp, at);
        if (r) resolved.push(r);
      }
      const last: LastRun = { check: run.id, target: run.target, status: run.status, at, error: run.error };
      await redis.hset(keys.runs, `${run.id}|${run.target}`, JSON.stringify(last));
      await pruneResolved(redis, keys, now().getTime() - retentionMs);
      return { sightings, resolved };
    },
    async addPost(fp, post) {
      const open = keys.threadOpen(post);
      await redis
        .multi()
        .hset(keys.posts(fp), `${post.channel}|${post.threadTs}`, post.ts)
        .sadd(open, fp)
        .pexpire(open, retentionMs)
        .exec();
    },
    get: (fp) => readRecord(redis, keys, fp),
    async list() {
      const fps = await redis.zrange(keys.index, '0', '-1');
      const records = await Promise.all(fps.map((fp) => readRecord(redis, keys, fp)));
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
    async claimAnnouncement(record, channel) {
      return (await redis.set(keys.claim(record, channel), '1', 'PX', retentionMs, 'NX')) === 'OK';
    },
    async releaseAnnouncement(record, channel) {
      await redis.del(keys.claim(record, channel));
    },
    unnotifiedResolutions: () => redis.smembers(keys.unnotified),
    takeResolution: (fp) => takeResolution(redis, keys, fp),
    async returnResolution(fp) {
      await redis.sadd(keys.unnotified, fp);
    },
    async forgetPosts(fp) {
      await redis.del(keys.posts(fp));
    },
    async setThreadRoot(thread, status) {
      await redis.set(keys.threadRoot(thread), status, 'PX', retentionMs);
    },
    settleThread: (thread, fp) => settleThread(redis, keys, thread, fp),
  };
}
