import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Queue } from 'bullmq';
import type { Registry } from '../checks/registry.js';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { AlertMetrics } from './metrics.js';
import {
  groupAlerts,
  notificationId,
  parseNotification,
  type HookSource,
  type NotificationJob,
} from './notification.js';

/** Largest body a hook reads (CONTRACT.md: 413 above). */
export const maxHookBody = 1024 * 1024;
/** A hook answers within this even when Redis is slow: Harbor waits 3 s. */
const enqueueTimeoutMs = 2000;

export interface HookDeps {
  /** HARBOR_PILOT_HOOK_TOKEN; unset: the hooks answer 404. */
  token: string | undefined;
  config: Config;
  registry: Registry;
  queue: Pick<Queue, 'add'>;
  metrics: AlertMetrics;
  log: Logger;
  now(): Date;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time comparison of `Authorization: Bearer <token>` (hashes have equal lengths). */
export function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token)) && !!m;
}

function answer(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}

/** The body, or undefined once it passes `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.pause();
        resolve(undefined);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not queued within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The request listener of `POST /hooks/<source>`. */
export function createHookHandler(
  source: HookSource,
  deps: HookDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const reject = (res: ServerResponse, status: number, reason: string, text: string) => {
    deps.metrics.rejected(source, reason);
    res.setHeader('connection', 'close');
    answer(res, status, text);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!deps.token) return answer(res, 404, 'not found');
    if (!authorized(req.headers.authorization, deps.token))
      return reject(res, 401, 'unauthorized', 'missing or wrong bearer token');
    if (Number(req.headers['content-length'] ?? 0) > maxHookBody)
      return reject(res, 413, 'too_large', 'body over 1 MiB');
    const body = await readBody(req, maxHookBody);
    if (!body) return reject(res, 413, 'too_large', 'body over 1 MiB');
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return reject(res, 400, 'bad_json', 'body is not JSON');
    }
    const parsed = parseNotification(source, json);
    if (!parsed.ok) return reject(res, 400, 'bad_payload', parsed.reason);
    deps.metrics.received(source, parsed.alerts.length);
    const { groups, unrouted } = groupAlerts(deps.config, deps.registry, parsed.alerts, parsed.host);
    if (unrouted > 0) deps.metrics.unrouted(source, unrouted);
    if (groups.length === 0) return answer(res, 202, 'accepted; nothing to do');
    const job: NotificationJob = { source, receivedAt: deps.now().getTime(), groups };
    const jobId = notificationId(source, groups);
    try {
      await withTimeout(
        deps.queue.add('notification', job, {
          jobId,
          attempts: 8,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 24 * 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        }),
        enqueueTimeoutMs,
      );
    } catch (err) {
      deps.log.warn({ source, err: errorMessage(err) }, 'alert notification not queued');
      return reject(res, 503, 'unavailable', 'cannot queue the notification now; retry');
    }
    deps.log.info(
      { source, jobId, alerts: parsed.alerts.length, targets: groups.map((g) => g.target) },
      'alert notification queued',
    );
    answer(res, 202, 'accepted');
  };
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      deps.log.warn({ source, err: errorMessage(err) }, 'alert hook failed');
      answer(res, 500, 'internal error');
    });
  };
}
