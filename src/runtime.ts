import type { App } from '@slack/bolt';
import type { Worker } from 'bullmq';
import { createClientSet, type ClientSet } from './checks/clients.js';
import { loadKubernetesClient } from './kube/k8s.js';
import type { Registry } from './checks/registry.js';
import type { Config, Env } from './config.js';
import { ConfigError, errorMessage } from './errors.js';
import type { FetchLike } from './http.js';
import type { Logger } from './log.js';
import { createQueues, type Queues } from './queues.js';
import { createRedisFactory, type RedisClient } from './redis/connection.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { startOpsServer, type ReadinessProbe } from './ops/server.js';
import { opsRoutes, slackConnection } from './ops/routes.js';
import { createSlackApp } from './slack/app.js';
import { registerInteractions } from './slack/interactions.js';
import { createReplayGuard } from './slack/replay-guard.js';
import type { CommandDefinition } from './slack/command.js';
import { createSlackDoor } from './slack/slack-door.js';
import { startDiagnosisWorkers, type Workers } from './diagnosis/diagnosis-workers.js';
import { startLifecycle } from './worker/lifecycle.js';
import type { ScheduledJobDefinition } from './worker/scheduled-worker.js';
import { createApprovals } from './approvals/approvals.js';
import { createFindingStore } from './findings/store.js';
import { createAlerts } from './alerts/alerts.js';
import { createAlertMetrics } from './alerts/metrics.js';

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

/** Warns when Redis would drop or lose queued jobs (eviction on, or no persistence). */
export async function checkRedisDurability(redis: RedisClient, log: Logger): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
    const [, save] = (await redis.config('GET', 'save')) as string[];
    if (policy !== 'noeviction')
      warnings.push(`maxmemory-policy is "${policy}": Redis may evict queued jobs; set it to noeviction`);
    if (aof !== 'yes' && !save)
      warnings.push(
        'persistence is off (appendonly no, no save points): a Redis restart loses queued jobs and pending approvals',
      );
  } catch (err) {
    warnings.push(
      `could not read the Redis configuration (${errorMessage(err)}); make sure maxmemory-policy is noeviction ` +
        `and persistence is on`,
    );
  }
  for (const w of warnings) log.warn({ redis: 'durability' }, w);
  return warnings;
}

/** Redis' readiness, or why not: the connection's state, or a PING left unanswered (see ops/server.ts). */
async function redisAnswers(redis: RedisClient): Promise<boolean> {
  if (redis.status !== 'ready') throw new Error(`connection ${redis.status}`);
  return (await redis.ping()) === 'PONG';
}

