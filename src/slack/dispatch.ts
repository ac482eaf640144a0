import { randomUUID } from 'node:crypto';
import type { AckFn, RespondArguments, RespondFn, SlashCommand } from '@slack/bolt';
import { UserInputError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { CommandDefinition } from './command.js';
import { fitMessage } from './block-limits.js';
import { assertChannelMay } from './channels.js';
import { type CommandContext, maxCommandTextLength, tokenize } from './command.js';
import { textMessage, type MessageBody } from './messages.js';
import { redisSlowText } from './redis-away.js';
import { replyOnError } from './reply-on-error.js';

/**
 * Slack shows "didn't respond" at 3 s, counted from its side: a command that has not answered
 * within this (after the replay guard's own deadline) is answered for, in words, and its own
 * answer follows through the response URL when it comes.
 */
export const commandAckDeadlineMs = 2_000;

/** An ephemeral answer within Block Kit's limits (a list longer than Slack takes says how much is left out). */
function asBody(b: MessageBody | string): RespondArguments {
  const { text, blocks } = fitMessage(typeof b === 'string' ? textMessage(b) : b);
  return { response_type: 'ephemeral', text, blocks };
}

/** Acks exactly once: by the command, or at the deadline; whatever comes after goes to respond(). */
function deadlineAck(ack: AckFn<string | RespondArguments>, respond: RespondFn, log: Logger) {
  let acked = false;
  const timer = setTimeout(() => {
    if (acked) return;
    acked = true;
    log.warn({ ms: commandAckDeadlineMs }, 'command not answered in time; acked for it');
    ack(asBody(redisSlowText)).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'deadline ack failed'));
  }, commandAckDeadlineMs);
  return {
    async answer(body?: MessageBody | string): Promise<void> {
      if (!acked) {
        acked = true;
        clearTimeout(timer);
        await (body === undefined ? ack() : ack(asBody(body)));
      } else if (body !== undefined) await respond(asBody(body));
    },
    stop: () => clearTimeout(timer),
  };
}

type CommandArgs = {
  command: SlashCommand;
  ack: AckFn<string | RespondArguments>;
  respond: RespondFn;
  client: unknown;
};

/** The one slash command's listener: splits the words, runs the sub-command, answers within Slack's 3 s. */
/** What the listener hands each sub-command (the app's options, less what only the app needs). */
export type CommandListenerOptions = Pick<
  CommandContext,
  'config' | 'registry' | 'queues' | 'redis' | 'prefix' | 'log'
> & { commands: readonly CommandDefinition[]; now?: () => Date };

export function createCommandListener(options: CommandListenerOptions, commandName: string) {
  const byName = new Map(options.commands.map((c) => [c.name, c]));
  return async ({ command, ack, respond }: CommandArgs): Promise<void> => {
    const text = command.text ?? '';
    const tooLong = text.length > maxCommandTextLength;
    const [sub = 'help', ...args] = tooLong ? [] : tokenize(text);
    const reqId = randomUUID().slice(0, 8);
    const clog = options.log.child({ cmd: sub, user: command.user_id, reqId });
    const reply = deadlineAck(ack, respond, clog);
    const ctx: CommandContext = {
      args,
      user: command.user_id,
      channel: command.channel_id,
      config: options.config,
      registry: options.registry,
      queues: options.queues,
      redis: options.redis,
      prefix: options.prefix,
      commands: options.commands,
      log: clog,
      now: options.now ?? (() => new Date()),
      ack: reply.answer,
      respond: async (body) => respond(asBody(body)).then(() => undefined),
    };
    try {
      if (tooLong)
        throw new UserInputError(
          `that command is ${text.length} characters long; harbor-pilot reads at most ${maxCommandTextLength}. ` +
            `Nothing was done.`,
        );
      const def = byName.get(sub);
      if (!def) {
        const valid = options.commands.map((c) => c.name).join(', ');
        throw new UserInputError(`unknown sub-command "${sub}"; valid: ${valid}. Try ${commandName} help`);
      }
      // `help` and `status` answer everywhere: they say what this channel may do.
      if (def.name !== 'help' && def.name !== 'status') assertChannelMay(options.config, command.channel_id);
      await def.run(ctx);
      await reply.answer();
    } catch (err) {
      await replyOnError(err, { what: 'command', reqId, log: clog, reply: reply.answer });
    } finally {
      reply.stop();
    }
  };
}
