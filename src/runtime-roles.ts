import type { App } from '@slack/bolt';
import type { Worker } from 'bullmq';
import type { createAlerts } from './alerts/alerts.js';
import type { Approvals } from './approvals/approvals.js';
import { startDiagnosisWorkers, type Workers } from './diagnosis/diagnosis-workers.js';
import type { Publisher } from './diagnosis/publisher.js';
import { errorMessage } from './errors.js';
import { loadKubernetesClient } from './kube/k8s.js';
import type { Logger } from './log.js';
import type { Metrics } from './ops/metrics.js';
import { opsRoutes, slackConnection } from './ops/routes.js';
import { type ReadinessProbe, startOpsServer } from './ops/server.js';
import type { Queues } from './queues.js';
import type { Registry } from './checks/registry.js';
import type { Config, Env } from './config.js';
import type { CommandDefinition } from './slack/command.js';
import type { RuntimeRedis } from './runtime-redis.js';
import type { AckGate } from './slack/ack-gate.js';
import { createSlackApp } from './slack/app.js';
import { registerInteractions } from './slack/interactions.js';
import { createReplayGuard } from './slack/replay-guard.js';
import type { SlackDoor } from './slack/slack-door.js';
import type { WorkerContext } from './worker/worker-context.js';

type Alerts = ReturnType<typeof createAlerts>;

/** The worker half of a process: diagnosis, remediation and alert workers. */
export interface WorkerRole {
  workers: Workers;
  remediationWorker: Worker;
  alertWorker: Worker;
  close(): Promise<void>;
}

export async function startWorkerRole(
  ctx: WorkerContext & { slack: SlackDoor },
  r: { connections: RuntimeRedis; publisher: Publisher; approvals: Approvals; alerts: Alerts },
): Promise<WorkerRole> {
  const settings = r.connections.workerSettings;
  // Workers that may check a cluster load the Kubernetes client now, not on the first check; a bot,
  // or a worker with no cluster configured, never loads it (about 80 MB of RSS).
  if (ctx.config.clusters.length > 0) await loadKubernetesClient();
  const publisher = { ...r.publisher, publish: r.alerts.observePublish(r.publisher.publish, settings) };
  const workers = startDiagnosisWorkers(settings, { ...ctx, publisher });
  const remediationWorker = r.approvals.startWorker(settings);
  const alertWorker = r.alerts.startWorker(settings, ctx.slack);
  return {
    workers,
    remediationWorker,
    alertWorker,
    async close() {
      await Promise.all([workers.close(), remediationWorker.close(), alertWorker.close()]);
    },
  };
}

/** The bot half of a process: the Bolt app, and in Socket Mode the alert hooks' server on PORT. */
export interface BotRole {
  app: App;
  hooks?: Awaited<ReturnType<typeof startOpsServer>>;
  close(): Promise<void>;
}

export async function startBotRole(
  o: { config: Config; env: Env; registry: Registry; commands: readonly CommandDefinition[] },
  r: {
    log: Logger;
    now: () => Date;
    connections: RuntimeRedis;
    queues: Queues;
    metrics: Metrics;
    probes: ReadinessProbe[];
    approvals: Approvals;
    alerts: Alerts;
    /** The alert hooks are already served by the ops server (Socket Mode, OPS_PORT = PORT). */
    hooksOnOps: boolean;
    slack: SlackDoor;
    /** Told the bot's Slack connection, which the readiness probe and the metrics read. */
    linked(connection: { readonly up: boolean }): void;
    /** In `start`: payloads waiting for their ack, which this process's workers let go first. */
    acks?: AckGate;
  },
): Promise<BotRole> {
  const { log, connections, metrics } = r;
  const app = createSlackApp({
    config: o.config,
    env: o.env,
    registry: o.registry,
    commands: o.commands,
    queues: r.queues,
    redis: connections.redis,
    prefix: connections.settings.prefix,
    log,
    now: r.now,
    customRoutes: [...opsRoutes(metrics, r.probes), ...r.alerts.routes],
    onRateLimited: (method) => metrics.slackRateLimited(method),
    slack: r.slack,
    acks: r.acks,
    middleware: [
      createReplayGuard({ redis: connections.guardRedis, prefix: connections.settings.prefix, log, slack: r.slack }),
    ],
    extend: (a) => {
      r.approvals.register(a, r.queues);
      const { redis, settings } = connections;
      const shared = { config: o.config, registry: o.registry, queues: r.queues, approvals: r.approvals };
      registerInteractions(a, { ...shared, redis, prefix: settings.prefix, log, now: r.now });
    },
  });
  const link = slackConnection(app, !!o.env.SLACK_APP_TOKEN);
  r.linked(link);
  await app.start();
  const stop = () => app.stop().catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'bot stop failed'));
  let hooks: BotRole['hooks'];
  try {
    if (o.env.SLACK_APP_TOKEN && !r.hooksOnOps)
      hooks = await startOpsServer({ port: o.env.PORT, metrics, probes: r.probes, log, posts: r.alerts.routes });
  } catch (err) {
    await stop();
    throw err;
  }
  link.started();
  log.info(
    { socketMode: !!o.env.SLACK_APP_TOKEN, port: o.env.SLACK_APP_TOKEN ? undefined : o.env.PORT },
    'slack bot started',
  );
  return {
    app,
    hooks,
    async close() {
      // Stop taking new commands first; the hooks' server closes after.
      await stop();
      await hooks?.close();
    },
  };
}
