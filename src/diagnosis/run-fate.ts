/**
 * A diagnosis the bot could not confirm as queued in time (Redis did not answer) is answered "not
 * queued, try again"; its job may still land in Redis later. Its fate key decides, once, which side
 * wins: the bot marks the run abandoned, or a worker marks it started. The second learns it lost.
 */
const fateKey = (prefix: string, runId: string) => `${prefix}:run-fate:${runId}`;
const fateTtlSeconds = 24 * 3600;

/** The two commands this needs, as ioredis' Redis and Cluster both have them. */
export interface FateStore {
  set(key: string, value: string, ex: 'EX', seconds: number, nx: 'NX'): Promise<'OK' | null>;
  get(key: string): Promise<string | null>;
}

/** The connection a worker was given, when it is a client (not options) that can keep the fate. */
export function fateStoreOf(connection: unknown): FateStore | undefined {
  const c = connection as Partial<FateStore> | undefined;
  return typeof c?.set === 'function' && typeof c.get === 'function' ? (c as FateStore) : undefined;
}

async function mark(redis: FateStore, prefix: string, runId: string, fate: 'abandoned' | 'started'): Promise<string> {
  const key = fateKey(prefix, runId);
  if ((await redis.set(key, fate, 'EX', fateTtlSeconds, 'NX')) === 'OK') return fate;
  return (await redis.get(key)) ?? fate;
}

/** Marks a run the requester was told was not queued; 'started' when a worker took it first. */
export async function abandonRun(redis: FateStore, prefix: string, runId: string): Promise<'abandoned' | 'started'> {
  return (await mark(redis, prefix, runId, 'abandoned')) === 'abandoned' ? 'abandoned' : 'started';
}

/** A worker's claim before it opens a diagnosis: false when the bot abandoned it (nothing may run). */
export async function claimRun(redis: FateStore, prefix: string, runId: string): Promise<boolean> {
  return (await mark(redis, prefix, runId, 'started')) === 'started';
}
