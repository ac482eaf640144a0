import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import { type CheckJob, checkJobOptions } from '../diagnosis/diagnosis-jobs.js';
import type { Logger } from '../log.js';
import type { Queues } from '../queues.js';
import type { SlackDoor } from '../slack/slack-door.js';
import type { Incident, IncidentStore } from './incident-store.js';
import type { AlertMetrics } from './metrics.js';
import type { PlannedAlertCheck } from './route.js';

/** What the incident processors work with. */
export interface IncidentDeps {
  store: IncidentStore;
  slack: SlackDoor;
  queues: Pick<Queues, 'checks'> & { alerts: Pick<Queue, 'add'> };
  metrics?: AlertMetrics;
  log: Logger;
  now(): Date;
  cooldownMs: number;
}

/** Options of the incidents' own jobs (`note`, `expire`). */
export const incidentJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export const sha16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
export const checkKey = (c: PlannedAlertCheck) => `${c.checkId}@${c.target}`;

export function uniqueChecks(list: PlannedAlertCheck[]): PlannedAlertCheck[] {
  return [...new Map(list.map((c) => [checkKey(c), c])).values()];
}

/** Enqueues the checks (one job each) in the incident's thread and marks them run. */
export async function runChecks(i: Incident, checks: PlannedAlertCheck[], seed: string, deps: IncidentDeps) {
  if (checks.length === 0 || !i.threadTs) return;
  const runId = sha16(`${i.id}|${seed}`);
  const slack = { channel: i.channel, threadTs: i.threadTs };
  const jobs = checks.map((c) => {
    const data: CheckJob = { runId, checkId: c.checkId, target: c.target, params: c.params, slack };
    const jobId = `chk-${runId}-${c.checkId}-${c.target.replace('/', '-')}`;
    return { name: c.checkId, data, opts: { ...checkJobOptions, jobId } };
  });
  await deps.store.markRan(i.target, checks.map(checkKey), deps.now().getTime());
  await deps.queues.checks.addBulk(jobs);
  deps.log.info({ incident: i.id, target: i.target, runId, checks: checks.map(checkKey) }, 'incident checks queued');
}
