import type { ReplicationExecution, ReplicationPolicy, ReplicationTask } from '../harbor/replication-schemas.js';
import { emptyReplicationState, type ReplicationSimState } from './harbor-replication-state.js';

// Incident scenarios of failure mode E as replication state, relative to `now`. Tests and the lab
// serve the same data. Log lines are Harbor's own wording (failure-modes.md E, seed 004).

const min = 60_000;
const iso = (now: Date, agoMs: number) => new Date(now.getTime() - agoMs).toISOString();

/** A push rule mirroring `library/**` to a remote Harbor, and a pull rule from Docker Hub. */
export function samplePolicies(): ReplicationPolicy[] {
  const remote = { id: 2, name: 'dr-site', url: 'https://harbor-dr.example.com', type: 'harbor' };
  const hub = { id: 3, name: 'docker-hub', url: 'https://hub.docker.com', type: 'docker-hub' };
  return [
    {
      id: 1,
      name: 'mirror-library',
      src_registry: { id: 0, name: 'Local' },
      dest_registry: remote,
      dest_namespace: '',
      trigger: { type: 'event_based' },
      filters: [
        { type: 'name', value: 'library/**' },
        { type: 'tag', value: '**' },
      ],
      enabled: true,
    },
    {
      id: 2,
      name: 'pull-ai-cloud',
      src_registry: hub,
      dest_registry: { id: 0, name: 'Local' },
      dest_namespace: 'ai-cloud',
      trigger: { type: 'scheduled' },
      filters: [{ type: 'name', value: 'coreos/**' }],
      enabled: true,
    },
  ];
}

/** Finished executions: the policy's usual duration is `typicalMin` minutes. */
export function executionHistory(
  now: Date,
  policyId: number,
  firstId: number,
  typicalMin: number,
  count = 6,
): ReplicationExecution[] {
  return Array.from({ length: count }, (_, i) => {
    const start = now.getTime() - (i + 1) * 24 * 60 * min;
    const dur = (typicalMin + (i % 3)) * min;
    return {
      id: firstId + i,
      policy_id: policyId,
      status: 'Succeed',
      trigger: 'event_based',
      start_time: new Date(start).toISOString(),
      end_time: new Date(start + dur).toISOString(),
      status_text: '',
      total: 12,
      failed: 0,
      succeed: 12,
      in_progress: 0,
      stopped: 0,
    };
  });
}

export function healthyReplication(now: Date): ReplicationSimState {
  const st = emptyReplicationState();
  st.policies = samplePolicies();
  st.executions = [...executionHistory(now, 1, 100, 10), ...executionHistory(now, 2, 200, 25)];
  st.jobservice.queues = [{ job_type: 'REPLICATION', count: 0, latency: 0, paused: false }];
  st.jobservice.pools = [
    {
      pid: 1,
      worker_pool_id: 'a1b2c3',
      start_at: iso(now, 3 * 24 * 60 * min),
      heartbeat_at: iso(now, 20_000),
      concurrency: 10,
      host: 'harbor-jobservice-7d9f-x2',
    },
  ];
  return st;
}

