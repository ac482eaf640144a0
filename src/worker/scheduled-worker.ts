import type { Worker } from 'bullmq';
import type * as z from 'zod';
import type { FindingServices } from '../findings/services.js';
import type { QueueJobs, QueueSettings } from '../queues.js';
import type { SlackDoor } from '../slack/slack-door.js';
import type { Publisher } from '../diagnosis/publisher.js';
import { defineJobKind, startQueueWorker, type JobKind } from './queue-worker.js';
import type { WorkerContext } from './worker-context.js';

/** What a scheduled job (a watch, a digest) may use: the worker context plus the findings lifecycle. */
export interface ScheduledContext extends WorkerContext {
  slack: SlackDoor;
  findings: FindingServices;
  publisher: Publisher;
}

type ScheduledData = z.ZodType<QueueJobs['scheduled']>;

/** A kind of job on the `scheduled` queue. Its name is the BullMQ job name its schedulers use. */
export interface ScheduledJobDefinition<S extends ScheduledData = ScheduledData> extends JobKind<S, ScheduledContext> {
  name: string;
}

export function defineScheduledJob<S extends ScheduledData>(def: ScheduledJobDefinition<S>): ScheduledJobDefinition<S> {
  return Object.freeze({ ...defineJobKind(def), name: def.name });
}

/**
 * The worker of the `scheduled` queue. However many replicas run, each job scheduler produces one
 * job per tick, and BullMQ gives it to exactly one worker.
 */
export function startScheduledWorker(
  settings: QueueSettings,
  ctx: ScheduledContext,
  jobs: readonly ScheduledJobDefinition[],
): Worker {
  return startQueueWorker('scheduled', Object.fromEntries(jobs.map((j) => [j.name, j])), {
    settings,
    ctx,
    concurrency: 2,
  });
}
