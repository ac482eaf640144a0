import { formatDuration } from '../checks/format.js';
import type { HarborClient } from '../harbor/client.js';
import type { ReplicationTask } from '../harbor/replication-schemas.js';

/** A pool whose heartbeat is older than this has a dead or wedged jobservice process. */
const heartbeatStaleMs = 5 * 60_000;

/**
 * What the jobservice monitor (Harbor 2.7+) says about replication: queue latency, pool heartbeats,
 * and which active tasks hold no worker. An older Harbor (404) gives no lines and no error.
 */
export async function jobserviceEvidence(
  harbor: Pick<HarborClient, 'listJobQueues' | 'listWorkerPools' | 'listWorkers'>,
  activeTasks: readonly ReplicationTask[],
  now: Date,
  signal?: AbortSignal,
): Promise<{ available: boolean; lines: string[] }> {
  const [queues, pools, workers] = await Promise.all([
    harbor.listJobQueues(signal),
    harbor.listWorkerPools(signal),
    harbor.listWorkers('all', signal),
  ]);
  if (queues === null && pools === null) return { available: false, lines: [] };
  const lines: string[] = [];
  for (const q of queues ?? []) {
    if (q.job_type.toUpperCase() !== 'REPLICATION') continue;
    lines.push(
      `GET /api/v2.0/jobservice/queues: REPLICATION count=${q.count} ` +
        `latency=${q.latency}s${q.paused ? ' paused=true' : ''}`,
    );
  }
  for (const p of pools ?? []) {
    const beat = p.heartbeat_at ? Date.parse(p.heartbeat_at) : Number.NaN;
    if (Number.isFinite(beat) && now.getTime() - beat > heartbeatStaleMs) {
      lines.push(
        `GET /api/v2.0/jobservice/pools: pool ${p.worker_pool_id} on ${p.host ?? '?'} ` +
          `heartbeat_at=${p.heartbeat_at} (${formatDuration(now.getTime() - beat)} ago)`,
      );
    }
  }
  if (workers !== null) {
    const running = new Set(workers.map((w) => w.job_id).filter(Boolean));
    for (const t of activeTasks) {
      if (t.job_id && !running.has(t.job_id))
        lines.push(`task ${t.id} (job_id=${t.job_id}) is ${t.status} but runs on no jobservice worker`);
    }
  }
  return { available: true, lines };
}
