import { describe, expect, it } from 'vitest';
import check from '../../jobs/project-quota.js';
import { healthyAdmin, quotaPressure } from '../../src/sim/admin-scenarios.js';
import { sampleRegistry } from '../../src/sim/artifact-scenarios.js';
import { adminState } from '../../src/sim/harbor-admin-state.js';
import { harborDeps, runOn, useHarborSim } from '../support/harbor-context.js';

const now = new Date('2026-12-05T10:00:00Z');
const GiB = 1024 ** 3;
const harbor = useHarborSim((sim) => {
  sim.state.admin = healthyAdmin(now);
  sim.state.artifacts = sampleRegistry(now);
});

describe('project-quota', () => {
  it('finds nothing with an unlimited quota (-1) and one at 32%, and reads the quotas by project', async () => {
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run).toMatchObject({ status: 'ok', findings: [] });
    const read = harbor.requests.find((r) => r.path === '/api/v2.0/quotas');
    expect(read?.query.get('reference')).toBe('project');
  });

  it('never reports an unlimited quota, however much it holds', async () => {
    adminState(harbor).quotas[0] = {
      ...adminState(harbor).quotas[0],
      id: 1,
      hard: { storage: -1 },
      used: { storage: 900 * GiB },
    };
    expect((await runOn(check, harborDeps(harbor, { now }))).findings).toEqual([]);
  });

  it('reports a project near its limit (warning) and one over it (critical), with numbers and largest repositories', async () => {
    harbor.state.admin = quotaPressure(now);
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings.map((f) => [f.cause, f.severity, f.resource])).toEqual([
      ['quota-exceeded', 'critical', { kind: 'Project', name: 'library', namespace: null }],
      ['quota-near-limit', 'warning', { kind: 'Project', name: 'team', namespace: null }],
    ]);
    const [over, near] = run.findings;
    expect(over?.title).toBe('Project library is over its storage quota: 2.3 GiB of 2 GiB (114%)');
    expect(over?.summary).toContain('QUOTA_EXCEED');
    expect(near?.title).toBe('Project team is near its storage quota: 9.4 GiB of 10 GiB (94%)');
    expect(near?.evidence[0]).toBe(
      `GET /api/v2.0/quotas (quota 2): hard.storage=${10 * GiB} (10 GiB), used.storage=${Math.round(9.4 * GiB)} (9.4 GiB), 94%`,
    );
    expect(near?.evidence.slice(1)).toEqual([
      'repository team/app/backend: 2 artifacts, 9.5 KiB',
      'repository team/tools: 1 artifacts, 4.8 KiB',
    ]);
    expect(over?.remediations).toEqual([]);
  });

  it('looks at one project when a quota notification names it, and honours nearPercent', async () => {
    harbor.state.admin = quotaPressure(now);
    const one = await runOn(check, harborDeps(harbor, { now }), { project: 'team' });
    expect(one.findings.map((f) => f.resource.name)).toEqual(['team']);
    const strict = await runOn(check, harborDeps(harbor, { now }), { nearPercent: 99 });
    expect(strict.findings.map((f) => f.cause)).toEqual(['quota-exceeded']);
  });

  it('names the missing permission when Harbor answers 403', async () => {
    harbor.fault({ path: /\/quotas$/, status: 403 });
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.status).toBe('error');
    expect(run.findings[0]).toMatchObject({ cause: 'permission-denied' });
    expect(run.findings[0]?.evidence.join('\n')).toContain('the robot account needs system quota:list and quota:read');
  });
});