/** Builds and starts the bot, the workers, or both, on one Redis connection. */
export async function startRuntime(o: RuntimeOptions): Promise<Runtime> {
  const log = o.log.child({ mode: o.mode });
  const now = o.now ?? (() => new Date());
  if (!o.env.SLACK_BOT_TOKEN)
    throw new ConfigError(['env SLACK_BOT_TOKEN: required by start, bot and worker (they post to Slack)']);
  // One factory builds every connection: same topology, credentials, TLS and retry policy.
  const factory = createRedisFactory(o.env, log);
  log.info({ topology: factory.topology.kind }, `redis: ${factory.describe()}`);
  const redis = factory.connect('harbor-pilot');
  const settings = { connection: redis, prefix: factory.prefix };
  // Workers get their own connection: their Lua calls must not delay the bot's acks (head-of-line).
  const workerRedis = o.mode === 'bot' ? undefined : factory.connect('harbor-pilot-worker');
  const workerSettings = { connection: workerRedis ?? redis, prefix: settings.prefix };
  // The replay guard sits on the ack path: a connection of its own keeps queue traffic out of its way.
  // No offline queue: while Redis is down the guard hears so at once and the person is told, instead
  // of their request waiting in the client and running unannounced when Redis returns.
  const guardRedis = factory.connect('harbor-pilot-guard', { failWhenDown: true });
  const queues = createQueues(settings);
  for (const q of [
    queues.checks,
    queues.diagnoses,
    queues.remediations,
    queues.scheduled,
    queues.alerts,
    queues.flow,
  ]) {
    (q as unknown as NodeJS.EventEmitter).on('error', (err: Error) =>
      log.warn({ err: errorMessage(err) }, 'queue connection error'),
    );
  }
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
  const alerts = createAlerts({
    config: o.config,
    registry: o.registry,
    token: o.env.HARBOR_PILOT_HOOK_TOKEN,
    queues,
    metrics: createAlertMetrics(metrics.registry),
    log,
    now,
  });
  let ops: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  let hooks: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  let alertWorker: Worker | undefined;
  let lifecycle: Awaited<ReturnType<typeof startLifecycle>> | undefined;
  let workers: Workers | undefined;
  let remediationWorker: Worker | undefined;
  let app: App | undefined;
  const close = async () => {
    // Stop taking new commands, let active jobs finish (BullMQ hands back what it cannot), then Redis.
    await app?.stop().catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'bot stop failed'));
    await hooks?.close();
    await Promise.all([workers?.close(), remediationWorker?.close(), alertWorker?.close(), lifecycle?.close()]);
    await queues.close();
    await ops?.close();
    await workerRedis?.quit().catch(() => workerRedis.disconnect());
    await guardRedis.quit().catch(() => guardRedis.disconnect());
    await redis.quit().catch(() => redis.disconnect());
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

    const approvals = createApprovals({
      config: o.config,
      registry: o.registry,
      clients,
      redis,
      prefix: settings.prefix,
      slack,
      log,
      now,
      metrics,
      queue: queues.remediations,
    });
    const workerCtx = {
      config: o.config,
      registry: o.registry,
      clients,
      slack,
      log,
      now,
      metrics,
      remediationBlocks: approvals.remediationBlocks,
    };
    const started = await startLifecycle({
      runWorkers: o.mode !== 'bot',
      ctx: workerCtx,
      queues,
      settings: workerSettings,
      scheduledJobs: o.scheduledJobs ?? [],
    });
    lifecycle = started;
    if (o.mode !== 'bot') {
      // Workers that may check a cluster load the Kubernetes client now, not on the first check; a bot,
      // or a worker with no cluster configured, never loads it (about 80 MB of RSS).
      if (o.config.clusters.length > 0) await loadKubernetesClient();
      const publisher = {
        ...started.publisher,
        publish: alerts.observePublish(started.publisher.publish, workerSettings),
      };
      workers = startDiagnosisWorkers(workerSettings, { ...workerCtx, publisher });
      remediationWorker = approvals.startWorker(workerSettings);
      alertWorker = alerts.startWorker(workerSettings, slack);
    }
    if (o.mode !== 'worker') {
      const bot = createSlackApp({
        config: o.config,
        env: o.env,
        registry: o.registry,
        commands: o.commands,
        queues,
        redis,
        prefix: settings.prefix,
        log,
        now,
        customRoutes: [...opsRoutes(metrics, probes), ...alerts.routes],
        onRateLimited: (method) => metrics.slackRateLimited(method),
        slack,
        middleware: [createReplayGuard({ redis: guardRedis, prefix: settings.prefix, log, slack })],
        extend: (a) => {
          approvals.register(a, queues);
          registerInteractions(a, {
            config: o.config,
            registry: o.registry,
            queues,
            redis,
            prefix: settings.prefix,
            approvals,
            log,
            now,
          });
        },
      });
      const link = slackConnection(bot, !!o.env.SLACK_APP_TOKEN);
      connection = link;
      await bot.start();
      app = bot;
      if (o.env.SLACK_APP_TOKEN && !hooksOnOps)
        hooks = await startOpsServer({ port: o.env.PORT, metrics, probes, log, posts: alerts.routes });
      link.started();
      log.info(
        { socketMode: !!o.env.SLACK_APP_TOKEN, port: o.env.SLACK_APP_TOKEN ? undefined : o.env.PORT },
        'slack bot started',
      );
    }
  } catch (err) {
    // Nothing half-started may keep the process alive (an open ops port would even look healthy).
    await close().catch(() => {});
    throw err;
  }
  log.info({ checks: o.registry.checks.size }, 'harbor-pilot started');
  return {
    app,
    workers,
    remediationWorker,
    queues,
    redis,
    prefix: settings.prefix,
    clients,
    metrics,
    opsPort: ops?.port,
    hooksPort: hooks?.port,
    async close() {
      await close();
      log.info('harbor-pilot stopped');
    },
  };
}
