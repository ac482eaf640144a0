import {
  ErrorCode,
  type HomeView,
  LogLevel,
  type View,
  WebClient,
  WebClientEvent,
  type WebClientOptions,
} from '@slack/web-api';
import { errorMessage, UpstreamError } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';
import { fitMessage, plainFallback, rejectedBlocksErrors } from './block-limits.js';
import { messageAsText } from './full-text.js';
import type { MessageBody } from './messages.js';

/** A file shared in a channel with a message's blocks (files.uploadV2). */
export interface SlackUpload {
  file: Buffer;
  filename: string;
  title: string;
  altText: string;
}

/**
 * The one door to the Slack Web API: everything the bot says goes through here (the Bolt app's
 * own ack and respond aside). Every message is fitted within Block Kit's limits first (fitMessage).
 * Every failure becomes an UpstreamError with service 'slack' and Slack's error code as `detail`
 * (`slackErrorCode` reads it back), and is counted in the metrics, as is every 429.
 */
export interface SlackDoor {
  /** A message in a channel, or in a thread when `threadTs` is given; returns its ts. */
  post(channel: string, body: MessageBody, threadTs?: string): Promise<string>;
  update(channel: string, ts: string, body: MessageBody): Promise<void>;
  /** A message only `user` sees, in `channel`. */
  ephemeral(channel: string, user: string, body: MessageBody): Promise<void>;
  /** A direct message from the bot; returns its ts. */
  dm(user: string, body: MessageBody): Promise<string>;
  /** Shares a file in a channel, in the same message as `body`'s blocks. */
  upload(channel: string, upload: SlackUpload, body: MessageBody): Promise<void>;
  /** The members of a user group (usergroups.users.list). */
  userGroupMembers(group: string): Promise<string[]>;
  /** Opens a modal in answer to a click or command (`trigger_id`, valid for 3 s). */
  openView(triggerId: string, view: View): Promise<void>;
  /** Publishes a user's Home tab; its blocks are fitted within a view's limits. */
  publishHome(user: string, view: HomeView): Promise<void>;
}

export interface SlackDoorOptions {
  token: string;
  /** SLACK_API_URL: tests and the lab point it at a local server. */
  apiUrl?: string;
  retries?: number;
  metrics?: Pick<Metrics, 'slackError' | 'slackRateLimited'>;
}

/** The comment on the file that carries all of a message shortened to fit Slack. */
export const fullTextComment = 'The message above is shortened to fit Slack; this file holds all of it.';

/** Slack's error code of a failed call through the door (`not_in_channel`), else undefined. */
export function slackErrorCode(err: unknown): string | undefined {
  return err instanceof UpstreamError && err.service === 'slack' ? err.detail : undefined;
}

function webClient(o: SlackDoorOptions): WebClient {
  const opts: WebClientOptions = {
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: o.retries ?? 3, factor: 2, minTimeout: 200, maxTimeout: 5000 },
    // A 429 waits for Retry-After and tries again (bounded by retryConfig): posts are delayed, not dropped.
    rejectRateLimitedCalls: false,
  };
  if (o.apiUrl) opts.slackApiUrl = o.apiUrl;
  const web = new WebClient(o.token, opts);
  const { metrics } = o;
  if (metrics) countRateLimits(web, (method) => metrics.slackRateLimited(method));
  return web;
}

/** The Web API method of a request URL (`https://slack.com/api/chat.postMessage` → `chat.postMessage`). */
function methodOf(url: unknown): string {
  const m = typeof url === 'string' ? /\/api\/([A-Za-z.]+)/.exec(url) : null;
  return m?.[1] ?? 'unknown';
}

const counting = new WeakSet<WebClient>();

/**
 * Counts every 429 a client gets, by method, from the client's own `rate_limited` event: with
 * `rejectRateLimitedCalls: false` the client waits and retries, so no error ever says it happened.
 * Attaching twice to the same client counts once. The Bolt app counts its own clients with it.
 */
export function countRateLimits(web: WebClient, count: (method: string) => void): void {
  if (counting.has(web)) return;
  counting.add(web);
  web.on(WebClientEvent.RATE_LIMITED, (_retrySec: number, request?: { url?: unknown }) =>
    count(methodOf(request?.url)),
  );
}

