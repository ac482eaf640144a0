import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';

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
}): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
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
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '0.0.0.0', resolve));
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
