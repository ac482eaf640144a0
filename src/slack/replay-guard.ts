import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { RedisClient } from '../redis/connection.js';

/**
 * Drops a request Slack already delivered: a replayed signed request (same trigger_id) or an
 * Events API retry of a handled event (same event_id). Signatures stay valid for five minutes,
 * so without this a captured slash command could be replayed. The duplicate is acked, not run.
 */
export function createReplayGuard(redis: RedisClient, prefix: string, ttlSeconds = 600): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as { trigger_id?: string; event_id?: string; payload?: string };
    const id = body.trigger_id ?? body.event_id;
    if (id) {
      const first = await redis.set(`${prefix}:seen:${id}`, '1', 'EX', ttlSeconds, 'NX');
      if (first === null) {
        args.logger.warn(`dropped a replayed request (${id.slice(0, 12)}…)`);
        if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
        return;
      }
    }
    await args.next();
  };
}
