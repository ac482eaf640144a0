import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type * as z from 'zod';
import { errorMessage, UserInputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../ops/metrics.js';
import type { QueueJobs, QueueName, QueueSettings } from '../queues.js';

/** What the builder gives every processor beside its own context: the job's logger and handle. */
export interface JobContext {
  /** A child logger with `{ queue, jobId, attempt }`. */
  log: Logger;
  job: {
    id: string;
    name: string;
    /** 1 on the first run. */
    attempt: number;
    maxAttempts: number;
    /** Replaces the job's stored data, so a retry starts from what this attempt already did. */
    updateData(data: unknown): Promise<void>;
    /** A flow parent's children: their return values, and how many failed for good. */
    children(): Promise<{ values: unknown[]; failed: number }>;
  };
}

/**
 * One kind of job on a queue: the schema its data must pass, and a plain function of (data, ctx),
 * like BullMQ's `Processor` without the job. `waits` records how long its jobs waited in the queue
 * (not for delayed or parent jobs, whose wait is by design).
 */
export interface JobKind<S extends z.ZodType, C> {
  data: S;
  process(data: z.output<S>, ctx: C & JobContext): Promise<unknown>;
  waits?: boolean;
}

/** Declares a job kind (typed: `process` gets what `data` parses to). */
export function defineJobKind<S extends z.ZodType, C>(kind: JobKind<S, C>): JobKind<S, C> {
  return Object.freeze(kind);
}

/**
 * The kinds a queue's worker runs, by BullMQ job name; each kind's data must be one of the queue's
 * job types. `anyOtherName` runs the jobs named after a check or remediation id.
 */
export type JobKinds<Q extends QueueName, C> = Record<
  string,
  { data: z.ZodType<QueueJobs[Q]>; waits?: boolean; process(data: QueueJobs[Q], ctx: C & JobContext): Promise<unknown> }
>;

/** The key of the kind that runs jobs of every name not listed. */
export const anyOtherName = '*';

export interface QueueWorkerOptions<C> {
  settings: QueueSettings;
  /** The context every processor gets; its `log` is replaced by the job's child logger. */
  ctx: C & { log: Logger };
  /** Records how long the jobs of kinds that `wait` waited in the queue. */
  metrics?: Pick<Metrics, 'observeJobStart'>;
  concurrency?: number;
  /** How long a job's lock lives without renewal: after a crash, its job is retried this much later. */
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
}

/**
 * The one way a worker is built: dispatches on the job name, parses the data with the kind's
 * schema, logs with `{ queue, jobId, attempt }`, turns bad data and user errors into
 * `UnrecoverableError` (failed without retry), records queue wait, and logs failures. Any other
 * error is retried by BullMQ. `close()` on the returned worker lets active jobs finish.
 */
export function startQueueWorker<Q extends QueueName, C>(
  queue: Q,
  kinds: JobKinds<Q, NoInfer<C>>,
  o: QueueWorkerOptions<C>,
): Worker {
  const { ctx } = o;
  const processor = async (job: Job) => {
    const kind = Object.hasOwn(kinds, job.name) ? kinds[job.name] : kinds[anyOtherName];
    if (!kind)
      throw new UnrecoverableError(`no ${queue} job named "${job.name}"; known: ${Object.keys(kinds).join(', ')}`);
    const attempt = job.attemptsMade + 1;
    const log = ctx.log.child({ queue, jobId: job.id, attempt });
    const data = kind.data.safeParse(job.data);
    if (!data.success)
      throw new UnrecoverableError(`bad ${job.name} job data: ${data.error.issues[0]?.message ?? 'invalid'}`);
    if (kind.waits) o.metrics?.observeJobStart(queue, job.timestamp, Date.now());
    await o.settings.beforeJob?.();
    try {
      return await kind.process(data.data, { ...ctx, log, job: handle(job, attempt) });
    } catch (err) {
      if (err instanceof UserInputError) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
  const { connection, prefix } = o.settings;
  // Only the options given: an undefined one would override BullMQ's default.
  const tuning = Object.fromEntries(
    Object.entries({
      lockDuration: o.lockDuration,
      stalledInterval: o.stalledInterval,
      maxStalledCount: o.maxStalledCount,
    }).filter(([, v]) => v !== undefined),
  );
  const worker = new Worker(queue, processor, { connection, prefix, concurrency: o.concurrency ?? 2, ...tuning });
  worker.on('failed', (job, err) =>
    ctx.log.warn({ queue, jobId: job?.id, attempt: job?.attemptsMade, err: errorMessage(err) }, 'job failed'),
  );
  worker.on('error', (err) => ctx.log.error({ queue, err: errorMessage(err) }, 'worker error'));
  return worker;
}

function handle(job: Job, attempt: number): JobContext['job'] {
  return {
    id: String(job.id),
    name: job.name,
    attempt,
    maxAttempts: job.opts.attempts ?? 1,
    updateData: (data) => job.updateData(data),
    async children() {
      const values = Object.values(await job.getChildrenValues());
      const failed = Object.keys(await job.getIgnoredChildrenFailures()).length;
      return { values, failed };
    },
  };
}
