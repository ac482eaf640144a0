import { randomUUID } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import * as z from 'zod';
import { targetRefSchema } from '../findings/finding.js';
import { slackThreadSchema } from '../slack/slack-thread.js';

/** One (check, target) job. Job name = check id. */
export const checkJobSchema = z.object({
  runId: z.string().min(1),
  checkId: z.string().min(1),
  target: targetRefSchema,
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  slack: slackThreadSchema.optional(),
  requestedBy: z.string().optional(),
});
export type CheckJob = z.infer<typeof checkJobSchema>;

/** The parent of a diagnosis' check jobs: runs when they are all done, to summarize. */
export const diagnosisJobSchema = z.object({
  runId: z.string().min(1),
  label: z.string(),
  startedAt: z.iso.datetime(),
  requestedBy: z.string().optional(),
  slack: slackThreadSchema.optional(),
  planned: z.number().int().nonnegative(),
});
export type DiagnosisJob = z.infer<typeof diagnosisJobSchema>;

/**
 * The one job the bot enqueues per slash command (name `open` on the diagnoses queue): a worker
 * posts the root message and enqueues the checks, so nothing but the ack and one Redis call runs
 * in the bot. `threadTs` is set once the root message is out, so a retry never posts it twice.
 */
export const openDiagnosisJobSchema = z.object({
  runId: z.string().min(1),
  label: z.string(),
  startedAt: z.iso.datetime(),
  requestedBy: z.string().optional(),
  channel: z.string().min(1),
  checks: z.array(z.object({ checkId: z.string().min(1), target: targetRefSchema })).min(1),
  params: checkJobSchema.shape.params,
  threadTs: z.string().optional(),
});
export type OpenDiagnosisJob = z.infer<typeof openDiagnosisJobSchema>;

/** A diagnosis' run id: 16 hex characters, unique enough to key its jobs and shared reads. */
export function newRunId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

/** The value a check job returns (and the diagnosis reads back from its children). */
export const checkJobResultSchema = z.object({
  id: z.string(),
  target: targetRefSchema,
  status: z.enum(['ok', 'findings', 'error']),
  durationMs: z.number(),
  counts: z.object({ critical: z.number(), warning: z.number(), info: z.number() }),
  fingerprints: z.array(z.string()),
});
export type CheckJobResult = z.infer<typeof checkJobResultSchema>;

export const checkJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600 },
  ignoreDependencyOnFailure: true,
};
