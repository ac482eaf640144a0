import { errorMessage, NotAuthorizedError, UserInputError } from '../errors.js';
import type { Logger } from '../log.js';
import { ChannelRefusedError } from './channels.js';
import { type MessageBody, textMessage } from './messages.js';
import { clip, escapeMrkdwn } from './mrkdwn.js';
import { isRedisUnavailable, redisAwayText } from './redis-away.js';

/**
 * The one answer to an error in a slash command or a button click, shown to that person only: the
 * message when it is safe to show (UserInputError, NotAuthorizedError), otherwise a reference id
 * to find the logged details by. A reply that fails is logged, never thrown.
 */
export async function replyOnError(
  err: unknown,
  o: { what: 'command' | 'click'; reqId: string; log: Logger; reply(body: MessageBody): Promise<void> },
): Promise<void> {
  const safe = err instanceof UserInputError || err instanceof NotAuthorizedError;
  // A failed click may have been stopped half-way: it says so.
  const aftermath = o.what === 'click' ? '; nothing may have happened' : '';
  // A channel refusal is written in mrkdwn already (channel links).
  const shown = err instanceof ChannelRefusedError ? err.message : escapeMrkdwn(clip(safe ? err.message : '', 2000));
  // Redis being away is said as such: the person can do something about it (wait, try again).
  const text = safe
    ? `:warning: ${shown}`
    : isRedisUnavailable(err)
      ? redisAwayText
      : `:x: Something went wrong (reference ${o.reqId})${aftermath}. The logs have the details.`;
  if (safe) o.log.info({ err: err.message }, `${o.what} refused`);
  else o.log.error({ err: errorMessage(err) }, `${o.what} failed`);
  try {
    await o.reply(textMessage(text));
  } catch (replyErr) {
    o.log.error({ err: errorMessage(replyErr) }, 'error reply failed');
  }
}
