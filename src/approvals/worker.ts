import type { Worker } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import type { QueueSettings } from '../queues.js';
import { anyOtherName, defineJobKind, startQueueWorker, type JobContext } from '../worker/queue-worker.js';
import type { ApprovalDeps } from './deps.js';
import { processExpiryJob } from './expiry.js';
import { expiryJobName, expiryJobSchema, remediationJobSchema } from './job.js';
import { processRemediationJob } from './processor.js';

export interface RemediationWorkerOptions {
  concurrency?: number;
  /** How long a job's lock lives without renewal: after a crash, its job is retried this much later. */
  lockDuration?: number;
  stalledInterval?: number;
}

type RemediationContext = ApprovalDeps & { redis: RedisClient; prefix: string };

/** Job name = remediation id: executes an approved remediation, at most once. */
const remediationKind = defineJobKind({
  data: remediationJobSchema,
  process: (data, ctx: RemediationContext & JobContext) => processRemediationJob(data, ctx, ctx.job),
});

const expiryKind = defineJobKind({ data: expiryJobSchema, process: processExpiryJob });

/**
 * The worker of the `remediations` queue. A job whose worker died is picked up again after its lock
 * expires (stalled) and then only verifies what the dead worker may have done.
 */
export function startRemediationWorker(
  settings: QueueSettings,
  deps: RemediationContext,
  options: RemediationWorkerOptions = {},
): Worker {
  return startQueueWorker(
    'remediations',
    { [expiryJobName]: expiryKind, [anyOtherName]: remediationKind },
    {
      settings,
      ctx: deps,
      concurrency: options.concurrency ?? 2,
      lockDuration: options.lockDuration ?? 60_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: 1,
    },
  );
}
