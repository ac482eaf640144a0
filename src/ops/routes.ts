import type { App, CustomRoute } from '@slack/bolt';
import type { Metrics } from './metrics.js';
import { readiness, type ReadinessProbe } from './server.js';

/** The ops endpoints as Bolt custom routes, served on PORT beside /slack/events in HTTP mode. */
export function opsRoutes(metrics: Metrics, probes: ReadinessProbe[]): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void readiness(probes).then((r) => res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.text));
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        void metrics.registry
          .metrics()
          .then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
      },
    },
  ];
}

/**
 * Whether the bot can hear Slack: the Socket Mode connection said hello and has not dropped since,
 * or the HTTP receiver listens. A dropped connection makes the client wait, then emit
 * `reconnecting` (never `disconnected` while it retries): not ready until the next hello.
 */
export function slackConnection(app: App, socketMode: boolean): { readonly up: boolean; started(): void } {
  let up = false;
  if (socketMode) {
    const client = (app as unknown as { receiver?: { client?: NodeJS.EventEmitter } }).receiver?.client;
    if (!client) throw new Error('the Bolt app in Socket Mode has no Socket Mode client to watch');
    client.on('connected', () => {
      up = true;
    });
    for (const state of ['close', 'connecting', 'reconnecting', 'disconnecting', 'disconnected']) {
      client.on(state, () => {
        up = false;
      });
    }
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
