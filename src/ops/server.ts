import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';

/** A POST endpoint served beside the ops endpoints (the alert hooks on PORT in Socket Mode). */
export interface PostRoute {
  path: string;
  handler(req: IncomingMessage, res: ServerResponse): void;
}

export interface ReadinessProbe {
  name: string;
  /** True when ready; false, or an error whose message says why, when not. */
  check(): Promise<boolean>;
}

/** A probe that has not answered within this is "not ready": /readyz itself must never hang. */
const probeTimeoutMs = 1_000;

async function verdict(p: ReadinessProbe): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${probeTimeoutMs} ms`)), probeTimeoutMs);
  });
  try {
    return (await Promise.race([p.check(), late])) ? null : p.name;
  } catch (err) {
    return `${p.name} (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    clearTimeout(timer);
  }
}

/** `/readyz`: 200 `ready`, or 503 `not ready: redis (no answer within 1000 ms), slack`. */
export async function readiness(probes: ReadinessProbe[]): Promise<{ status: number; text: string }> {
  const failing = (await Promise.all(probes.map(verdict))).filter((v): v is string => v !== null);
  return failing.length === 0
    ? { status: 200, text: 'ready\n' }
    : { status: 503, text: `not ready: ${failing.join(', ')}\n` };
}

/**
 * `/healthz` (the process is alive), `/readyz` (every probe passes: Redis answers, Slack is
 * connected) and `/metrics` (Prometheus), on their own port so Socket Mode and workers have them too.
 */
export async function startOpsServer(options: {
  port: number;
  host?: string;
  metrics: Metrics;
  probes: ReadinessProbe[];
  log: Logger;
  posts?: PostRoute[];
}): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const post = req.method === 'POST' ? options.posts?.find((r) => r.path === req.url?.split('?')[0]) : undefined;
    if (post) return post.handler(req, res);
    void (async () => {
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (req.url === '/readyz') {
        const r = await readiness(options.probes);
        res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.text);
      } else if (req.url === '/metrics') {
        res
          .writeHead(200, { 'content-type': options.metrics.registry.contentType })
          .end(await options.metrics.registry.metrics());
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    })().catch((err: unknown) => {
      options.log.warn({ err: String(err), path: req.url }, 'ops endpoint failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  options.log.info({ port }, 'ops endpoints listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
