import type { CustomRoute } from '@slack/bolt';
import type { Queue, Worker } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import type { CheckRun } from '../checks/runner.js';
import type { Registry } from '../checks/registry.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { PostRoute } from '../ops/server.js';
import type { CheckJob } from '../diagnosis/diagnosis-jobs.js';
import type { Queues, QueueSettings } from '../queues.js';
import type { SlackThread } from '../slack/slack-thread.js';
import type { SlackDoor } from '../slack/slack-door.js';
import { createIncidentStore } from './incident-store.js';
import type { AlertMetrics } from './metrics.js';
import { createHookHandler } from './receiver.js';
import { startAlertWorker } from './worker.js';

export interface AlertsOptions {
  config: Config;
  registry: Registry;
  token: string | undefined;
  queues: Pick<Queues, 'checks' | 'alerts'>;
  metrics: AlertMetrics;
  log: Logger;
  now(): Date;
}

type Publish = (run: CheckRun, thread: SlackThread, job: CheckJob) => Promise<void>;

/** Alerts in: the hooks on PORT (bot side) and the incident worker (worker side). */
export function createAlerts(o: AlertsOptions) {
  const log = o.log.child({ component: 'alerts' });
  const hookDeps = {
    token: o.token,
    config: o.config,
    registry: o.registry,
    queue: o.queues.alerts as Pick<Queue, 'add'>,
    metrics: o.metrics,
    log,
    now: o.now,
  };
  const handlers = {
    alertmanager: createHookHandler('alertmanager', hookDeps),
    harbor: createHookHandler('harbor', hookDeps),
  };
  const routes = [
    { path: '/hooks/alertmanager', method: ['POST'], handler: handlers.alertmanager },
    { path: '/hooks/harbor', method: ['POST'], handler: handlers.harbor },
  ] satisfies (CustomRoute & PostRoute)[];
  if (!o.token) log.info('HARBOR_PILOT_HOOK_TOKEN is not set: the alert hooks answer 404');
  else if (!o.config.alerts?.channel && !o.config.alerts?.routes.some((r) => r.channel))
    log.warn('alerts.channel is not set: alerts are accepted and ignored');
  return {
    routes,
    /** Starts the incident worker on the workers' Redis. */
    startWorker(settings: QueueSettings & { connection: RedisClient }, slack: SlackDoor): Worker {
      const store = createIncidentStore(settings.connection, settings.prefix);
      const cooldownMs = (o.config.alerts?.cooldownMinutes ?? 10) * 60_000;
      return startAlertWorker(settings, {
        store,
        slack,
        queues: o.queues,
        metrics: o.metrics,
        log,
        now: o.now,
        cooldownMs,
      });
    },
    /** Wraps the findings publisher: the first finding posted in an incident thread is timed from its alert. */
    observePublish(publish: Publish, settings: QueueSettings & { connection: RedisClient }): Publish {
      const store = createIncidentStore(settings.connection, settings.prefix);
      return async (run, thread, job) => {
        await publish(run, thread, job);
        if (run.findings.length === 0) return;
        const incident = await store.threadIncident(thread.threadTs);
        if (incident && (await store.firstFinding(incident.id)))
          o.metrics.firstFinding(Math.max(0, o.now().getTime() - incident.receivedAt) / 1000);
      };
    },
  };
}
export type Alerts = ReturnType<typeof createAlerts>;
