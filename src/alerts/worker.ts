import type { Worker } from 'bullmq';
import type { QueueSettings } from '../queues.js';
import { defineJobKind, type JobContext, startQueueWorker } from '../worker/queue-worker.js';
import type { IncidentDeps } from './incident-checks.js';
import { postNote } from './incident-notes.js';
import { applyGroup, expireIncident } from './incidents.js';
import { type IncidentJob, incidentJobSchema, notificationJobSchema } from './notification.js';

/** How long a job waits for another worker to finish with the same target before it is retried. */
const lockWaitMs = 20_000;

/** Runs `work` under the target's lock, waiting while another worker holds it. */
async function locked(target: string, deps: IncidentDeps, work: () => Promise<void>): Promise<void> {
  const until = Date.now() + lockWaitMs;
  for (;;) {
    const release = await deps.store.lock(target);
    if (release) {
      try {
        return await work();
      } finally {
        await release();
      }
    }
    if (Date.now() > until) throw new Error(`incident of ${target} stayed locked for ${lockWaitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 30)));
  }
}

type Ctx = IncidentDeps & JobContext;

const notificationKind = defineJobKind({
  data: notificationJobSchema,
  async process(data, ctx: Ctx) {
    for (const g of data.groups) await locked(g.target, ctx, () => applyGroup(g, data.receivedAt, ctx.job.id, ctx));
  },
});

const noteKind = defineJobKind({
  data: incidentJobSchema,
  process: ({ target, incident }: IncidentJob, ctx: Ctx) =>
    locked(target, ctx, () => postNote(target, incident, ctx.job.id, ctx)),
});

const expireKind = defineJobKind({
  data: incidentJobSchema,
  process: ({ target, incident }: IncidentJob, ctx: Ctx) =>
    locked(target, ctx, () => expireIncident(target, incident, ctx)),
});

/**
 * The worker of the `alerts` queue: notifications become incident threads; notes; expiries. One job
 * at a time per process: a storm is many jobs for one target, and they would only wait for its lock.
 */
export function startAlertWorker(settings: QueueSettings, deps: IncidentDeps, concurrency = 1): Worker {
  return startQueueWorker(
    'alerts',
    { notification: notificationKind, note: noteKind, expire: expireKind },
    { settings, ctx: deps, concurrency },
  );
}
