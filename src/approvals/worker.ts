import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { UserInputError, errorMessage } from '../errors.js';
import { queueNames, type QueueSettings } from '../queues.js';
import type { ApprovalDeps } from './deps.js';
import type { Redis } from 'ioredis';
import { processExpiryJob } from './expiry.js';
import { expiryJobName, expiryJobSchema } from './job.js';
import { remediationJobSchema } from './job.js';
import { processRemediationJob } from './processor.js';

export interface RemediationWorkerOptions {
  concurrency?: number;
  /** How long a job's lock lives without renewal: after a crash, its job is retried this much later. */
  lockDuration?: number;
  stalledInterval?: number;
}

/**
 * The worker of the `remediations` queue. A job whose worker died is picked up again after its lock
 * expires (stalled) and then only verifies what the dead worker may have done.
 */
export function startRemediationWorker(
  settings: QueueSettings,
  deps: ApprovalDeps & { redis: Redis; prefix: string },
  options: RemediationWorkerOptions = {},
): Worker {
  const worker = new Worker(
    queueNames.remediations,
    async (job: Job) => {
      const attempt = job.attemptsMade + 1;
      const log = deps.log.child({ queue: queueNames.remediations, jobId: job.id, attempt });
      if (job.name === expiryJobName) {
        const expiry = expiryJobSchema.safeParse(job.data);
        if (!expiry.success)
          throw new UnrecoverableError(`bad expiry job data: ${expiry.error.issues[0]?.message ?? 'invalid'}`);
        return processExpiryJob(expiry.data, { ...deps, log });
      }
      const data = remediationJobSchema.safeParse(job.data);
      if (!data.success)
        throw new UnrecoverableError(`bad remediation job data: ${data.error.issues[0]?.message ?? 'invalid'}`);
      try {
        return await processRemediationJob(
          data.data,
          { ...deps, log },
          { id: String(job.id), attempt, maxAttempts: job.opts.attempts ?? 1 },
        );
      } catch (err) {
        if (err instanceof UserInputError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    {
      connection: settings.connection,
      prefix: settings.prefix,
      concurrency: options.concurrency ?? 2,
      lockDuration: options.lockDuration ?? 60_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: 1,
    },
  );
  worker.on('failed', (job, err) =>
    deps.log.warn(
      { queue: queueNames.remediations, jobId: job?.id, attempt: job?.attemptsMade, err: errorMessage(err) },
      'job failed',
    ),
  );
  worker.on('error', (err) =>
    deps.log.error({ queue: queueNames.remediations, err: errorMessage(err) }, 'worker error'),
  );
  return worker;
}