/** Execution 118 of `mirror-library` in progress for 5 h; two tasks hold workers, nothing finished for 4.5 h. */
export function stuckReplication(now: Date): ReplicationSimState {
  const st = healthyReplication(now);
  st.executions.push({
    id: 118,
    policy_id: 1,
    status: 'InProgress',
    trigger: 'event_based',
    start_time: iso(now, 300 * min),
    end_time: null,
    status_text: '',
    total: 0,
    failed: 0,
    succeed: 0,
    in_progress: 0,
    stopped: 0,
  });
  const task = (
    id: number,
    status: string,
    startAgo: number,
    endAgo: number | null,
    repo: string,
  ): ReplicationTask => ({
    id,
    execution_id: 118,
    status,
    job_id: `b3f1c2d4e5a6${id}`,
    operation: 'copy',
    resource_type: 'artifact',
    src_resource: `library/${repo} [1 item(s) in total]`,
    dst_resource: `harbor-dr.example.com/library/${repo} [1 item(s) in total]`,
    start_time: iso(now, startAgo * min),
    end_time: endAgo === null ? null : iso(now, endAgo * min),
  });
  st.tasks = [
    task(901, 'Succeed', 299, 280, 'nginx'),
    task(902, 'Succeed', 299, 270, 'redis'),
    task(903, 'InProgress', 299, null, 'postgres'),
    task(904, 'InProgress', 298, null, 'node'),
  ];
  st.jobservice.queues = [{ job_type: 'REPLICATION', count: 37, latency: 16_200, paused: false }];
  st.jobservice.pools[0] = { ...st.jobservice.pools[0], worker_pool_id: 'a1b2c3', heartbeat_at: iso(now, 170 * min) };
  st.jobservice.workers = [
    {
      id: 'a1b2c3-0',
      pool_id: 'a1b2c3',
      job_name: 'REPLICATION',
      job_id: 'b3f1c2d4e5a6903',
      start_at: iso(now, 299 * min),
      check_in: '',
      checkin_at: iso(now, 290 * min),
    },
  ];
  return st;
}

/** Execution 131 of `mirror-library` failed: one task read a tag the registry had not written yet. */
export function tagUnknownRace(now: Date): ReplicationSimState {
  const st = healthyReplication(now);
  st.executions.push({
    id: 131,
    policy_id: 1,
    status: 'Failed',
    trigger: 'event_based',
    start_time: iso(now, 40 * min),
    end_time: iso(now, 38 * min),
    status_text: '1 of 3 tasks failed',
    total: 0,
    failed: 0,
    succeed: 0,
    in_progress: 0,
    stopped: 0,
  });
  const t = (id: number, status: string, repo: string): ReplicationTask => ({
    id,
    execution_id: 131,
    status,
    job_id: `c9d8e7f6${id}`,
    operation: 'copy',
    resource_type: 'artifact',
    src_resource: `library/${repo}:[v2.4.1]`,
    dst_resource: `harbor-dr.example.com/library/${repo}:[v2.4.1]`,
    start_time: iso(now, 40 * min),
    end_time: iso(now, 38 * min),
  });
  st.tasks = [t(1301, 'Succeed', 'nginx'), t(1302, 'Failed', 'app'), t(1303, 'Succeed', 'redis')];
  st.taskLogs[1302] = [
    `${iso(now, 40 * min)} [INFO] [/controller/replication/transfer/image/transfer.go:125]: client for source ` +
      `registry [type: harbor, URL: http://core:8080, insecure: true] created`,
    `${iso(now, 40 * min)} [INFO] [/controller/replication/transfer/image/transfer.go:175]: copying ` +
      `library/app:[v2.4.1](source registry) to library/app:[v2.4.1](destination registry)...`,
    `${iso(now, 39 * min)} [ERROR] [/controller/replication/transfer/image/transfer.go:200]: pull manifest from ` +
      `local registry failed, 404 tag unknown, tag=v2.4.1`,
    `${iso(now, 38 * min)} [ERROR] [/controller/replication/transfer/image/transfer.go:210]: failed to copy ` +
      `library/app:[v2.4.1]`,
  ].join('\n');
  return st;
}

/** Execution 11 of `pull-ai-cloud` failed at once: listing the tags of a 6000-tag repository failed. */
export function tagListingFailure(now: Date): ReplicationSimState {
  const st = healthyReplication(now);
  st.executions.push({
    id: 11,
    policy_id: 2,
    status: 'Failed',
    trigger: 'scheduled',
    start_time: iso(now, 15 * min),
    end_time: iso(now, 15 * min - 4000),
    status_text:
      'failed to fetch artifacts: FetchArtifacts error when collect tags for repos: List tags for repo ' +
      "'coreos/kube-state-metrics' error: http error: code 500, message ",
    total: 0,
    failed: 0,
    succeed: 0,
    in_progress: 0,
    stopped: 0,
  });
  return st;
}
