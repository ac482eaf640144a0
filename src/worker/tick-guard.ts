import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/connection.js';

// Renews the claim only while the caller's token still holds it; releases it the same way.
const renewScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;
const releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * One tick of a schedule at a time: `run` runs only when no earlier tick of the same schedule
 * (`key`) is still running anywhere, else it is skipped (a watch every minute whose checks take
 * three would otherwise pile ticks up in the queue). The claim renews itself while `run` lasts and
 * lapses within `leaseMs` of a worker that died holding it.
 */
export async function oneTickAtATime<T>(
  redis: RedisClient,
  key: string,
  leaseMs: number,
  run: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', leaseMs, 'NX')) !== 'OK') return { ran: false };
  const renew = setInterval(() => {
    redis.eval(renewScript, 1, key, token, leaseMs).catch(() => undefined);
  }, leaseMs / 3);
  renew.unref();
  try {
    return { ran: true, value: await run() };
  } finally {
    clearInterval(renew);
    await redis.eval(releaseScript, 1, key, token).catch(() => undefined);
  }
}
