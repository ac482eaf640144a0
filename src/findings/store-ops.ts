import type { RedisClient } from '../redis/connection.js';
import type { CheckRun } from '../checks/runner.js';
import { findingSchema, type Finding } from './finding.js';
import type { FindingRecord, Sighting } from './finding-record.js';

// A resolved finding seen again opens a new episode; the one that ended is kept in 'episodes'
// (the last 20, as [openedAt, resolvedAt] pairs) for the digest's trend.
const maxPastEpisodes = 20;
const upsertScript = `
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'open' then
  redis.call('HINCRBY', KEYS[1], 'timesSeen', 1)
  redis.call('HSET', KEYS[1], 'lastSeen', ARGV[1], 'finding', ARGV[2])
  return 0
end
local openedAt = redis.call('HGET', KEYS[1], 'openedAt')
local resolvedAt = redis.call('HGET', KEYS[1], 'resolvedAt')
if status == 'resolved' and openedAt and resolvedAt then
  local past = cjson.decode(redis.call('HGET', KEYS[1], 'episodes') or '[]')
  table.insert(past, {openedAt, resolvedAt})
  while #past > ${maxPastEpisodes} do table.remove(past, 1) end
  redis.call('HSET', KEYS[1], 'episodes', cjson.encode(past))
end
redis.call('HSET', KEYS[1], 'status', 'open', 'openedAt', ARGV[1], 'lastSeen', ARGV[1],
  'timesSeen', 1, 'finding', ARGV[2])
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

// Resolving queues the finding's resolution notice (KEYS[2]) in the same step, so it cannot be lost.
const resolveScript = `
if redis.call('HGET', KEYS[1], 'status') ~= 'open' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'resolved', 'resolvedAt', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return 1`;

// Takes a resolved finding off its thread's open set; when that empties it, returns the thread's
// root status (nil when the thread has none, or still has open findings). Atomic, so of two
// findings resolving at once in one thread exactly one sees the thread settle.
const settleScript = `
redis.call('SREM', KEYS[1], ARGV[1])
if redis.call('SCARD', KEYS[1]) > 0 then return false end
return redis.call('GET', KEYS[2])`;

export type StoreKeys = ReturnType<typeof storeKeys>;

/** Every key of the findings store, under the queues' prefix. */
export function storeKeys(prefix: string) {
  return {
    finding: (fp: string) => `${prefix}:finding:${fp}`,
    posts: (fp: string) => `${prefix}:finding:${fp}:posts`,
    members: (check: string, target: string) => `${prefix}:findings:run:${check}|${target}`,
    index: `${prefix}:findings:index`,
    runs: `${prefix}:findings:runs`,
    unnotified: `${prefix}:findings:unnotified`,
    claim: (r: Pick<FindingRecord, 'fingerprint' | 'openedAt'>, channel: string) =>
      `${prefix}:findings:claim:${channel}|${r.fingerprint}|${r.openedAt}`,
    note: (t: { channel: string; threadTs: string }, r: Pick<CheckRun, 'id' | 'target'>) =>
      `${prefix}:findings:note:${t.channel}|${t.threadTs}|${r.id}|${r.target}`,
    /** The fingerprints posted in a thread that have not resolved yet. */
    threadOpen: (t: { channel: string; threadTs: string }) =>
      `${prefix}:findings:thread:${t.channel}|${t.threadTs}:open`,
    /** The root message's status of a diagnosis thread (JSON), to re-render it when all is resolved. */
    threadRoot: (t: { channel: string; threadTs: string }) =>
      `${prefix}:findings:thread:${t.channel}|${t.threadTs}:root`,
  };
}

export async function settleThread(
  redis: RedisClient,
  keys: StoreKeys,
  thread: { channel: string; threadTs: string },
  fp: string,
): Promise<string | undefined> {
  return (
    ((await redis.eval(settleScript, 2, keys.threadOpen(thread), keys.threadRoot(thread), fp)) as string | null) ??
    undefined
  );
}

export async function readRecord(redis: RedisClient, keys: StoreKeys, fp: string): Promise<FindingRecord | undefined> {
  const [hash, posts] = await Promise.all([redis.hgetall(keys.finding(fp)), redis.hgetall(keys.posts(fp))]);
  return toRecord(fp, hash, posts);
}

/** Records one sighting: a new episode when the finding was not open, else one more time seen. */
export async function sightFinding(redis: RedisClient, keys: StoreKeys, f: Finding, at: string): Promise<Sighting> {
  const isNew =
    Number(
      await redis.eval(upsertScript, 2, keys.finding(f.fingerprint), keys.posts(f.fingerprint), at, JSON.stringify(f)),
    ) === 1;
  await redis.zadd(keys.index, Date.parse(at), f.fingerprint);
  const record = await readRecord(redis, keys, f.fingerprint);
  if (!record) throw new Error(`finding ${f.fingerprint} vanished while being recorded`);
  return { record, isNew };
}

/** Marks an open finding resolved and queues its resolution notice; returns it. */
export async function resolveFinding(
  redis: RedisClient,
  keys: StoreKeys,
  fp: string,
  at: string,
): Promise<FindingRecord | undefined> {
  if (Number(await redis.eval(resolveScript, 2, keys.finding(fp), keys.unnotified, at, fp)) !== 1) return undefined;
  return readRecord(redis, keys, fp);
}

/** Takes a queued resolution notice (one caller wins); undefined when taken or reopened meanwhile. */
export async function takeResolution(
  redis: RedisClient,
  keys: StoreKeys,
  fp: string,
): Promise<FindingRecord | undefined> {
  if ((await redis.srem(keys.unnotified, fp)) !== 1) return undefined;
  const record = await readRecord(redis, keys, fp);
  return record?.status === 'resolved' ? record : undefined;
}

/** Replaces (or adds to) what a (check, target) saw; returns what it saw before. */
export async function swapMembers(
  redis: RedisClient,
  keys: StoreKeys,
  run: Pick<CheckRun, 'id' | 'target'>,
  mode: 'replace' | 'add',
  seen: string[],
): Promise<string[]> {
  return (await redis.eval(swapScript, 1, keys.members(run.id, run.target), mode, ...seen)) as string[];
}

/** Drops resolved findings last seen before `before`. */
export async function pruneResolved(redis: RedisClient, keys: StoreKeys, before: number): Promise<void> {
  for (const fp of await redis.zrangebyscore(keys.index, 0, before)) {
    if ((await redis.hget(keys.finding(fp), 'status')) === 'open') continue;
    await redis.multi().del(keys.finding(fp), keys.posts(fp)).zrem(keys.index, fp).exec();
  }
}

function pastEpisodes(stored: string | undefined): { openedAt: string; resolvedAt: string }[] {
  if (!stored) return [];
  const parsed = JSON.parse(stored) as unknown;
  return Array.isArray(parsed)
    ? parsed
        .filter((e): e is [string, string] => Array.isArray(e) && e.length === 2)
        .map(([openedAt, resolvedAt]) => ({ openedAt, resolvedAt }))
    : [];
}

export function toRecord(
  fingerprint: string,
  h: Record<string, string>,
  posts: Record<string, string>,
): FindingRecord | undefined {
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
    pastEpisodes: pastEpisodes(h.episodes),
    posts: Object.entries(posts).map(([k, ts]) => {
      const [channel = '', threadTs = ''] = k.split('|');
      return { channel, threadTs, ts };
    }),
  };
}
