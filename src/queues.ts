import { FlowProducer, Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import * as z from 'zod';
import { targetRefSchema } from './findings/finding.js';

/** Queue names: the BullMQ queue of each unit of work. */
export const queueNames = {
  checks: 'checks',
  diagnoses: 'diagnoses',
  remediations: 'remediations',
  scheduled: 'scheduled',
} as const;

/** Where a job reports in Slack. Carries no secret: ids only. */
export const slackThreadSchema = z.object({
  channel: z.string().min(1),
  threadTs: z.string().min(1),
});
export type SlackThread = z.infer<typeof slackThreadSchema>;

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

export interface QueueSettings {
  connection: ConnectionOptions;
  prefix: string;
}

/** An ioredis connection as BullMQ wants it (blocking commands never time out). */
export function createRedisConnection(url: string, name = 'harbor-pilot'): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, enableReadyCheck: true });
}

export const checkJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600 },
  ignoreDependencyOnFailure: true,
};

export function createQueues(settings: QueueSettings) {
  const opts = { connection: settings.connection, prefix: settings.prefix };
  return {
    checks: new Queue<CheckJob>(queueNames.checks, opts),
    diagnoses: new Queue<DiagnosisJob>(queueNames.diagnoses, opts),
    remediations: new Queue(queueNames.remediations, opts),
    scheduled: new Queue(queueNames.scheduled, opts),
    flow: new FlowProducer(opts),
    async close() {
      await Promise.all([this.checks.close(), this.diagnoses.close(), this.remediations.close(), this.scheduled.close(), this.flow.close()]);
    },
  };
}
export type Queues = ReturnType<typeof createQueues>;

/** Enqueues one diagnosis: a parent that summarizes, one child per (check, target). */
export async function enqueueDiagnosis(queues: Queues, diagnosis: DiagnosisJob, children: CheckJob[]): Promise<void> {
  await queues.flow.add({
    name: 'diagnosis',
    queueName: queueNames.diagnoses,
    data: diagnosis,
    opts: { jobId: `diag-${diagnosis.runId}`, attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 24 * 3600 } },
    children: children.map((c) => ({
      name: c.checkId,
      queueName: queueNames.checks,
      data: c,
      opts: { ...checkJobOptions, jobId: `chk-${c.runId}-${c.checkId}-${c.target.replace('/', '-')}` },
    })),
  });
}
