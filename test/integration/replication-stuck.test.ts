import { describe, expect, it } from 'vitest';
import check, { stopJobserviceJob, stopReplicationExecution } from '../../jobs/replication-stuck.js';
import { registry } from '../../jobs/index.js';
import { replicationState } from '../../src/sim/harbor-replication-state.js';
import { executionHistory, healthyReplication, stuckReplication } from '../../src/sim/replication-scenarios.js';
import { applyRemediation, harborDeps, remediationContext, runOn, useHarborSim } from '../support/harbor-context.js';

const now = new Date();
const harbor = useHarborSim((harbor) => {
  harbor.state.replication = healthyReplication(now);
});

const puts = () => harbor.requests.filter((r) => r.method === 'PUT').map((r) => r.path);

describe('replication-stuck', () => {
  it('finds nothing on a healthy Harbor', async () => {
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.status).toBe('ok');
    expect(run.findings).toEqual([]);
    expect(
      harbor.requests.some(
        (r) => r.path === '/api/v2.0/replication/executions' && r.query.get('status') === 'InProgress',
      ),
    ).toBe(true);
  });

  it('reports an execution running far past its usual duration, with jobservice evidence and both fixes', async () => {
    harbor.state.replication = stuckReplication(now);
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.status).toBe('findings');
    const [f] = run.findings;
    expect(f).toMatchObject({
      cause: 'replication-stuck',
      severity: 'warning',
      title: 'Replication execution 118 in progress for 5h',
      resource: { kind: 'ReplicationExecution', name: '118' },
    });
    expect(f?.summary).toContain('"mirror-library"');
    expect(f?.summary).toContain('stop-replication-execution');
    const ev = f?.evidence.join('\n') ?? '';
    expect(ev).toContain('status=InProgress');
    expect(ev).toMatch(/usual duration of policy 1 .* = 11m; threshold = max\(floor 1h, 3 x usual\) = 1h/);
    expect(ev).toContain('2 of 4 tasks still active; last task finished 4h30m ago');
    expect(ev).toContain('REPLICATION count=37 latency=16200s');
    expect(ev).toMatch(/pool a1b2c3 on harbor-jobservice-7d9f-x2 heartbeat_at=.* \(2h50m ago\)/);
    expect(ev).toContain('task 904 (job_id=b3f1c2d4e5a6904) is InProgress but runs on no jobservice worker');
    expect(f?.remediations.map((r) => [r.id, r.params])).toEqual([
      ['stop-replication-execution', { harbor: 'prod', executionId: 118 }],
      ['stop-jobservice-job', { harbor: 'prod', executionId: 118, taskId: 903, jobId: 'b3f1c2d4e5a6903' }],
      ['stop-jobservice-job', { harbor: 'prod', executionId: 118, taskId: 904, jobId: 'b3f1c2d4e5a6904' }],
    ]);
    for (const r of f?.remediations ?? []) expect(registry.remediation(r.id)).toBeDefined();
  });

  it('reports a long policy whose tasks stopped finishing, before its duration threshold', async () => {
    const st = replicationState(harbor);
    st.executions = executionHistory(now, 1, 100, 240);
    st.executions.push({
      id: 150,
      policy_id: 1,
      status: 'InProgress',
      start_time: new Date(now.getTime() - 3 * 3600_000).toISOString(),
      total: 0,
      failed: 0,
      succeed: 0,
      in_progress: 0,
      stopped: 0,
    });
    st.tasks = [
      {
        id: 1,
        execution_id: 150,
        status: 'Succeed',
        job_id: 'j1',
        start_time: new Date(now.getTime() - 3 * 3600_000).toISOString(),
        end_time: new Date(now.getTime() - 2 * 3600_000).toISOString(),
      },
      {
        id: 2,
        execution_id: 150,
        status: 'InProgress',
        job_id: 'j2',
        start_time: new Date(now.getTime() - 3 * 3600_000).toISOString(),
      },
    ];
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings.map((f) => f.resource.name)).toEqual(['150']);
    expect(run.findings[0]?.evidence.join('\n')).toContain('threshold = max(floor 1h, 3 x usual) = 12h');
    expect(run.findings[0]?.summary).toContain('no task finished for 2h');
    const quiet = await runOn(check, harborDeps(harbor, { now }), { stallMinutes: 180 });
    expect(quiet.findings).toEqual([]);
  });

  it('gives no error and no jobservice fix on a Harbor without the jobservice monitor (before 2.7)', async () => {
    harbor.state.replication = stuckReplication(now);
    replicationState(harbor).jobservice.monitor = false;
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.status).toBe('findings');
    expect(run.findings[0]?.evidence.join('\n')).not.toContain('jobservice/queues');
    expect(run.findings[0]?.remediations.map((r) => r.id)).toEqual(['stop-replication-execution']);
    expect(run.findings[0]?.summary).toContain('not possible before Harbor 2.7');
  });

  it('still reports an execution whose policy was deleted', async () => {
    harbor.state.replication = stuckReplication(now);
    replicationState(harbor).policies = replicationState(harbor).policies.filter((p) => p.id !== 1);
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.status).toBe('findings');
    expect(run.findings[0]?.summary).toMatch(/^Execution 118 of policy 1 has run 5h/);
  });

  it('names the missing permission when Harbor answers 403', async () => {
    harbor.fault({
      path: /\/replication\/executions$/,
      status: 403,
      body: { errors: [{ code: 'FORBIDDEN', message: 'forbidden' }] },
    });
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.status).toBe('error');
    expect(run.findings[0]).toMatchObject({ cause: 'permission-denied' });
    expect(run.findings[0]?.evidence.join('\n')).toContain('GET /replication/executions → 403');
    expect(run.findings[0]?.evidence.join('\n')).toContain(
      'the robot account needs system replication:list and replication:read',
    );
  });

  it('stops the execution: plan, execute, verify', async () => {
    harbor.state.replication = stuckReplication(now);
    const deps = harborDeps(harbor, { now });
    const r = await applyRemediation(stopReplicationExecution, deps, { harbor: 'prod', executionId: 118 });
    expect(r.plan).toMatchObject({
      requests: ['PUT /api/v2.0/replication/executions/118'],
      expect: { status: 'InProgress' },
    });
    expect(r.outcome?.ok).toBe(true);
    expect(r.verified).toEqual({ ok: true, detail: 'execution 118 is Stopped and no task is active' });
    expect(puts()).toEqual(['/api/v2.0/replication/executions/118']);
    expect(
      replicationState(harbor)
        .tasks.filter((t) => t.execution_id === 118)
        .map((t) => t.status),
    ).toEqual(['Succeed', 'Succeed', 'Stopped', 'Stopped']);
  });

  it('refuses when the execution finished between detection and remediation, and stops nothing', async () => {
    harbor.state.replication = stuckReplication(now);
    const exec = replicationState(harbor).executions.find((e) => e.id === 118);
    if (exec) Object.assign(exec, { status: 'Succeed', end_time: now.toISOString() });
    const r = await applyRemediation(stopReplicationExecution, harborDeps(harbor, { now }), {
      harbor: 'prod',
      executionId: 118,
    });
    expect(r.plan.refuse).toContain('execution 118 is already Succeed');
    expect(r.outcome).toBeNull();
    expect(puts()).toEqual([]);
  });

  it('execute re-checks the planned state', async () => {
    harbor.state.replication = stuckReplication(now);
    const deps = harborDeps(harbor, { now });
    const ctx = remediationContext(deps);
    const params = { harbor: 'prod', executionId: 118 };
    const plan = await stopReplicationExecution.plan(ctx, params);
    const exec = replicationState(harbor).executions.find((e) => e.id === 118);
    if (exec) exec.status = 'Failed';
    expect(await stopReplicationExecution.execute(ctx, params, plan)).toMatchObject({ ok: false });
    expect(puts()).toEqual([]);
  });

  it('when the jobservice ignores the stop, verify says so and stop-jobservice-job clears the task', async () => {
    harbor.state.replication = stuckReplication(now);
    replicationState(harbor).jobservice.ignoresStop = true;
    const deps = harborDeps(harbor, { now });
    const first = await applyRemediation(stopReplicationExecution, deps, { harbor: 'prod', executionId: 118 });
    expect(first.verified?.ok).toBe(false);
    expect(first.verified?.detail).toContain('2 active task(s) (903, 904)');
    const job = await applyRemediation(stopJobserviceJob, deps, {
      harbor: 'prod',
      executionId: 118,
      taskId: 903,
      jobId: 'b3f1c2d4e5a6903',
    });
    expect(job.plan.requests).toEqual(['PUT /api/v2.0/jobservice/jobs/b3f1c2d4e5a6903']);
    expect(job.verified).toEqual({ ok: true, detail: 'task 903 is Stopped' });
    expect(puts()).toContain('/api/v2.0/jobservice/jobs/b3f1c2d4e5a6903');
    expect(replicationState(harbor).jobservice.workers).toEqual([]);
    const again = await applyRemediation(stopJobserviceJob, deps, {
      harbor: 'prod',
      executionId: 118,
      taskId: 903,
      jobId: 'b3f1c2d4e5a6903',
    });
    expect(again.plan.refuse).toContain('task 903 is already Stopped');
  });

  it('refuses stop-jobservice-job on a Harbor without the monitor API', async () => {
    harbor.state.replication = stuckReplication(now);
    replicationState(harbor).jobservice.monitor = false;
    const r = await applyRemediation(stopJobserviceJob, harborDeps(harbor, { now }), {
      harbor: 'prod',
      executionId: 118,
      taskId: 904,
      jobId: 'b3f1c2d4e5a6904',
    });
    expect(r.plan.refuse).toContain('restart the jobservice Deployment');
    expect(puts()).toEqual([]);
  });
});
