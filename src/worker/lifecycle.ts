import type { Worker } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import { createFindingServices, type FindingServices } from '../findings/services.js';
import type { Queues, QueueSettings } from '../queues.js';
import { syncSchedules } from '../schedules.js';
import type { SlackDoor } from '../slack/slack-door.js';
import type { WorkerContext } from './worker-context.js';
import { createPublisher, type Publisher, type PublisherDeps } from '../diagnosis/publisher.js';
import { startScheduledWorker, type ScheduledJobDefinition } from './scheduled-worker.js';
import { watchJob } from './watch-processor.js';

export interface LifecycleOptions {
  /** Whether this process runs workers (`start`, `worker`) or only the bot. */
  runWorkers: boolean;
  /** The workers' context; `remediationBlocks` (the approvals' plans and buttons) go under new findings. */
  ctx: WorkerContext & { slack: SlackDoor; remediationBlocks?: PublisherDeps['remediationBlocks'] };
  queues: Queues;
  /** Where workers keep their Redis work (the findings store included). */
  settings: QueueSettings & { connection: RedisClient };
  /** Scheduled job kinds beyond `watch` (the digest, from jobs/). */
  scheduledJobs: readonly ScheduledJobDefinition[];
}

export interface Lifecycle {
  findings: FindingServices;
  publisher: Publisher;
  /** The `scheduled` queue's worker, when this process runs workers. */
  worker?: Worker;
  close(): Promise<void>;
}

/**
 * The findings lifecycle of a process: the store and silences, the publisher of what checks find, the job schedulers
 * synced from the configuration (in every mode, so
 * whichever process restarts with a new configuration applies it) and the worker of the
 * `scheduled` queue (watches and digests).
 */
export async function startLifecycle(o: LifecycleOptions): Promise<Lifecycle> {
  const { ctx } = o;
  const jobs = [watchJob, ...o.scheduledJobs] as readonly ScheduledJobDefinition[];
  await syncSchedules(
    o.queues.scheduled,
    ctx.config,
    ctx.log,
    jobs.map((j) => j.name),
  );
  const findings = createFindingServices(o.settings.connection, o.settings.prefix, ctx.now);
  const publisher = createPublisher({
    store: findings.store,
    silences: findings.silences,
    slack: ctx.slack,
    log: ctx.log,
    now: ctx.now,
    remediationBlocks: ctx.remediationBlocks,
  });
  const worker = o.runWorkers ? startScheduledWorker(o.settings, { ...ctx, findings, publisher }, jobs) : undefined;
  return {
    findings,
    publisher,
    worker,
    async close() {
      await worker?.close();
    },
  };
}
