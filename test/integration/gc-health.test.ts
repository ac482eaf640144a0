import { describe, expect, it } from 'vitest';
import check from '../../jobs/gc-health.js';
import { gcFailing, healthyAdmin } from '../../src/sim/admin-scenarios.js';
import { adminState } from '../../src/sim/harbor-admin-state.js';
import { harborDeps, runOn, useHarborSim } from '../support/harbor-context.js';

const now = new Date('2026-12-05T10:00:00Z');
const harbor = useHarborSim((sim) => {
  sim.state.admin = healthyAdmin(now);
});

describe('gc-health', () => {
  it('finds nothing when an old failure was followed by successful runs, and reads no log', async () => {
    expect(adminState(harbor).gcRuns.some((r) => r.job_status === 'Error')).toBe(true);
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run).toMatchObject({ status: 'ok', findings: [] });
    expect(harbor.requests.map((r) => r.path)).toEqual(['/api/v2.0/system/gc']);
  });

  it('reports a failed latest run with the streak, the last success and a scrubbed log tail', async () => {
    harbor.state.admin = gcFailing(now);
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings).toHaveLength(1);
    const [f] = run.findings;
    expect(f).toMatchObject({
      cause: 'gc-failed',
      severity: 'warning',
      title: 'Garbage collection run 45 failed (3 in a row)',
      resource: { kind: 'GarbageCollection', name: '45', namespace: null },
    });
    const ev = f?.evidence.join('\n') ?? '';
    expect(ev).toContain('run 45 (SCHEDULE) job_status=Error');
    expect(ev).toContain('failed or stopped in a row: 45 Error, 44 Error, 43 Error; the last successful run was 42');
    expect(ev).toContain('s3aws: AccessDenied: Access Denied');
    expect(ev).toContain('redis://[redacted]@harbor-redis:6379/1');
    expect(ev).not.toContain('s3cr3t');
    expect(ev).not.toContain('job_parameters');
    expect(harbor.requests.map((r) => r.path)).toContain('/api/v2.0/system/gc/45/log');
  });

  it('reports a stopped latest run, skips one still running, and copes with a missing log', async () => {
    const st = adminState(harbor);
    const newest = st.gcRuns[0];
    if (!newest) throw new Error('no GC runs');
    newest.job_status = 'Stopped';
    delete st.gcLogs[newest.id];
    st.gcRuns.push({ ...newest, id: newest.id + 1, job_status: 'Running', creation_time: now.toISOString() });
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings.map((f) => [f.title, f.evidence.at(-1)])).toEqual([
      [`Garbage collection run ${newest.id} was stopped (1 in a row)`, `no log for run ${newest.id}`],
    ]);
  });

  it('names the missing permission when Harbor answers 403', async () => {
    harbor.fault({ path: /\/system\/gc$/, status: 403 });
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings[0]).toMatchObject({ cause: 'permission-denied' });
    expect(run.findings[0]?.evidence.join('\n')).toContain(
      'the robot account needs system garbage-collection:list and garbage-collection:read',
    );
  });
});
