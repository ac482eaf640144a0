import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { RedisClient } from '../redis/connection.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { textMessage } from './messages.js';
import { redisAwayText, withinDeadline } from './redis-away.js';
import type { SlackDoor } from './slack-door.js';

export interface ReplayGuardOptions {
  /** A connection with no offline queue: when Redis is down, the guard hears so at once. */
  redis: RedisClient;
  prefix: string;
  log: Logger;
  /** Tells a clicker, privately, that Redis is away (a click's ack carries no words). */
  slack: Pick<SlackDoor, 'ephemeral'>;
  /**
   * How long a delivery id is remembered. Signed timestamps are accepted within ±5 minutes, so a
   * captured request can be replayed for at most 10 minutes after its first delivery.
   */
  ttlSeconds?: number;
  /** How long the guard waits for Redis before refusing: well inside Slack's 3 s. */
  deadlineMs?: number;
}

type Verdict = 'first' | 'replay' | 'unknown';

/**
 * Drops a request Slack already delivered: a replayed signed request (same trigger_id) or an
 * Events API retry of a handled event (same event_id). The duplicate is acked, not run.
 *
 * When Redis does not answer within the deadline the guard cannot tell a first delivery from a
 * replay, and fails closed: the request is acked with words saying nothing was done and to try
 * again ("busy, try again"), and it is not run later either. Whatever would have run needed Redis
 * anyway (to enqueue, to record), so failing open would buy nothing but replays.
 */
export function createReplayGuard(o: ReplayGuardOptions): Middleware<AnyMiddlewareArgs> {
  const ttl = o.ttlSeconds ?? 600;
  const deadlineMs = o.deadlineMs ?? 500;
  const judge = async (id: string): Promise<Verdict> => {
    try {
      const set = o.redis.set(`${o.prefix}:seen:${id}`, '1', 'EX', ttl, 'NX');
      return (await withinDeadline(set, deadlineMs, 'replay guard')) === null ? 'replay' : 'first';
    } catch (err) {
      o.log.warn({ err: errorMessage(err) }, 'replay guard could not reach redis; request refused');
      return 'unknown';
    }
  };
  return async (args) => {
    const body = args.body as { trigger_id?: string; event_id?: string };
    const id = body.trigger_id ?? body.event_id;
    if (!id) return args.next();
    const verdict = await judge(id);
    if (verdict === 'first') return args.next();
    if (verdict === 'replay') o.log.warn({ id: `${id.slice(0, 12)}…` }, 'dropped a replayed request');
    await answer(args, verdict === 'unknown' ? redisAwayText : undefined, o);
  };
}

/** Acks a request that will not run; when Redis is away, says so to the person in words. */
async function answer(args: AnyMiddlewareArgs, text: string | undefined, o: ReplayGuardOptions): Promise<void> {
  const ack = 'ack' in args && typeof args.ack === 'function' ? (args.ack as (b?: object) => Promise<void>) : undefined;
  const body = args.body as { type?: string; command?: string; user?: { id?: string }; channel?: { id?: string } };
  if (!text || body.type !== 'block_actions') {
    await ack?.(text && body.command ? { response_type: 'ephemeral', text } : undefined);
    return;
  }
  await ack?.();
  const [user, channel] = [body.user?.id, body.channel?.id];
  if (!user || !channel) return;
  await o.slack.ephemeral(channel, user, textMessage(text)).catch((err: unknown) => {
    o.log.warn({ err: errorMessage(err) }, 'could not tell the clicker that redis is away');
  });
}
