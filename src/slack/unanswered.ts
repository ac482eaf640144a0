import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { AckGate } from './ack-gate.js';
import { textMessage } from './messages.js';
import type { SlackDoor } from './slack-door.js';

const unknownButton =
  ':grey_question: harbor-pilot does not handle this button (it may be from an older version of a message). ' +
  'Nothing happened.';

/** Says why nothing ran, to the person who triggered a payload no listener acked. */
async function explain(slack: Pick<SlackDoor, 'ephemeral'>, body: ReceiverEvent['body'], log: Logger): Promise<void> {
  const b = body as {
    type?: string;
    user?: { id?: string };
    channel?: { id?: string };
    actions?: { action_id?: string }[];
  };
  if (b.type !== 'block_actions' || !b.user?.id || !b.channel?.id) return;
  log.info({ action: String(b.actions?.[0]?.action_id ?? '').slice(0, 80) }, 'unknown action acked');
  await slack.ephemeral(b.channel.id, b.user.id, textMessage(unknownButton));
}

/**
 * Every payload gets an answer: the receiver hands events to this instead of the app, and when no
 * listener acked one (an action id nothing registered, a view nobody handles), it is acked here,
 * with a short ephemeral to a clicker, instead of Slack showing a failure after 3 s. `acks` counts
 * the payloads waiting for their ack (AckGate).
 */
export function answerUnacked(
  receiver: Receiver,
  app: App,
  slack: Pick<SlackDoor, 'ephemeral'>,
  log: Logger,
  acks?: AckGate,
): void {
  const processEvent = async (event: ReceiverEvent) => {
    let acked = false;
    const leave = acks?.enter();
    const ack: ReceiverEvent['ack'] = async (response) => {
      acked = true;
      try {
        return await event.ack(response);
      } finally {
        leave?.();
      }
    };
    try {
      await app.processEvent({ ...event, ack });
    } finally {
      leave?.();
      if (!acked) {
        await event.ack().catch((err: unknown) => log.debug({ err: errorMessage(err) }, 'late ack failed'));
        await explain(slack, event.body, log).catch((err: unknown) =>
          log.warn({ err: errorMessage(err) }, 'could not explain an unknown action'),
        );
      }
    }
  };
  receiver.init({ processEvent } as unknown as App);
}
