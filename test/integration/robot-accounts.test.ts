import { describe, expect, it } from 'vitest';
import check from '../../jobs/robot-accounts.js';
import { healthyAdmin, robotsExpiring } from '../../src/sim/admin-scenarios.js';
import { adminState } from '../../src/sim/harbor-admin-state.js';
import { healthyReplication } from '../../src/sim/replication-scenarios.js';
import { replicationState } from '../../src/sim/harbor-replication-state.js';
import { harborDeps, runOn, useHarborSim } from '../support/harbor-context.js';

const now = new Date('2026-12-05T10:00:00Z');
const harbor = useHarborSim((sim) => {
  sim.state.admin = healthyAdmin(now);
  sim.state.replication = healthyReplication(now);
});

describe('robot-accounts', () => {
  it('finds nothing with robots that never expire, expire far ahead, or are disabled and long expired', async () => {
    const disabled = adminState(harbor).robots.find((r) => r.disable);
    expect(disabled && disabled.expires_at * 1000 < now.getTime()).toBe(true);
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run).toMatchObject({ status: 'ok', findings: [] });
    expect(harbor.requests.map((r) => r.path)).toEqual(['/api/v2.0/robots']);
  });

  it('raises an expiring robot that an enabled replication policy uses to critical, and says which', async () => {
    harbor.state.admin = robotsExpiring(now);
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings.map((f) => [f.cause, f.severity, f.resource.name])).toEqual([
      ['robot-expiring', 'critical', 'robot$dr-replicator'],
      ['robot-expired', 'warning', 'robot$library+ci'],
    ]);
    const used = run.findings[0];
    expect(used?.title).toBe('Robot account robot$dr-replicator expires in 3d and is in use');
    expect(used?.evidence).toContain(
      'used by enabled replication policy "mirror-library" (policy 1) through registry endpoint dr-site (https://harbor-dr.example.com)',
    );
    expect(run.findings[1]?.summary).toContain('nothing the bot can see');
    expect(used?.summary).toMatch(
      /^Enabled replication policy "mirror-library" \(policy 1\) through registry endpoint dr-site/,
    );
    expect(JSON.stringify(run.findings)).not.toMatch(/dr-secret|\*\*\*\*\*/);
  });

  it('does not raise it when the policy is disabled', async () => {
    harbor.state.admin = robotsExpiring(now);
    for (const p of replicationState(harbor).policies) p.enabled = false;
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings.find((f) => f.resource.name === 'robot$dr-replicator')?.severity).toBe('warning');
  });

  it("reports the bot's own robot as critical once expired", async () => {
    const pilot = adminState(harbor).robots.find((r) => r.name === 'robot$pilot');
    if (!pilot) throw new Error('no robot$pilot');
    pilot.expires_at = Math.floor(now.getTime() / 1000) - 3600;
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings).toEqual([
      expect.objectContaining({
        cause: 'robot-expired',
        severity: 'critical',
        title: 'Robot account robot$pilot expired 1h ago and is in use',
      }),
    ]);
    expect(run.findings[0]?.evidence).toContain("used by harbors[prod].username: the bot's own credentials");
  });

  it('names the missing permission when Harbor answers 403', async () => {
    harbor.fault({ path: /\/robots$/, status: 403 });
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings[0]?.evidence.join('\n')).toContain('the robot account needs system robot:list and robot:read');
  });
});
