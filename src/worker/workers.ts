import { FlowProducer, UnrecoverableError, Worker, type Job } from 'bullmq';
import { RunReadsByRun } from '../checks/run-reads.js';
import { UserInputError, errorMessage } from '../errors.js';
import { queueNames, type QueueSettings } from '../queues.js';
import { checkJobSchema, diagnosisJobSchema, openDiagnosisJobSchema } from '../diagnosis/diagnosis-jobs.js';
import { processOpenDiagnosis } from '../diagnosis/open-diagnosis.js';
import { processCheckJob, type WorkerContext } from '../diagnosis/check-job.js';
import { processDiagnosisJob } from '../diagnosis/summarize-diagnosis.js';

export interface Workers {
  workers: Worker[];
  close(): Promise<void>;
}

/**
 * Starts the BullMQ workers of the check and diagnosis queues. Bad job data and unknown ids fail
 * without retry (UnrecoverableError); a Slack or Redis fault is retried by BullMQ.
 */
export function startWorkers(
  settings: QueueSettings,
  ctx: WorkerContext,
  options: { concurrency?: number } = {},
): Workers {
  const base = { connection: settings.connection, prefix: settings.prefix };
  const runReads = ctx.runReads ?? new RunReadsByRun();
  const checks = new Worker(
    queueNames.checks,
    async (job: Job) => {
      const log = ctx.log.child({ queue: queueNames.checks, jobId: job.id, attempt: job.attemptsMade + 1 });
      const data = checkJobSchema.safeParse(job.data);
      if (!data.success)
        throw new UnrecoverableError(`bad check job data: ${data.error.issues[0]?.message ?? 'invalid'}`);
      ctx.metrics?.observeJobStart(queueNames.checks, job.timestamp, Date.now());
      try {
        const result = await processCheckJob(data.data, { ...ctx, log, runReads });
        ctx.metrics?.observeCheck(result);
        return result;
      } catch (err) {
        if (err instanceof UserInputError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    { ...base, concurrency: options.concurrency ?? ctx.config.runner.concurrency },
  );
  const flow = new FlowProducer(base);
  const openDiagnosis = async (job: Job) => {
    const data = openDiagnosisJobSchema.safeParse(job.data);
    if (!data.success)
      throw new UnrecoverableError(`bad diagnosis job data: ${data.error.issues[0]?.message ?? 'invalid'}`);
    if (!ctx.reporter) throw new UnrecoverableError('this worker has no Slack client to post with');
    const log = ctx.log.child({ queue: queueNames.diagnoses, jobId: job.id, attempt: job.attemptsMade + 1 });
    ctx.metrics?.observeJobStart(queueNames.diagnoses, job.timestamp, Date.now());
    return processOpenDiagnosis(data.data, {
      reporter: ctx.reporter,
      queues: { flow },
      log,
      saveThread: (threadTs) => job.updateData({ ...data.data, threadTs }),
    });
  };
  const diagnoses = new Worker(
    queueNames.diagnoses,
    async (job: Job) => {
      if (job.name === 'open') return openDiagnosis(job);
      const data = diagnosisJobSchema.safeParse(job.data);
      if (!data.success)
        throw new UnrecoverableError(`bad diagnosis job data: ${data.error.issues[0]?.message ?? 'invalid'}`);
      const values = Object.values(await job.getChildrenValues());
      const failed = Object.keys(await job.getIgnoredChildrenFailures()).length;
      return processDiagnosisJob(data.data, values, failed, ctx);
    },
    { ...base, concurrency: 2 },
  );
  for (const w of [checks, diagnoses]) {
    w.on('failed', (job, err) =>
      ctx.log.warn({ queue: w.name, jobId: job?.id, attempt: job?.attemptsMade, err: errorMessage(err) }, 'job failed'),
    );
    w.on('error', (err) => ctx.log.error({ queue: w.name, err: errorMessage(err) }, 'worker error'));
  }
  return {
    workers: [checks, diagnoses],
    async close() {
      await Promise.all([checks.close(), diagnoses.close()]);
      await flow.close();
    },
  };
}
