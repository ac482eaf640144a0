import { randomUUID } from 'node:crypto';
import {
  App,
  LogLevel,
  type AnyMiddlewareArgs,
  type CustomRoute,
  type Middleware,
  type Logger as BoltLogger,
} from '@slack/bolt';
import type { RedisClient } from '../redis/connection.js';
import type { Registry } from '../checks/registry.js';
import type { Config, Env } from '../config.js';
import { ConfigError, UserInputError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Queues } from '../queues.js';
import { textMessage, type MessageBody } from './messages.js';
import { fitMessage } from './block-limits.js';
import { assertChannelMay } from './channels.js';
import { type CommandContext, type CommandDefinition, maxCommandTextLength, tokenize } from './command.js';
import { countRateLimits } from './slack-door.js';
import { replyOnError } from './reply-on-error.js';

export interface SlackAppOptions {
  config: Config;
  env: Env;
  registry: Registry;
  commands: readonly CommandDefinition[];
  queues: Queues;
  redis: RedisClient;
  prefix: string;
  log: Logger;
  now?: () => Date;
  customRoutes?: CustomRoute[];
  /** Registers interactive handlers (approval buttons) on the app. */
  extend?: (app: App) => void;
  /** Counts a 429 from Slack on the app's clients (harbor_pilot_slack_rate_limited_total). */
  onRateLimited?: (method: string) => void;
  /** Global middleware that runs before any listener (the replay guard). */
  middleware?: Middleware<AnyMiddlewareArgs>[];
}

/**
 * Bolt and the Socket Mode client log whole payloads as text at debug level, where pino's
 * structured redaction cannot reach: the verification token, response URLs (they can post as the
 * app for 30 minutes) and any Slack token are blanked out of the text itself.
 */
export function scrubSlackText(text: string): string {
  return text
    .replace(/("(?:token|response_url)"\s*:\s*")[^"]*(")/g, '$1[redacted]$2')
    .replace(/\b((?:token|response_url)=)[^&\s"]*/g, '$1[redacted]')
    .replace(/\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+/g, '[redacted]');
}

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (m: unknown[]) => ({ slack: scrubSlackText(m.map(String).join(' ')) });
  return {
    debug: (...m) => {
      if (log.isLevelEnabled('debug')) log.debug(text(m), 'bolt');
    },
    info: (...m) => log.info(text(m), 'bolt'),
    warn: (...m) => log.warn(text(m), 'bolt'),
    error: (...m) => log.error(text(m), 'bolt'),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** An ephemeral answer within Block Kit's limits (a list longer than Slack takes says how much is left out). */
function asBody(b: MessageBody | string): MessageBody {
  const { text, blocks } = fitMessage(typeof b === 'string' ? textMessage(b) : b);
  return { text, blocks };
}

/**
 * The Bolt app: Socket Mode when SLACK_APP_TOKEN is set, HTTP (POST /slack/events) otherwise.
 * One slash command dispatches to the sub-commands; user errors become ephemeral replies.
 */
export function createSlackApp(options: SlackAppOptions): App {
  const { env, config, log } = options;
  if (!env.SLACK_BOT_TOKEN) throw new ConfigError(['env SLACK_BOT_TOKEN: required to run the Slack bot']);
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    throw new ConfigError(['env SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)']);
  }
  const clientOptions = env.SLACK_API_URL
    ? { slackApiUrl: env.SLACK_API_URL, retryConfig: { retries: 2 } }
    : { retryConfig: { retries: 2 } };
  // No conversation store: nothing reads it, and it costs a lookup on every request.
  const common = {
    token: env.SLACK_BOT_TOKEN,
    convoStore: false as const,
    logger: boltLogger(log.child({ component: 'bolt' })),
    clientOptions,
  };
  const app = env.SLACK_APP_TOKEN
    ? new App({ ...common, appToken: env.SLACK_APP_TOKEN, socketMode: true, signingSecret: env.SLACK_SIGNING_SECRET })
    : new App({
        ...common,
        signingSecret: env.SLACK_SIGNING_SECRET as string,
        port: env.PORT,
        customRoutes: options.customRoutes,
      });

  for (const m of options.middleware ?? []) app.use(m);
  const onRateLimited = options.onRateLimited;
  if (onRateLimited) {
    // Bolt hands listeners clients of its own pool: each is counted once, when first seen.
    countRateLimits(app.client, onRateLimited);
    app.use(async ({ client, next }) => {
      countRateLimits(client, onRateLimited);
      await next();
    });
  }
  const commandName = config.slack?.command ?? '/harbor';
  const byName = new Map(options.commands.map((c) => [c.name, c]));

  app.command(commandName, async ({ command, ack, respond }) => {
    const text = command.text ?? '';
    const tooLong = text.length > maxCommandTextLength;
    const [sub = 'help', ...args] = tooLong ? [] : tokenize(text);
    const reqId = randomUUID().slice(0, 8);
    const clog = log.child({ cmd: sub, user: command.user_id, reqId });
    let acked = false;
    const ctx: CommandContext = {
      args,
      user: command.user_id,
      channel: command.channel_id,
      config,
      registry: options.registry,
      queues: options.queues,
      redis: options.redis,
      prefix: options.prefix,
      commands: options.commands,
      log: clog,
      now: options.now ?? (() => new Date()),
      async ack(body) {
        acked = true;
        await (body === undefined ? ack() : ack({ response_type: 'ephemeral', ...asBody(body) }));
      },
      async respond(body) {
        await respond({ response_type: 'ephemeral', ...asBody(body) });
      },
    };
    const def = byName.get(sub);
    try {
      if (tooLong) {
        throw new UserInputError(
          `that command is ${text.length} characters long; harbor-pilot reads at most ${maxCommandTextLength}. Nothing was done.`,
        );
      }
      if (!def) {
        throw new UserInputError(
          `unknown sub-command "${sub}"; valid: ${options.commands.map((c) => c.name).join(', ')}. Try ` +
            `${commandName} help`,
        );
      }
      // `help` and `status` answer everywhere: they say what this channel may do.
      if (def.name !== 'help' && def.name !== 'status') assertChannelMay(config, command.channel_id);
      await def.run(ctx);
      if (!acked) await ack();
    } catch (err) {
      const reply = async (b: MessageBody) => {
        await (acked ? respond({ response_type: 'ephemeral', ...b }) : ack({ response_type: 'ephemeral', ...b }));
      };
      await replyOnError(err, { what: 'command', reqId, log: clog, reply });
    }
  });

  options.extend?.(app);
  app.error(async (err) => {
    log.error({ err: errorMessage(err) }, 'unhandled slack error');
  });
  return app;
}
