import type { App, CustomRoute } from '@slack/bolt';
import type { Metrics } from './metrics.js';
import type { ReadinessProbe } from './server.js';

/** The ops endpoints as Bolt custom routes, served on PORT beside /slack/events in HTTP mode. */
export function opsRoutes(metrics: Metrics, probes: ReadinessProbe[]): CustomRoute[] {
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n') },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void Promise.all(probes.map(async (p) => ((await p.check().catch(() => false)) ? null : p.name))).then((failing) => {
          const bad = failing.filter(Boolean);
          res.writeHead(bad.length === 0 ? 200 : 503, { 'content-type': 'text/plain' }).end(bad.length === 0 ? 'ready\n' : `not ready: ${bad.join(', ')}\n`);
        });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        void metrics.registry.metrics().then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
      },
    },
  ];
}

/** Whether the bot can hear Slack: the Socket Mode connection is open, or the HTTP receiver listens. */
export function slackConnection(app: App, socketMode: boolean): { readonly up: boolean; started(): void } {
  let up = false;
  if (socketMode) {
    const client = (app as unknown as { receiver?: { client?: NodeJS.EventEmitter } }).receiver?.client;
    client?.on('connected', () => {
      up = true;
    });
    client?.on('disconnected', () => {
      up = false;
    });
  }
  return {
    get up() {
      return up;
    },
    started() {
      if (!socketMode) up = true;
    },
  };
}
