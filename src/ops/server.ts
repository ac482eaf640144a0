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
  check(): Promise<boolean>;
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
        const results = await Promise.all(
          options.probes.map(async (p) => [p.name, await p.check().catch(() => false)] as const),
        );
        const failing = results.filter(([, ok]) => !ok).map(([n]) => n);
        res
          .writeHead(failing.length === 0 ? 200 : 503, { 'content-type': 'text/plain' })
          .end(failing.length === 0 ? 'ready\n' : `not ready: ${failing.join(', ')}\n`);
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
