import { defineGate, fail, pass } from './gate.js';

const ago = (now: Date, iso: string | null | undefined) =>
  iso ? `${Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 60_000))} min ago` : 'at an unknown time';

export const replicationsIdleGate = defineGate({
  id: 'replications-idle',
  title: 'No replication is running',
  on: 'harbor',
  causes: ['replication-in-progress'],
  async run(ctx) {
    const running = await ctx.harbor().listReplicationExecutions({ status: 'InProgress', max: 50 }, ctx.signal);
    if (running.length === 0) return pass('no replication execution is in progress');
    const first = running[0] as (typeof running)[number];
    return fail({
      cause: 'replication-in-progress',
      title: `${running.length} replication execution${running.length === 1 ? '' : 's'} in progress`,
      summary:
        `Upgrading restarts jobservice and interrupts running executions, which can leave them stuck in ` +
        `InProgress (failure mode E). Let them finish, or stop them (stop-replication-execution), before upgrading.`,
      resource: { kind: 'ReplicationExecution', name: String(first.id), namespace: null },
      evidence: running
        .slice(0, 10)
        .map(
          (e) =>
            `execution ${e.id} of policy ${e.policy_id}: status ${e.status}, started ${ago(ctx.now(), e.start_time)}`,
        ),
    });
  },
});

export const componentsHealthyGate = defineGate({
  id: 'components-healthy',
  title: 'Every Harbor component is healthy',
  on: 'harbor',
  causes: ['component-unhealthy', 'target-unreachable'],
  async run(ctx) {
    const health = await ctx.harbor().getHealth(ctx.signal);
    const bad = health.components.filter((c) => c.status !== 'healthy');
    if (bad.length === 0 && health.status === 'healthy')
      return pass(`all ${health.components.length} components report healthy`);
    const first = bad[0];
    return fail({
      cause: 'component-unhealthy',
      severity: 'critical',
      title: bad.length
        ? `Harbor components unhealthy before the upgrade: ${bad.map((c) => c.name).join(', ')}`
        : `Harbor reports overall status ${health.status}`,
      summary:
        'Fix what is broken first: an upgrade on top of an unhealthy Harbor mixes two problems, and after it ' +
        'nobody can tell which one broke what.',
      resource: { kind: 'HarborComponent', name: first?.name ?? 'overall', namespace: null },
      evidence: bad.map(
        (c) =>
          `GET /api/v2.0/health: ${c.name} status=${c.status}${c.error ? ` error="${c.error.slice(0, 200)}"` : ''}`,
      ),
    });
  },
});
