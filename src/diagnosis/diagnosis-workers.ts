import { FlowProducer, type Worker } from 'bullmq';
import { RunReadsByRun } from '../checks/run-reads.js';
import type { QueueSettings } from '../queues.js';
import type { SlackDoor } from '../slack/slack-door.js';
import { anyOtherName, startQueueWorker } from '../worker/queue-worker.js';
import type { WorkerContext } from '../worker/worker-context.js';
import { checkJobKind } from './check-job.js';
import { openDiagnosisKind } from './open-diagnosis.js';
import { fateStoreOf } from './run-fate.js';
import type { Publisher } from './publisher.js';
import { summarizeDiagnosisKind } from './summarize-diagnosis.js';

export interface DiagnosisWorkerContext extends WorkerContext {
  slack: SlackDoor;
  publisher: Publisher;
  runReads?: RunReadsByRun;
}

export interface Workers {
  workers: Worker[];
  close(): Promise<void>;
}

/** The worker's own connection keeps run fates; given connection options instead (tests), none is kept. */
function runFateOf(settings: QueueSettings) {
  const store = fateStoreOf(settings.connection);
  return store && { store, prefix: settings.prefix };
}

/**
 * The workers of a diagnosis: `checks` (one job per check and target, named after the check) and
 * `diagnoses` (`open` posts the root message and enqueues the checks; `diagnosis` summarizes).
 */
export function startDiagnosisWorkers(
  settings: QueueSettings,
  ctx: DiagnosisWorkerContext,
  options: { concurrency?: number } = {},
): Workers {
  const flow = new FlowProducer({ connection: settings.connection, prefix: settings.prefix });
  const runReads = ctx.runReads ?? new RunReadsByRun();
  // A worker that dies holding a job loses its lock after handoffMs; another worker then takes the job.
  const handoff = { lockDuration: ctx.config.runner.handoffMs, stalledInterval: ctx.config.runner.handoffMs };
  const checks = startQueueWorker(
    'checks',
    { [anyOtherName]: checkJobKind },
    {
      settings,
      ctx: { ...ctx, runReads },
      metrics: ctx.metrics,
      concurrency: options.concurrency ?? ctx.config.runner.concurrency,
      ...handoff,
    },
  );
  const diagnoses = startQueueWorker(
    'diagnoses',
    { open: openDiagnosisKind, diagnosis: summarizeDiagnosisKind },
    { settings, ctx: { ...ctx, flow, runFate: runFateOf(settings) }, metrics: ctx.metrics, ...handoff },
  );
  return {
    workers: [checks, diagnoses],
    async close() {
      await Promise.all([checks.close(), diagnoses.close()]);
      await flow.close();
    },
  };
}
