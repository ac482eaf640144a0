import type { Env } from './config.js';
import { errorMessage } from './errors.js';
import type { Logger } from './log.js';
import type { QueueSettings } from './queues.js';
import { createRedisFactory, type RedisClient } from './redis/connection.js';

type Settings = QueueSettings & { connection: RedisClient };

/** The Redis connections of a process, all from one factory: same topology, credentials, TLS and retries. */
export interface RuntimeRedis {
  /** The bot's connection (queues, findings store, approvals). */
  redis: RedisClient;
  settings: Settings;
  /** Workers get their own connection: their Lua calls must not delay the bot's acks (head-of-line). */
  workerSettings: Settings;
  /** The replay guard sits on the ack path: a connection of its own keeps queue traffic out of its way. */
  guardRedis: RedisClient;
  close(): Promise<void>;
}

export function openRuntimeRedis(env: Env, withWorkers: boolean, log: Logger): RuntimeRedis {
  const factory = createRedisFactory(env, log);
  log.info({ topology: factory.topology.kind }, `redis: ${factory.describe()}`);
  const redis = factory.connect('harbor-pilot');
  const settings = { connection: redis, prefix: factory.prefix };
  const workerRedis = withWorkers ? factory.connect('harbor-pilot-worker') : undefined;
  // No offline queue: while Redis is down the guard hears so at once and the person is told, instead
  // of their request waiting in the client and running unannounced when Redis returns.
  const guardRedis = factory.connect('harbor-pilot-guard', { failWhenDown: true });
  return {
    redis,
    settings,
    workerSettings: { connection: workerRedis ?? redis, prefix: factory.prefix },
    guardRedis,
    async close() {
      await workerRedis?.quit().catch(() => workerRedis.disconnect());
      await guardRedis.quit().catch(() => guardRedis.disconnect());
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Redis' readiness, or why not: the connection's state, or a PING left unanswered (see ops/server.ts). */
export async function redisAnswers(redis: RedisClient): Promise<boolean> {
  if (redis.status !== 'ready') throw new Error(`connection ${redis.status}`);
  return (await redis.ping()) === 'PONG';
}

/** Warns when Redis would drop or lose queued jobs (eviction on, or no persistence). */
export async function checkRedisDurability(redis: RedisClient, log: Logger): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
    const [, save] = (await redis.config('GET', 'save')) as string[];
    if (policy !== 'noeviction')
      warnings.push(`maxmemory-policy is "${policy}": Redis may evict queued jobs; set it to noeviction`);
    if (aof !== 'yes' && !save)
      warnings.push(
        'persistence is off (appendonly no, no save points): a Redis restart loses queued jobs and pending approvals',
      );
  } catch (err) {
    warnings.push(
      `could not read the Redis configuration (${errorMessage(err)}); make sure maxmemory-policy is noeviction ` +
        `and persistence is on`,
    );
  }
  for (const w of warnings) log.warn({ redis: 'durability' }, w);
  return warnings;
}
