import * as z from 'zod';
import type { Http } from '../http.js';
import { getParsed, parseUpstream } from './parse.js';
import { collect } from './paging.js';
import {
  jobQueueSchema,
  replicationExecutionSchema,
  replicationPolicySchema,
  replicationTaskSchema,
  workerPoolSchema,
  workerSchema,
  type JobQueue,
  type ReplicationExecution,
  type ReplicationPolicy,
  type ReplicationTask,
  type Worker,
  type WorkerPool,
} from './replication-schemas.js';

export interface ExecutionQuery {
  policyId?: number;
  status?: string;
  /** Newest first by default. */
  sort?: string;
  max?: number;
}

/** Replication and jobservice-monitor verbs (mixed into the Harbor client). */
export function replicationApi(http: Http) {
  /** The jobservice monitor exists from Harbor 2.7; older ones answer 404, which means "no data". */
  async function monitor<S extends z.ZodType>(
    schema: S,
    path: string,
    signal?: AbortSignal,
  ): Promise<z.infer<S>[] | null> {
    const res = await http.request({ path, signal, accept: [404] });
    if (res.status === 404) return null;
    return parseUpstream(z.array(schema), res.body, { path });
  }

  return {
    listReplicationPolicies(signal?: AbortSignal): Promise<ReplicationPolicy[]> {
      return collect(http, replicationPolicySchema, { path: '/replication/policies', signal });
    },
    getReplicationPolicy(id: number, signal?: AbortSignal): Promise<ReplicationPolicy> {
      return getParsed(http, replicationPolicySchema, { path: `/replication/policies/${id}`, signal });
    },
    /** The policy, or null when it was deleted since its executions ran. */
    async findReplicationPolicy(id: number, signal?: AbortSignal): Promise<ReplicationPolicy | null> {
      const req = { path: `/replication/policies/${id}`, signal, accept: [404] };
      const res = await http.request(req);
      return res.status === 404 ? null : parseUpstream(replicationPolicySchema, res.body, req);
    },
    listReplicationExecutions(q: ExecutionQuery, signal?: AbortSignal): Promise<ReplicationExecution[]> {
      const query = { policy_id: q.policyId, status: q.status, sort: q.sort ?? '-start_time' };
      return collect(
        http,
        replicationExecutionSchema,
        { path: '/replication/executions', query, signal, pageSize: Math.min(100, q.max ?? 100) },
        q.max,
      );
    },
    getReplicationExecution(id: number, signal?: AbortSignal): Promise<ReplicationExecution> {
      return getParsed(http, replicationExecutionSchema, { path: `/replication/executions/${id}`, signal });
    },
    /** `PUT /replication/executions/{id}`: asks Harbor to stop the execution and its tasks. */
    async stopReplicationExecution(id: number, signal?: AbortSignal): Promise<void> {
      await http.request({ method: 'PUT', path: `/replication/executions/${id}`, signal });
    },
    /** `POST /replication/executions`: returns the new execution's id (from Location) when Harbor gives it. */
    async startReplication(policyId: number, signal?: AbortSignal): Promise<number | null> {
      const res = await http.request({
        method: 'POST',
        path: '/replication/executions',
        body: { policy_id: policyId },
        signal,
      });
      const id = /\/(\d+)$/.exec(res.headers.get('location') ?? '')?.[1];
      return id ? Number(id) : null;
    },
    listReplicationTasks(
      executionId: number,
      q: { status?: string; max?: number } = {},
      signal?: AbortSignal,
    ): Promise<ReplicationTask[]> {
      return collect(
        http,
        replicationTaskSchema,
        { path: `/replication/executions/${executionId}/tasks`, query: { status: q.status }, signal },
        q.max,
      );
    },
    /** The task's job log (text/plain). */
    async getReplicationTaskLog(executionId: number, taskId: number, signal?: AbortSignal): Promise<string> {
      const res = await http.request({
        path: `/replication/executions/${executionId}/tasks/${taskId}/log`,
        signal,
        headers: { accept: 'text/plain' },
      });
      return typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
    },
    listJobQueues(signal?: AbortSignal): Promise<JobQueue[] | null> {
      return monitor(jobQueueSchema, '/jobservice/queues', signal);
    },
    listWorkerPools(signal?: AbortSignal): Promise<WorkerPool[] | null> {
      return monitor(workerPoolSchema, '/jobservice/pools', signal);
    },
    listWorkers(poolId = 'all', signal?: AbortSignal): Promise<Worker[] | null> {
      return monitor(workerSchema, `/jobservice/pools/${encodeURIComponent(poolId)}/workers`, signal);
    },
    /** `PUT /jobservice/jobs/{job_id}`: stops one running job in the jobservice. */
    async stopJobserviceJob(jobId: string, signal?: AbortSignal): Promise<void> {
      await http.request({ method: 'PUT', path: `/jobservice/jobs/${encodeURIComponent(jobId)}`, signal });
    },
  };
}
