import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditTrail,
  click,
  runWidgetCheck,
  startApprovalHarness,
  waitUntil,
  widgetWrites,
  type Harness,
} from '../support/approvals-harness.js';
import { startSentinelSet, type SentinelSet } from '../support/redis-topologies.js';

// Approvals on a Sentinel-watched Redis (one master, one replica, three sentinels): the master dies
// while a proposal waits, and again while an approved fix executes.
let set: SentinelSet;
let h: Harness;

beforeAll(async () => {
  set = await startSentinelSet();
  h = await startApprovalHarness({ redisUrl: 'redis://127.0.0.1:6379', name: 'sentinel-approval', redisEnv: set.env });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await set?.close();
});

function resultFor(threadTs: string): string | undefined {
  const reply = h.slack
    .callsOf('chat.postMessage')
    .find((c) => c.args.thread_ts === threadTs && String(c.args.text).startsWith('unjam-widget on '));
  return reply ? JSON.stringify(reply.args) : undefined;
}

describe('approvals across Sentinel failovers', () => {
  it('a pending approval survives a failover, and a fix approved during another runs exactly once', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    expect((await h.store.state(id))?.state).toBe('pending');

    expect(await set.killMaster()).toBe(set.replica.port);
    expect((await h.store.state(id))?.state).toBe('pending');
    await set.revive();

    // The master dies while the approved fix is on its way to Harbor.
    h.harbor.fault({ path: /\/fixture\/widgets\/7\/unjam/, delayMs: 1500 });
    await click(h, p, 'U0APPROVER1', 'approve', id);
    await waitUntil(
      'the fix to start',
      () => widgetWrites(h).length > 0 || h.harbor.requests.some((r) => r.path.includes('/unjam')),
    );
    expect(await set.killMaster()).toBe(set.master.port);

    const result = await waitUntil('the result in the thread', () => resultFor(p.threadTs), 40_000);
    expect(result).toContain('done and verified');
    expect(widgetWrites(h)).toEqual(['POST /api/v2.0/fixture/widgets/7/unjam']);
    expect((await h.store.state(id))?.state).toBe('done');
    const trail = await auditTrail(h, id);
    for (const step of ['remediation.approved:approved', 'remediation.executed:ok', 'remediation.verified:ok']) {
      expect(trail.filter((t) => t === step)).toEqual([step]);
    }
    const replies = h.slack
      .callsOf('chat.postMessage')
      .filter((c) => String(c.args.text).startsWith('unjam-widget on '));
    expect(replies).toHaveLength(1);
  }, 90_000);
});
