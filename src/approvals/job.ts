import type { JobsOptions, Queue } from 'bullmq';
import * as z from 'zod';
import { approvalIdSchema, remediationJobId, type Approval } from './approval.js';

/** A remediation job carries the approval id only: never params, never a secret. Job name = remediation id. */
export const remediationJobSchema = z.strictObject({ approvalId: approvalIdSchema });
export type RemediationJob = z.infer<typeof remediationJobSchema>;

/**
 * Reads (re-check, plan) may be retried; the execution itself is guarded by a claim in the
 * approval's state, so a retry or a restarted worker never runs it a second time.
 */
export const remediationJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Enqueues the execution under its deterministic job id: adding it again returns the same job. */
export async function enqueueRemediation(queue: Queue, a: Approval): Promise<string> {
  const job = await queue.add(a.remediation, { approvalId: a.id } satisfies RemediationJob, {
    ...remediationJobOptions,
    jobId: remediationJobId(a.id),
  });
  return String(job.id);
}

/** The job on the remediations queue that expires a finding's proposals when their time is up. */
export const expiryJobName = 'expire-proposals';
export const expiryJobSchema = z.strictObject({ groupId: approvalIdSchema });
export type ExpiryJob = z.infer<typeof expiryJobSchema>;
