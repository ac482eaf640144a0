import { type ConnectionOptions, FlowProducer, Queue } from 'bullmq';
import type { AlertsJob } from './alerts/notification.js';
import type { ExpiryJob, RemediationJob } from './approvals/job.js';
import type { CheckJob, DiagnosisJob, OpenDiagnosisJob } from './diagnosis/diagnosis-jobs.js';
import type { DigestJob } from './digest/digest-job.js';
import type { WatchJob } from './worker/watch-job.js';

/** The job data each queue carries: the union of its job kinds (their schemas live beside their processors). */
export interface QueueJobs {
  /** One job per (check, target); job name = check id. */
  checks: CheckJob;
  /** `open` (post the root message, enqueue the checks), then `diagnosis` (summarize, a flow parent). */
  diagnoses: OpenDiagnosisJob | DiagnosisJob;
  /** Job name = remediation id, or `expire-proposals`. */
  remediations: RemediationJob | ExpiryJob;
  /** `watch` and `digest`, from job schedulers or `/harbor digest`. */
  scheduled: WatchJob | DigestJob;
  /** `notification` (an accepted webhook, routed), `note` and `expire` (per incident). */
  alerts: AlertsJob;
}
export type QueueName = keyof QueueJobs;
export type JobQueue<Q extends QueueName> = Queue<QueueJobs[Q]>;

/** Queue names: the BullMQ queue of each unit of work. */
export const queueNames: { readonly [Q in QueueName]: Q } = {
  checks: 'checks',
  diagnoses: 'diagnoses',
  remediations: 'remediations',
  scheduled: 'scheduled',
  alerts: 'alerts',
};

export interface QueueSettings {
  connection: ConnectionOptions;
  prefix: string;
  /** Awaited before each job starts (in `start`, the bot's pending acks go first: AckGate). */
  beforeJob?: () => Promise<void> | undefined;
}

export function createQueues(settings: QueueSettings) {
  const opts = { connection: settings.connection, prefix: settings.prefix };
  const queue = <Q extends QueueName>(name: Q): JobQueue<Q> => new Queue<QueueJobs[Q]>(name, opts);
  return {
    checks: queue(queueNames.checks),
    diagnoses: queue(queueNames.diagnoses),
    remediations: queue(queueNames.remediations),
    scheduled: queue(queueNames.scheduled),
    alerts: queue(queueNames.alerts),
    flow: new FlowProducer(opts),
    /** Logs what the queues' connections report instead of letting an 'error' event go unheard. */
    onError(listener: (err: Error) => void): void {
      this.checks.on('error', listener);
      this.diagnoses.on('error', listener);
      this.remediations.on('error', listener);
      this.scheduled.on('error', listener);
      this.alerts.on('error', listener);
      this.flow.on('error', listener);
    },
    async close() {
      await Promise.all([
        this.checks.close(),
        this.diagnoses.close(),
        this.remediations.close(),
        this.scheduled.close(),
        this.alerts.close(),
        this.flow.close(),
      ]);
    },
  };
}
export type Queues = ReturnType<typeof createQueues>;
