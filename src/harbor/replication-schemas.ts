import * as z from 'zod';

// Shapes from reference/harbor/swagger-v2.15.2.yaml (ReplicationPolicy, ReplicationExecution,
// ReplicationTask, WorkerPool, Worker, JobQueue). Loose objects: Harbor adds fields between releases.

export const replicationFilterSchema = z.looseObject({
  type: z.string(),
  value: z.unknown().optional(),
  decoration: z.string().optional(),
});
export type ReplicationFilter = z.infer<typeof replicationFilterSchema>;

export const registryRefSchema = z.looseObject({
  id: z.number().optional(),
  name: z.string().optional(),
  url: z.string().optional(),
  type: z.string().optional(),
});

export const replicationPolicySchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  src_registry: registryRefSchema.nullish(),
  dest_registry: registryRefSchema.nullish(),
  dest_namespace: z.string().nullish(),
  dest_namespace_replace_count: z.number().nullish(),
  trigger: z.looseObject({ type: z.string().optional() }).nullish(),
  filters: z.array(replicationFilterSchema).nullish(),
  enabled: z.boolean().optional(),
});
export type ReplicationPolicy = z.infer<typeof replicationPolicySchema>;

export const replicationExecutionSchema = z.looseObject({
  id: z.number(),
  policy_id: z.number(),
  status: z.string(),
  trigger: z.string().optional(),
  start_time: z.string().nullish(),
  end_time: z.string().nullish(),
  status_text: z.string().nullish(),
  total: z.number().default(0),
  failed: z.number().default(0),
  succeed: z.number().default(0),
  in_progress: z.number().default(0),
  stopped: z.number().default(0),
});
export type ReplicationExecution = z.infer<typeof replicationExecutionSchema>;

export const replicationTaskSchema = z.looseObject({
  id: z.number(),
  execution_id: z.number(),
  status: z.string(),
  job_id: z.string().nullish(),
  operation: z.string().optional(),
  resource_type: z.string().optional(),
  src_resource: z.string().optional(),
  dst_resource: z.string().optional(),
  start_time: z.string().nullish(),
  end_time: z.string().nullish(),
});
export type ReplicationTask = z.infer<typeof replicationTaskSchema>;

export const workerPoolSchema = z.looseObject({
  pid: z.number().optional(),
  worker_pool_id: z.string(),
  start_at: z.string().nullish(),
  heartbeat_at: z.string().nullish(),
  concurrency: z.number().optional(),
  host: z.string().optional(),
});
export type WorkerPool = z.infer<typeof workerPoolSchema>;

export const workerSchema = z.looseObject({
  id: z.string(),
  pool_id: z.string().optional(),
  job_name: z.string().optional(),
  job_id: z.string().optional(),
  start_at: z.string().nullish(),
  check_in: z.string().optional(),
  checkin_at: z.string().nullish(),
});
export type Worker = z.infer<typeof workerSchema>;

export const jobQueueSchema = z.looseObject({
  job_type: z.string(),
  count: z.number().default(0),
  latency: z.number().default(0),
  paused: z.boolean().default(false),
});
export type JobQueue = z.infer<typeof jobQueueSchema>;

/** Execution statuses of the replication API. */
export const executionStatus = {
  inProgress: 'InProgress',
  succeed: 'Succeed',
  failed: 'Failed',
  stopped: 'Stopped',
} as const;

/** A task still holding a jobservice worker (the API maps Running to InProgress; older ones say Running). */
export function taskIsActive(status: string): boolean {
  return ['InProgress', 'Running', 'Pending', 'Scheduled'].includes(status);
}
