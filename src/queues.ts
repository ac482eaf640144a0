import { randomUUID } from 'node:crypto';
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

export async function enqueueOpenDiagnosis(queues: Pick<Queues, 'diagnoses'>, data: OpenDiagnosisJob): Promise<void> {
  await queues.diagnoses.add('open', data as unknown as DiagnosisJob, {
    jobId: `open-${data.runId}`,
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
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
      await Promise.all([
        this.checks.close(),
        this.diagnoses.close(),
        this.remediations.close(),
        this.scheduled.close(),
        this.flow.close(),
      ]);
    },
  };
}
export type Queues = ReturnType<typeof createQueues>;

/** Enqueues one diagnosis: a parent that summarizes, one child per (check, target). */
export async function enqueueDiagnosis(
  queues: Pick<Queues, 'flow'>,
  diagnosis: DiagnosisJob,
  children: CheckJob[],
): Promise<void> {
  await queues.flow.add({
    name: 'diagnosis',
    queueName: queueNames.diagnoses,
    data: diagnosis,
    opts: {
      jobId: `diag-${diagnosis.runId}`,
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 24 * 3600 },
    },
    children: children.map((c) => ({
      name: c.checkId,
      queueName: queueNames.checks,
      data: c,
      opts: { ...checkJobOptions, jobId: `chk-${c.runId}-${c.checkId}-${c.target.replace('/', '-')}` },
    })),
  });
}
