import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type * as z from 'zod';
import { UserInputError, errorMessage } from '../errors.js';
import type { FindingServices } from '../findings/services.js';
import { queueNames, type QueueSettings } from '../queues.js';
import type { Reporter } from '../slack/reporter.js';
import type { WebClient } from '../slack/web.js';
import type { WorkerContext } from '../diagnosis/check-job.js';
import type { Publisher } from '../diagnosis/publisher.js';

/** What a scheduled job (a watch, a digest) may use: the worker context plus the findings lifecycle. */
export interface ScheduledContext extends WorkerContext {
  reporter: Reporter;
  findings: FindingServices;
  publisher: Publisher;
  web: WebClient;
}

/** A kind of job on the `scheduled` queue. Its name is the BullMQ job name its schedulers use. */
export interface ScheduledJobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  data: S;
  process(data: z.infer<S>, ctx: ScheduledContext): Promise<unknown>;
}

export function defineScheduledJob<S extends z.ZodType>(def: ScheduledJobDefinition<S>): ScheduledJobDefinition<S> {
  return Object.freeze(def);
}

/**
 * The worker of the `scheduled` queue: dispatches on the job name. However many replicas run, each
 * job scheduler produces one job per tick, and BullMQ gives it to exactly one worker.
 */
export function startScheduledWorker(
  settings: QueueSettings,
  ctx: ScheduledContext,
  jobs: readonly ScheduledJobDefinition[],
): Worker {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const worker = new Worker(
    queueNames.scheduled,
    async (job: Job) => {
      const log = ctx.log.child({ queue: queueNames.scheduled, jobId: job.id, attempt: job.attemptsMade + 1 });
      const def = byName.get(job.name);
      if (!def)
        throw new UnrecoverableError(`no scheduled job named "${job.name}"; known: ${[...byName.keys()].join(', ')}`);
      const data = def.data.safeParse(job.data);
      if (!data.success)
        throw new UnrecoverableError(`bad ${job.name} job data: ${data.error.issues[0]?.message ?? 'invalid'}`);
      try {
        return await def.process(data.data, { ...ctx, log });
      } catch (err) {
        if (err instanceof UserInputError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    { connection: settings.connection, prefix: settings.prefix, concurrency: 2 },
  );
  worker.on('failed', (job, err) =>
    ctx.log.warn(
      { queue: worker.name, jobId: job?.id, attempt: job?.attemptsMade, err: errorMessage(err) },
      'job failed',
    ),
  );
  worker.on('error', (err) => ctx.log.error({ queue: worker.name, err: errorMessage(err) }, 'worker error'));
  return worker;
}
