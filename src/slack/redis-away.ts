import { AppError } from '../errors.js';

/** Redis did not answer in time, or the connection to it is down: the bot cannot confirm anything it would store. */
export class RedisUnavailableError extends AppError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('redis_unavailable', `Redis is unavailable (${detail})`, options);
  }
}

const connectionFailure =
  /Stream isn't writeable|Connection is closed|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH/;

/** True for ioredis' own connection failures and our deadlines: the words to say are "Redis is away". */
export function isRedisUnavailable(err: unknown): boolean {
  if (err instanceof RedisUnavailableError) return true;
  const e = err as { name?: string; message?: string } | undefined;
  return e?.name === 'MaxRetriesPerRequestError' || connectionFailure.test(e?.message ?? '');
}

/** Rejects with RedisUnavailableError when `work` has not settled within `ms` (the work itself goes on). */
export async function withinDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } catch (err) {
    if (isRedisUnavailable(err) && !(err instanceof RedisUnavailableError))
      throw new RedisUnavailableError(`${what}: ${(err as Error).message}`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** What a responder reads when the front door could not reach Redis: nothing was done. */
export const redisAwayText =
  ':hourglass: harbor-pilot cannot reach its Redis right now (its queue and memory), so nothing was done. ' +
  "Try again in a minute; the bot's /readyz says when Redis is back.";

/** What a responder reads when Redis answered the door but then went slow: the answer follows. */
export const redisSlowText =
  ":hourglass_flowing_sand: Redis (the bot's queue and memory) is slow to answer. Your request is still being " +
  'handled; its outcome will be posted here when Redis answers.';
