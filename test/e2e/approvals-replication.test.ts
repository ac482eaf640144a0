import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { replicationState } from '../../src/sim/harbor-replication-state.js';
import { stuckReplication } from '../../src/sim/replication-scenarios.js';
import {
  auditTrail,
  click,
  runWidgetCheck,
  startApprovalHarness,
  waitUntil,
  type Harness,
} from '../support/approvals-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startApprovalHarness({
    redisUrl: inject('redisUrl'),
    name: 'approvals-replication',
    registry,
    remediations: '[stop-replication-execution]',
  });
  h.harbor.state.replication = stuckReplication(new Date());
});
afterAll(async () => {
  await h?.close();
});

const stopRequests = () =>
  h.harbor.requests.filter((r) => r.method === 'PUT' && r.path === '/api/v2.0/replication/executions/118');

describe('approving a real remediation: stop-replication-execution on the simulated Harbor', () => {
  it('plans the exact PUT, stops execution 118 exactly once for concurrent clicks, verifies, and reports', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER', 'harbor/prod', 'replication-stuck');
    const id = p.approvals['stop-replication-execution'] as string;
    expect(id).toBeDefined();
    const blocks = JSON.stringify(p.blocks);
    expect(blocks).toContain('PUT /api/v2.0/replication/executions/118');
    expect(blocks).toContain('status: InProgress → Stopped');
    // stop-jobservice-job is not in this Harbor's allow list: advice without buttons.
    expect(p.approvals['stop-jobservice-job']).toBeUndefined();
    expect(blocks).toContain('not enabled on harbor/prod; add \\"stop-jobservice-job\\"');

    await Promise.all(
      ['U0APPROVER1', 'U0APPROVER2', 'U0ONCALL', 'U0APPROVER1', 'U0APPROVER2'].map((u) =>
        click(h, p, u, 'approve', id),
      ),
    );
    const result = await waitUntil('the result in the thread', () =>
      h.slack
        .callsOf('chat.postMessage')
        .find(
          (c) => c.args.thread_ts === p.threadTs && String(c.args.text).startsWith('stop-replication-execution on '),
        ),
    );
    expect(String(result.args.text)).toBe('stop-replication-execution on harbor/prod: done and verified');
    expect(JSON.stringify(result.args.blocks)).toContain('execution 118 is Stopped and no task is active');
    expect(stopRequests()).toHaveLength(1);
    expect(replicationState(h.harbor).executions.find((e) => e.id === 118)?.status).toBe('Stopped');
    const trail = await auditTrail(h, id);
    expect(trail.filter((e) => e.startsWith('remediation.clicked'))).toHaveLength(5);
    expect(trail.filter((e) => !e.startsWith('remediation.clicked'))).toEqual([
      'remediation.proposed:pending',
      'remediation.approved:approved',
      'remediation.executing:started',
      'remediation.executed:ok',
      'remediation.verified:ok',
    ]);
    expect(await h.runtime.metrics.registry.metrics()).toContain(
      'harbor_pilot_remediation_outcomes_total{remediation="stop-replication-execution",outcome="verified"} 1',
    );
  });

  it('refuses a second approval of the same fix once the execution is no longer in progress', async () => {
    replicationState(h.harbor).executions.find((e) => e.id === 118)!.status = 'InProgress';
    const p = await runWidgetCheck(h, 'U0RESPONDER', 'harbor/prod', 'replication-stuck');
    const id = p.approvals['stop-replication-execution'] as string;
    replicationState(h.harbor).executions.find((e) => e.id === 118)!.status = 'Stopped';
    await click(h, p, 'U0APPROVER2', 'approve', id);
    const result = await waitUntil('the refusal in the thread', () =>
      h.slack
        .callsOf('chat.postMessage')
        .find(
          (c) => c.args.thread_ts === p.threadTs && String(c.args.text).startsWith('stop-replication-execution on '),
        ),
    );
    expect(String(result.args.text)).toContain('refused');
    expect(stopRequests()).toHaveLength(1);
  });
});
