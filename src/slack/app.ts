import {
  App,
  LogLevel,
  type AnyMiddlewareArgs,
  type CustomRoute,
  type Middleware,
  type Logger as BoltLogger,
  type Receiver,
} from '@slack/bolt';
import type { RedisClient } from '../redis/connection.js';
import type { Registry } from '../checks/registry.js';
import type { Config, Env } from '../config.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Queues } from '../queues.js';
import type { AckGate } from './ack-gate.js';
import { countRateLimits, type SlackDoor } from './slack-door.js';
import type { CommandDefinition } from './command.js';
import { createCommandListener } from './dispatch.js';
import { createHttpDoor } from './http-door.js';
import { answerUnacked } from './unanswered.js';

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
  /** Answers a payload no listener acked (an unknown button), privately. */
  slack: Pick<SlackDoor, 'ephemeral'>;
  /** Global middleware that runs before any listener (the replay guard). */
  middleware?: Middleware<AnyMiddlewareArgs>[];
  /** Counts payloads waiting for their ack, so this process's workers let them go first (`start`). */
  acks?: AckGate;
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

/**
 * The Bolt app: Socket Mode when SLACK_APP_TOKEN is set, HTTP (POST /slack/events) otherwise,
 * behind the front door's limits (http-door.ts). One slash command dispatches to the sub-commands
 * (dispatch.ts); every payload is acked, unknown ones with a short answer (unanswered.ts).
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
  const logger = boltLogger(log.child({ component: 'bolt' }));
  // No conversation store: nothing reads it, and it costs a lookup on every request.
  const common = { token: env.SLACK_BOT_TOKEN, convoStore: false as const, logger, clientOptions };
  const app = env.SLACK_APP_TOKEN
    ? new App({ ...common, appToken: env.SLACK_APP_TOKEN, socketMode: true, signingSecret: env.SLACK_SIGNING_SECRET })
    : new App({
        ...common,
        receiver: createHttpDoor({
          signingSecret: env.SLACK_SIGNING_SECRET as string,
          port: env.PORT,
          customRoutes: options.customRoutes,
          logger,
          log,
        }),
      });
  answerUnacked((app as unknown as { receiver: Receiver }).receiver, app, options.slack, log, options.acks);
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
  app.command(commandName, createCommandListener(options, commandName));
  options.extend?.(app);
  app.error(async (err) => {
    log.error({ err: errorMessage(err) }, 'unhandled slack error');
  });
  return app;
}