interface WebApiFailure {
  code?: string;
  statusCode?: number;
  data?: { error?: string };
}

/** The Web API's coded errors (platform, HTTP, rate-limited, request) as one UpstreamError. */
function toUpstream(method: string, e: WebApiFailure, err: unknown): UpstreamError {
  const platform = e.code === ErrorCode.PlatformError;
  const detail = e.data?.error ?? (e.code === ErrorCode.RateLimitedError ? 'ratelimited' : errorMessage(err));
  const status = platform ? 200 : (e.statusCode ?? (e.code === ErrorCode.RateLimitedError ? 429 : null));
  return new UpstreamError({
    service: 'slack',
    status,
    method: 'POST',
    path: method,
    detail,
    retryable: !platform,
    cause: err,
  });
}

export function createSlackDoor(o: SlackDoorOptions): SlackDoor {
  const web = webClient(o);
  const call = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      const e: WebApiFailure = typeof err === 'object' && err !== null ? err : {};
      o.metrics?.slackError(method, e.data?.error ?? e.code ?? 'unknown', e.code === ErrorCode.RateLimitedError);
      throw toUpstream(method, e, err);
    }
  };
  // Should Slack still refuse the fitted blocks, the same payload would fail again on every retry,
  // so the plain text goes instead. `complete`: nothing of the message was cut, dropped or replaced.
  const fitted = async <T>(method: string, body: MessageBody, send: (b: MessageBody) => Promise<T>) => {
    const fit = fitMessage(body);
    try {
      return { res: await call(method, () => send(fit)), complete: fit.cut.length === 0 && fit.dropped === 0 };
    } catch (err) {
      if (!rejectedBlocksErrors.has(slackErrorCode(err) ?? '')) throw err;
      return { res: await call(method, () => send(plainFallback(body))), complete: false };
    }
  };
  // The whole of a message its builder shortened or Slack's limits cut, as a text file in its thread.
  // The message is posted already: a failed upload (counted in the metrics by call) costs the file,
  // not a second message.
  const attachWhole = async (channel: string, threadTs: string, whole: string) => {
    await call('files.uploadV2', () =>
      web.files.uploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        file: Buffer.from(whole, 'utf8'),
        filename: 'full-message.txt',
        title: 'The whole message',
        initial_comment: fullTextComment,
      }),
    ).catch(() => undefined);
  };
  const post = async (channel: string, body: MessageBody, threadTs?: string): Promise<string> => {
    const { res, complete } = await fitted('chat.postMessage', body, (b) =>
      web.chat.postMessage({
        channel,
        thread_ts: threadTs,
        text: b.text,
        blocks: b.blocks,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    const ts = String(res.ts);
    // A DM is posted to a user id; the file goes to the channel Slack answered with (D…).
    const where = typeof res.channel === 'string' ? res.channel : channel;
    if (body.whole || !complete) await attachWhole(where, threadTs ?? ts, body.whole ?? messageAsText(body));
    return ts;
  };
  return {
    post,
    dm: (user, body) => post(user, body),
    async update(channel, ts, body) {
      await fitted('chat.update', body, (b) => web.chat.update({ channel, ts, text: b.text, blocks: b.blocks }));
    },
    async ephemeral(channel, user, body) {
      await fitted('chat.postEphemeral', body, (b) =>
        web.chat.postEphemeral({ channel, user, text: b.text, blocks: b.blocks }),
      );
    },
    async upload(channel, u, body) {
      await call('files.uploadV2', () =>
        web.files.uploadV2({
          channel_id: channel,
          file: u.file,
          filename: u.filename,
          title: u.title,
          alt_text: u.altText,
          blocks: fitMessage(body).blocks,
        }),
      );
    },
    async userGroupMembers(group) {
      const res = await call('usergroups.users.list', () => web.usergroups.users.list({ usergroup: group }));
      return res.users ?? [];
    },
    async openView(triggerId, view) {
      await call('views.open', () => web.views.open({ trigger_id: triggerId, view }));
    },
    async publishHome(user, view) {
      const blocks = fitMessage({ text: '', blocks: view.blocks as MessageBody['blocks'] }, { surface: 'view' }).blocks;
      await call('views.publish', () => web.views.publish({ user_id: user, view: { ...view, blocks } }));
    },
  };
}
