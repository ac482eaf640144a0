import type { App } from '@slack/bolt';
import type { Worker } from 'bullmq';
import { createClientSet, type ClientSet } from './checks/clients.js';
import type { Registry } from './checks/registry.js';
import type { Config, Env } from './config.js';
import { ConfigError, errorMessage } from './errors.js';
import type { FetchLike } from './http.js';
import type { Logger } from './log.js';
import { createQueues, type Queues } from './queues.js';
import type { RedisClient } from './redis/connection.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { startOpsServer, type ReadinessProbe } from './ops/server.js';
import type { CommandDefinition } from './slack/command.js';
import { createSlackDoor } from './slack/slack-door.js';
import type { Workers } from './diagnosis/diagnosis-workers.js';
import { type Lifecycle, startLifecycle } from './worker/lifecycle.js';
import { checkRedisDurability, openRuntimeRedis, redisAnswers } from './runtime-redis.js';
import { type BotRole, startBotRole, startWorkerRole, type WorkerRole } from './runtime-roles.js';
import type { ScheduledJobDefinition } from './worker/scheduled-worker.js';
import { createApprovals } from './approvals/approvals.js';
import { createFindingStore } from './findings/store.js';
import { createAlerts } from './alerts/alerts.js';
import { createAlertMetrics } from './alerts/metrics.js';
import { createAckGate } from './slack/ack-gate.js';

export type Mode = 'start' | 'bot' | 'worker';

export interface RuntimeOptions {
  mode: Mode;
  config: Config;
  env: Env;
  registry: Registry;
  commands: readonly CommandDefinition[];
  log: Logger;
  now?: () => Date;
  fetch?: FetchLike;
  /** Scheduled jobs beyond watches: the digest (jobs/digest.ts). */
  scheduledJobs?: readonly ScheduledJobDefinition[];
}

export interface Runtime {
  app?: App;
  workers?: Workers;
  remediationWorker?: Worker;
  queues: Queues;
  redis: RedisClient;
  /** The key prefix in use (hash-tagged on a Redis Cluster). */
  prefix: string;
  clients: ClientSet;
  metrics: Metrics;
  /** Port of the ops endpoints when OPS_PORT is set. */
  opsPort?: number;
  /** Port of the alert hooks' server in Socket Mode (PORT, or the one chosen for PORT 0). */
  hooksPort?: number;
  close(): Promise<void>;
}

/** Builds and starts the bot, the workers, or both, on one Redis. */
export async function startRuntime(o: RuntimeOptions): Promise<Runtime> {
  const log = o.log.child({ mode: o.mode });
  const now = o.now ?? (() => new Date());
  if (!o.env.SLACK_BOT_TOKEN)
    throw new ConfigError(['env SLACK_BOT_TOKEN: required by start, bot and worker (they post to Slack)']);
  // Bot and workers in one process: a job starts only once the bot's pending acks went out (AckGate).
  const acks = o.mode === 'start' ? createAckGate() : undefined;
  const opened = openRuntimeRedis(o.env, o.mode !== 'bot', log);
  const connections = acks ? { ...opened, workerSettings: { ...opened.workerSettings, beforeJob: acks.idle } } : opened;
  const { redis, settings } = connections;
  const queues = createQueues(settings);
  queues.onError((err) => log.warn({ err: errorMessage(err) }, 'queue connection error'));
  const clients = createClientSet(o.config, { log, fetch: o.fetch });
  let connection: { readonly up: boolean } | undefined;
  const metrics = createMetrics({
    queues,
    redis,
    slackConnected: o.mode === 'worker' ? undefined : () => connection?.up ?? false,
    openFindings: async () =>
      (await createFindingStore(redis, settings.prefix).list())
        .filter((r) => r.status === 'open')
        .map((r) => ({ severity: r.finding.severity, target: r.finding.target })),
  });
  const slack = createSlackDoor({ token: o.env.SLACK_BOT_TOKEN, apiUrl: o.env.SLACK_API_URL, metrics });
  const alertMetrics = createAlertMetrics(metrics.registry);
  const alerts = createAlerts({ ...o, token: o.env.HARBOR_PILOT_HOOK_TOKEN, queues, metrics: alertMetrics, log, now });
  let ops: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  let lifecycle: Lifecycle | undefined;
  let workerRole: WorkerRole | undefined;
  let bot: BotRole | undefined;
  const close = async () => {
    // Stop taking new commands, let active jobs finish (BullMQ hands back what it cannot), then Redis.
    await bot?.close();
    await Promise.all([workerRole?.close(), lifecycle?.close()]);
    await queues.close();
    await ops?.close();
    await connections.close();
  };
  try {
    // The ops endpoints come up first: alive (/healthz) while Redis or Slack are still out of reach,
    // and not ready (/readyz says which) until both answer, so Kubernetes waits instead of restarting.
    const probes: ReadinessProbe[] = [{ name: 'redis', check: () => redisAnswers(redis) }];
    if (o.mode !== 'worker') probes.push({ name: 'slack', check: async () => connection?.up ?? false });
    // Socket Mode needs no Slack port, but the alert hooks (and ops endpoints) still listen on PORT.
    const hooksOnOps = !!o.env.SLACK_APP_TOKEN && o.mode !== 'worker' && o.env.OPS_PORT === o.env.PORT;
    const posts = hooksOnOps ? alerts.routes : undefined;
    if (o.env.OPS_PORT !== undefined) ops = await startOpsServer({ port: o.env.OPS_PORT, metrics, probes, log, posts });
    await checkRedisDurability(redis, log);

    const approvalsOptions = { ...o, clients, redis, prefix: settings.prefix, slack, log, now, metrics };
    const approvals = createApprovals({ ...approvalsOptions, queue: queues.remediations });
    const remediationBlocks = approvals.remediationBlocks;
    const ctx = { config: o.config, registry: o.registry, clients, slack, log, now, metrics, remediationBlocks };
    const withWorkers = o.mode !== 'bot';
    const scheduledJobs = o.scheduledJobs ?? [];
    const settingsOfWorkers = connections.workerSettings;
    lifecycle = await startLifecycle({
      runWorkers: withWorkers,
      ctx,
      queues,
      settings: settingsOfWorkers,
      scheduledJobs,
    });
    const { publisher } = lifecycle;
    if (withWorkers) workerRole = await startWorkerRole(ctx, { connections, publisher, approvals, alerts });
    if (o.mode !== 'worker') {
      const linked = (c: { readonly up: boolean }) => {
        connection = c;
      };
      const role = {
        log,
        now,
        connections,
        queues,
        metrics,
        probes,
        approvals,
        alerts,
        hooksOnOps,
        linked,
        slack,
        acks,
      };
      bot = await startBotRole(o, role);
    }
  } catch (err) {
    // Nothing half-started may keep the process alive (an open ops port would even look healthy).
    await close().catch(() => {});
    throw err;
  }
  log.info({ checks: o.registry.checks.size }, 'harbor-pilot started');
  return {
    app: bot?.app,
    workers: workerRole?.workers,
    remediationWorker: workerRole?.remediationWorker,
    queues,
    redis,
    prefix: settings.prefix,
    clients,
    metrics,
    opsPort: ops?.port,
    hooksPort: bot?.hooks?.port,
    async close() {
      await close();
      log.info('harbor-pilot stopped');
    },
  };
}
