import type { ReplicationExecution, ReplicationTask } from '../harbor/replication-schemas.js';
import { replicationState, type ReplicationSimState } from './harbor-replication-state.js';
import type { HarborRoutes } from './harbor-sim-types.js';
import { requireAuth } from './harbor-auth.js';
import { paged, type SimRequest, type SimResponse } from './http-sim.js';

const notFound = (what: string): SimResponse => ({
  status: 404,
  body: { errors: [{ code: 'NOT_FOUND', message: `${what} not found` }] },
});
const finalStatuses = new Set(['Succeed', 'Failed', 'Stopped']);

/** Harbor derives an execution's counters from its tasks. */
function withCounters(st: ReplicationSimState, e: ReplicationExecution): ReplicationExecution {
  const tasks = st.tasks.filter((t) => t.execution_id === e.id);
  if (tasks.length === 0) return e;
  const count = (s: string[]) => tasks.filter((t) => s.includes(t.status)).length;
  return {
    ...e,
    total: tasks.length,
    failed: count(['Failed']),
    succeed: count(['Succeed']),
    stopped: count(['Stopped']),
    in_progress: count(['InProgress', 'Pending', 'Running']),
  };
}

function listExecutions(st: ReplicationSimState, req: SimRequest): SimResponse {
  const policyId = req.query.get('policy_id');
  const status = req.query.get('status');
  let list = st.executions.filter(
    (e) => (!policyId || e.policy_id === Number(policyId)) && (!status || e.status === status),
  );
  if (req.query.get('sort') === '-start_time')
    list = [...list].sort((a, b) => (b.start_time ?? '').localeCompare(a.start_time ?? ''));
  return paged(
    req,
    list.map((e) => withCounters(st, e)),
    '/api/v2.0/replication/executions',
  );
}

function stopExecution(st: ReplicationSimState, id: number): SimResponse {
  const e = st.executions.find((x) => x.id === id);
  if (!e) return notFound(`execution ${id}`);
  if (finalStatuses.has(e.status) || st.jobservice.ignoresStop) return { status: 200 };
  const at = new Date().toISOString();
  e.status = 'Stopped';
  e.end_time = at;
  for (const t of st.tasks.filter((x) => x.execution_id === id && !finalStatuses.has(x.status))) stopTask(st, t, at);
  return { status: 200 };
}

function stopTask(st: ReplicationSimState, t: ReplicationTask, at: string): void {
  t.status = 'Stopped';
  t.end_time = at;
  st.jobservice.workers = st.jobservice.workers.filter((w) => w.job_id !== t.job_id);
}

function startExecution(st: ReplicationSimState, body: { policy_id?: number } | null): SimResponse {
  const policy = st.policies.find((p) => p.id === body?.policy_id);
  if (!policy) return notFound(`policy ${body?.policy_id}`);
  const id = Math.max(0, ...st.executions.map((e) => e.id)) + 1;
  const now = new Date().toISOString();
  const done = st.startOutcome !== 'InProgress';
  st.executions.push({
    id,
    policy_id: policy.id,
    status: st.startOutcome,
    trigger: 'manual',
    start_time: now,
    end_time: done ? now : null,
    status_text: '',
    total: 0,
    failed: 0,
    succeed: 0,
    in_progress: 0,
    stopped: 0,
  });
  return { status: 201, headers: { location: `/api/v2.0/replication/executions/${id}` } };
}

function stopJob(st: ReplicationSimState, jobId: string): SimResponse {
  const task = st.tasks.find((t) => t.job_id === jobId);
  const worker = st.jobservice.workers.find((w) => w.job_id === jobId);
  if (!task && !worker) return notFound(`job ${jobId}`);
  if (task && !finalStatuses.has(task.status)) stopTask(st, task, new Date().toISOString());
  st.jobservice.workers = st.jobservice.workers.filter((w) => w.job_id !== jobId);
  return { status: 200 };
}

/** Routes of `/replication/*` and the jobservice monitor (`/jobservice/*`, Harbor 2.7+). */
export const replicationRoutes: HarborRoutes = (sim) => {
  const st = () => replicationState(sim);
  const api = (method: string, path: RegExp, h: (req: SimRequest) => SimResponse) =>
    sim.route(method, path, requireAuth(sim, h));
  api('GET', /^\/api\/v2\.0\/replication\/policies$/, (req) =>
    paged(req, st().policies, '/api/v2.0/replication/policies'),
  );
  api('GET', /^\/api\/v2\.0\/replication\/policies\/(\d+)$/, (req) => {
    const p = st().policies.find((x) => x.id === Number(req.params[0]));
    return p ? { body: p } : notFound(`policy ${req.params[0]}`);
  });
  api('GET', /^\/api\/v2\.0\/replication\/executions$/, (req) => listExecutions(st(), req));
  api('POST', /^\/api\/v2\.0\/replication\/executions$/, (req) => startExecution(st(), req.json()));
  api('GET', /^\/api\/v2\.0\/replication\/executions\/(\d+)$/, (req) => {
    const e = st().executions.find((x) => x.id === Number(req.params[0]));
    return e ? { body: withCounters(st(), e) } : notFound(`execution ${req.params[0]}`);
  });
  api('PUT', /^\/api\/v2\.0\/replication\/executions\/(\d+)$/, (req) => stopExecution(st(), Number(req.params[0])));
  api('GET', /^\/api\/v2\.0\/replication\/executions\/(\d+)\/tasks$/, (req) => {
    const status = req.query.get('status');
    const list = st().tasks.filter((t) => t.execution_id === Number(req.params[0]) && (!status || t.status === status));
    return paged(req, list, `/api/v2.0/replication/executions/${req.params[0]}/tasks`);
  });
  api('GET', /^\/api\/v2\.0\/replication\/executions\/(\d+)\/tasks\/(\d+)\/log$/, (req) => {
    const log = st().taskLogs[Number(req.params[1])];
    return log === undefined
      ? notFound(`log of task ${req.params[1]}`)
      : { body: log, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  });
  const monitor = (h: (req: SimRequest) => SimResponse) => (req: SimRequest) =>
    st().jobservice.monitor ? h(req) : notFound('page');
  api(
    'GET',
    /^\/api\/v2\.0\/jobservice\/queues$/,
    monitor(() => ({ body: st().jobservice.queues })),
  );
  api(
    'GET',
    /^\/api\/v2\.0\/jobservice\/pools$/,
    monitor(() => ({ body: st().jobservice.pools })),
  );
  api(
    'GET',
    /^\/api\/v2\.0\/jobservice\/pools\/([^/]+)\/workers$/,
    monitor((req) => ({
      body: st().jobservice.workers.filter((w) => req.params[0] === 'all' || w.pool_id === req.params[0]),
    })),
  );
  api(
    'PUT',
    /^\/api\/v2\.0\/jobservice\/jobs\/([^/]+)$/,
    monitor((req) => stopJob(st(), req.params[0] ?? '')),
  );
};
