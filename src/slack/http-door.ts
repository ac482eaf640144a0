import type { IncomingMessage, RequestListener, Server, ServerOptions, ServerResponse } from 'node:http';
import { type CustomRoute, HTTPReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../log.js';

/** The limits of the HTTP front door: the Slack endpoint is sized to what Slack sends. */
export const doorLimits = {
  /**
   * A slash command is about 1 KB; a click carries the message its button is in, which Block Kit
   * caps (50 blocks) and our messages keep well under; form-encoded, tens of KB at most.
   */
  slackBodyBytes: 64 * 1024,
  /** Slack gives up after 3 s: a body still arriving later is not Slack's. */
  slackBodyMs: 3_000,
  /**
   * Slack requests being read at once. When all are taken, a new one takes the slot of the read that
   * has gone on longest, if that one is older than `slackEvictAfterMs` (Slack's bodies arrive at
   * once: a read that old is trickling); else the new one is refused (503) before reading.
   */
  slackConcurrentReads: 64,
  slackEvictAfterMs: 500,
  /** Signed timestamps further than this from the bot's clock are refused: replays, skewed clocks. */
  slackSkewSeconds: 300,
  /** Every route (hooks too): headers within 5 s, the whole request within 10 s. */
  headersMs: 5_000,
  requestMs: 10_000,
  keepAliveMs: 5_000,
} as const;

type Refusal = { status: number; why: string };

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** What can be judged from the headers alone, before one byte of the body is read. */
export function precheck(req: IncomingMessage, nowSeconds: number): Refusal | undefined {
  const ts = header(req, 'x-slack-request-timestamp');
  if (!header(req, 'x-slack-signature') || !ts) return { status: 401, why: 'no Slack signature headers' };
  if (!/^\d{1,12}$/.test(ts) || Math.abs(nowSeconds - Number(ts)) > doorLimits.slackSkewSeconds) {
    return { status: 401, why: 'timestamp outside ±5 minutes' };
  }
  const length = Number(header(req, 'content-length') ?? 0);
  if (length > doorLimits.slackBodyBytes) return { status: 413, why: 'body larger than a Slack payload' };
  return undefined;
}

function refuse(res: ServerResponse, r: Refusal): void {
  res.writeHead(r.status, { connection: 'close', ...(r.status === 503 ? { 'retry-after': '1' } : {}) }).end();
}

/**
 * Wraps Bolt's request listener: Slack requests without signature headers, with a timestamp out of
 * window, or declaring a body too large are refused before reading; at most a bounded number are
 * read at once, and a body that has not arrived within Slack's own deadline is cut off. When every
 * read slot is taken, the longest-running read (if older than slackEvictAfterMs) is cut to make room,
 * so connections that trickle their bodies cannot keep Slack out by holding the slots.
 */
export function gateSlackRequests(
  inner: RequestListener,
  o: { path: string; log: Logger; now?: () => number },
): RequestListener {
  /** The reads in progress, oldest first (a Set keeps insertion order). */
  const reads = new Set<{ started: number; cut(): void }>();
  const now = o.now ?? Date.now;
  const makeRoom = (): boolean => {
    if (reads.size < doorLimits.slackConcurrentReads) return true;
    const oldest = reads.values().next().value;
    if (!oldest || now() - oldest.started < doorLimits.slackEvictAfterMs) return false;
    o.log.warn({ ms: now() - oldest.started }, 'slack request body still arriving; cut to make room');
    oldest.cut();
    return true;
  };
  return (req, res) => {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== o.path) return inner(req, res);
    const refusal =
      precheck(req, Math.floor(now() / 1000)) ??
      (makeRoom() ? undefined : { status: 503, why: 'too many requests being read' });
    if (refusal) {
      o.log.warn({ status: refusal.status, why: refusal.why }, 'slack request refused at the door');
      return refuse(res, refusal);
    }
    const read = {
      started: now(),
      cut() {
        release();
        req.socket.destroy();
      },
    };
    reads.add(read);
    const release = () => {
      reads.delete(read);
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      o.log.warn({ ms: doorLimits.slackBodyMs }, 'slack request body too slow; connection cut');
      read.cut();
    }, doorLimits.slackBodyMs);
    req.once('end', release).once('close', release);
    inner(req, res);
  };
}

export const serverLimits: ServerOptions = {
  headersTimeout: doorLimits.headersMs,
  requestTimeout: doorLimits.requestMs,
  keepAliveTimeout: doorLimits.keepAliveMs,
  connectionsCheckingInterval: 1_000,
};

/**
 * Bolt's HTTP receiver (POST /slack/events and the custom routes) behind the door: Slack-sized
 * body limit, signature headers and timestamp window checked before reading, server timeouts.
 */
export function createHttpDoor(o: {
  signingSecret: string;
  port: number;
  customRoutes?: CustomRoute[];
  logger: BoltLogger;
  log: Logger;
}): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret: o.signingSecret,
    port: o.port,
    customRoutes: o.customRoutes,
    logger: o.logger,
    bodyLimit: doorLimits.slackBodyBytes,
  });
  receiver.requestListener = gateSlackRequests(receiver.requestListener, { path: '/slack/events', log: o.log });
  const start = receiver.start.bind(receiver) as (port: number, options: ServerOptions) => Promise<Server>;
  // Bolt starts its receiver without server options: the door's timeouts go in here.
  Object.assign(receiver, { start: () => start(o.port, serverLimits) });
  return receiver;
}
