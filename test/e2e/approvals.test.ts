import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  auditTrail,
  botToken,
  click,
  ephemeralsTo,
  findingPostedAfter,
  harborPassword,
  runWidgetCheck,
  secret,
  startApprovalHarness,
  waitUntil,
  widgetWrites,
  type Harness,
  type Posted,
} from '../support/approvals-harness.js';
import { widgetsOf } from '../fixtures/widgets.js';
import { postSigned, slashBody } from '../support/helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startApprovalHarness({ redisUrl: inject('redisUrl'), name: 'approvals' });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  for (const w of widgetsOf(h.harbor)) w.status = 'jammed';
  h.harbor.clearFaults();
  h.clock.ms = Date.now();
});

/** The thread reply about one remediation's outcome. */
async function resultIn(p: Posted, remediation: string, nth = 1): Promise<string> {
  const replies = await waitUntil('the result in the thread', () => {
    const found = h.slack
      .callsOf('chat.postMessage')
      .filter((c) => c.args.thread_ts === p.threadTs && String(c.args.text).startsWith(`${remediation} on `));
    return found.length >= nth ? found : undefined;
  });
  return JSON.stringify(replies.at(-1)?.args);
}

function messageOf(p: Posted): string {
  return JSON.stringify(h.slack.state.messages.get(`${p.channel}/${p.ts}`)?.blocks ?? []);
}

describe('remediation approvals end to end', () => {
  it('shows the plan and buttons where a remediation is enabled, advice only elsewhere', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    expect(Object.keys(p.approvals).sort()).toEqual(['replace-widget', 'unjam-widget']);
    const blocks = JSON.stringify(p.blocks);
    expect(blocks).toContain('POST /api/v2.0/fixture/widgets/7/unjam');
    expect(blocks).toContain('status: jammed → ok');
    const actions = (
      p.blocks as { type: string; elements?: { action_id: string; confirm?: unknown; value: string }[] }[]
    ).filter((b) => b.type === 'actions');
    const approveOf = (id: string) =>
      actions.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'remediation:approve' && e.value === id);
    expect(approveOf(p.approvals['unjam-widget'] as string)?.confirm).toBeUndefined();
    expect(approveOf(p.approvals['replace-widget'] as string)?.confirm).toMatchObject({
      title: { text: 'Run replace-widget?' },
    });

    const locked = await runWidgetCheck(h, 'U0RESPONDER', 'harbor/locked');
    expect(locked.approvals).toEqual({});
    expect(JSON.stringify(locked.blocks)).toContain('not enabled on harbor/locked');
    expect(JSON.stringify(locked.blocks)).not.toContain('remediation:approve');
  });

  it("an outsider's approve changes nothing, is told why, and is audited", async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    await click(h, p, 'U0OUTSIDER', 'approve', id);
    await waitUntil('the ephemeral reply', () => ephemeralsTo(h, 'U0OUTSIDER').length > 0);
    expect(ephemeralsTo(h, 'U0OUTSIDER').at(-1)).toContain('not an approver');
    expect((await h.store.state(id))?.state).toBe('pending');
    expect(widgetWrites(h)).toEqual([]);
    const entries = (await h.audit.latest(50)).filter((e) => e.detail?.includes(id));
    expect(entries[0]).toMatchObject({
      actor: 'U0OUTSIDER',
      action: 'remediation.clicked',
      outcome: 'unauthorized',
      remediation: 'unjam-widget',
      target: 'harbor/prod',
    });
  });

  it('the requester cannot approve their own fix; another approver can', async () => {
    const p = await runWidgetCheck(h, 'U0APPROVER1');
    const id = p.approvals['unjam-widget'] as string;
    await click(h, p, 'U0APPROVER1', 'approve', id);
    await waitUntil('the ephemeral reply', () => ephemeralsTo(h, 'U0APPROVER1').length > 0);
    expect(ephemeralsTo(h, 'U0APPROVER1').at(-1)).toContain('another approver has to approve');
    expect((await h.store.state(id))?.state).toBe('pending');
    expect(await auditTrail(h, id)).toContain('remediation.clicked:self-approval');

    await click(h, p, 'U0APPROVER2', 'approve', id);
    expect(await resultIn(p, 'unjam-widget')).toContain('done and verified');
    expect(widgetWrites(h)).toEqual(['POST /api/v2.0/fixture/widgets/7/unjam']);
  });

  it('an approver from a user group approves: executed once, verified, message updated, every step audited', async () => {
    const writes = widgetWrites(h).length;
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    await click(h, p, 'U0ONCALL', 'approve', id);
    const result = await resultIn(p, 'unjam-widget');
    expect(result).toContain('Approved by <@U0ONCALL>');
    expect(result).toContain('widget sprocket is ok');
    expect(widgetWrites(h).length).toBe(writes + 1);

    const message = messageOf(p);
    expect(message).toContain(':white_check_mark: Approved by <@U0ONCALL> at ');
    // The decided fix lost its buttons; the sibling proposal keeps its own.
    expect(message).not.toContain(`"value":"${id}"`);
    expect(message).toContain(`"value":"${p.approvals['replace-widget']}"`);
    expect(h.slack.callsOf('usergroups.users.list').map((c) => c.args.usergroup)).toContain('S0ONCALL');

    expect(await auditTrail(h, id)).toEqual([
      'remediation.proposed:pending',
      'remediation.approved:approved',
      'remediation.clicked:approved',
      'remediation.executing:started',
      'remediation.executed:ok',
      'remediation.verified:ok',
    ]);
    const [executing] = (await h.audit.latest(100)).filter(
      (e) => e.action === 'remediation.executing' && e.detail?.includes(id),
    );
    expect(executing).toMatchObject({
      actor: 'harbor-pilot',
      remediation: 'unjam-widget',
      params: { harbor: 'prod', widgetId: 7 },
      target: 'harbor/prod',
    });
    expect(executing?.detail).toContain('POST /api/v2.0/fixture/widgets/7/unjam');
  });

  it('a high-risk fix needs two distinct approvers', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['replace-widget'] as string;
    await click(h, p, 'U0APPROVER1', 'approve', id);
    await waitUntil('the first approval', () =>
      ephemeralsTo(h, 'U0APPROVER1').some((t) => t.includes('needs a second')),
    );
    await click(h, p, 'U0APPROVER1', 'approve', id);
    await waitUntil('the duplicate refusal', () =>
      ephemeralsTo(h, 'U0APPROVER1').some((t) => t.includes('already approved this')),
    );
    expect((await h.store.state(id))?.state).toBe('pending');
    expect(messageOf(p)).toContain('Approved so far by <@U0APPROVER1>');
    await click(h, p, 'U0APPROVER2', 'approve', id);
    expect(await resultIn(p, 'replace-widget')).toContain('Approved by <@U0APPROVER1> and <@U0APPROVER2>');
    expect(widgetWrites(h).filter((w) => w.endsWith('/replace'))).toEqual(['POST /api/v2.0/fixture/widgets/7/replace']);
  });

  it('anyone may reject; a rejected fix cannot be approved afterwards', async () => {
    const writes = widgetWrites(h).length;
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    await click(h, p, 'U0OUTSIDER', 'reject', id);
    await waitUntil('the rejection', async () => (await h.store.state(id))?.state === 'rejected');
    await waitUntil('the updated message', () => messageOf(p).includes('Rejected by <@U0OUTSIDER>'));
    await click(h, p, 'U0APPROVER2', 'approve', id);
    await waitUntil('the refusal', () => ephemeralsTo(h, 'U0APPROVER2').some((t) => t.includes('already rejected')));
    expect(widgetWrites(h).length).toBe(writes);
    expect(await auditTrail(h, id)).toEqual([
      'remediation.proposed:pending',
      'remediation.rejected:rejected',
      'remediation.clicked:rejected',
      'remediation.clicked:already-rejected',
    ]);
  });

  it('an expired approval refuses and offers a re-run (injected clock)', async () => {
    const writes = widgetWrites(h).length;
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    await click(h, p, 'U0APPROVER2', 'rerun', id);
    await waitUntil('the refused re-run', () =>
      ephemeralsTo(h, 'U0APPROVER2').some((t) => t.includes('Only an expired proposal')),
    );
    h.clock.ms += 61 * 60_000;
    await click(h, p, 'U0APPROVER2', 'approve', id);
    await waitUntil('the refusal', () =>
      ephemeralsTo(h, 'U0APPROVER2').some((t) => t.includes('This approval expired')),
    );
    expect(ephemeralsTo(h, 'U0APPROVER2').at(-1)).toContain('/harbor check widget-jammed harbor/prod');
    expect((await h.store.state(id))?.state).toBe('expired');
    expect(messageOf(p)).toContain(':hourglass: Expired at');
    expect(widgetWrites(h).length).toBe(writes);
    expect(await auditTrail(h, id)).toEqual([
      'remediation.proposed:pending',
      'remediation.clicked:not-expired',
      'remediation.expired:expired',
      'remediation.clicked:expired',
    ]);

    // Its sibling, proposed with it, expired with it: the message keeps no stale buttons.
    expect(await auditTrail(h, p.approvals['replace-widget'] as string)).toEqual([
      'remediation.proposed:pending',
      'remediation.expired:expired',
    ]);
    expect(messageOf(p)).not.toContain('remediation:approve');
    // Its button runs the check again: a new thread in the channel, the finding with fresh buttons.
    expect(messageOf(p)).toContain('"action_id":"remediation:rerun"');
    const before = new Set(h.slack.state.messages.keys());
    await click(h, p, 'U0APPROVER2', 'rerun', id);
    const fresh = await findingPostedAfter(h, before);
    expect(fresh.channel).toBe(p.channel);
    expect(fresh.threadTs).not.toBe(p.threadTs);
    expect(ephemeralsTo(h, 'U0APPROVER2').at(-1)).toContain('Re-running `widget-jammed` on `harbor/prod`');
    const freshId = fresh.approvals['unjam-widget'] as string;
    expect(freshId).not.toBe(id);
    expect((await h.store.state(freshId))?.state).toBe('pending');
    expect((await auditTrail(h, id)).at(-1)).toBe('remediation.clicked:rerun');
    expect(widgetWrites(h).length).toBe(writes);
  });

  it('proposals nobody decides expire by themselves: the buttons give way to the re-run', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const ids = Object.values(p.approvals);
    const groupId = (await h.store.get(ids[0] as string))?.groupId as string;
    const expiry = await h.runtime.queues.remediations.getJob(`expire-${groupId}`);
    expect(expiry && (await expiry.getState())).toBe('delayed');
    expect(expiry?.opts.delay).toBe(60 * 60_000 + 1000);

    h.clock.ms += 61 * 60_000;
    await expiry?.promote();
    await waitUntil('the expired message', () => !messageOf(p).includes('remediation:approve'));
    expect(messageOf(p)).toContain(':hourglass: Expired at');
    expect(messageOf(p)).toContain('"action_id":"remediation:rerun"');
    for (const id of ids) {
      expect((await h.store.state(id))?.state).toBe('expired');
      expect(await auditTrail(h, id)).toEqual(['remediation.proposed:pending', 'remediation.expired:expired']);
    }
  });

  it('an approval whose Redis TTL ran out refuses the same way', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    await h.redis.del(`${h.env.HARBOR_PILOT_QUEUE_PREFIX}:approval:${id}:pending`);
    await click(h, p, 'U0APPROVER1', 'approve', id);
    await click(h, p, 'U0APPROVER2', 'approve', id);
    await waitUntil(
      'two refusals',
      async () => (await auditTrail(h, id)).filter((e) => e === 'remediation.clicked:expired').length === 2,
    );
    // The two clicks race; whichever noticed the expiry audits it once.
    expect((await auditTrail(h, id)).sort()).toEqual([
      'remediation.clicked:expired',
      'remediation.clicked:expired',
      'remediation.expired:expired',
      'remediation.proposed:pending',
    ]);
    await waitUntil('the re-run offer', () =>
      ephemeralsTo(h, 'U0APPROVER2').at(-1)?.includes('re-run `/harbor check widget-jammed harbor/prod`'),
    );
    expect(messageOf(p)).toContain(':hourglass: Expired at');
  });

  it('a finding that resolved itself before the click refuses and changes nothing', async () => {
    const writes = widgetWrites(h).length;
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    (widgetsOf(h.harbor)[0] as { status: string }).status = 'ok';
    await click(h, p, 'U0APPROVER2', 'approve', id);
    const result = await resultIn(p, 'unjam-widget', 1);
    expect(result).toContain('refused');
    expect(result).toContain('the finding no longer holds');
    expect(widgetWrites(h).length).toBe(writes);
    expect(messageOf(p)).toContain(':no_entry:');
    expect(await auditTrail(h, id)).toEqual([
      'remediation.proposed:pending',
      'remediation.approved:approved',
      'remediation.clicked:approved',
      'remediation.refused:refused',
    ]);
  });

  it('reports an upstream failure in the thread with the error', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    h.harbor.fault({
      method: 'POST',
      path: /\/fixture\/widgets\/7\/unjam$/,
      status: 500,
      body: { errors: [{ code: 'INTERNAL', message: 'widget motor on fire' }] },
    });
    await click(h, p, 'U0APPROVER2', 'approve', id);
    const result = await resultIn(p, 'unjam-widget');
    expect(result).toContain(':x:');
    expect(result).toContain('widget motor on fire');
    expect((await h.store.state(id))?.state).toBe('failed');
    expect(await auditTrail(h, id)).toContain('remediation.executed:failed');
  });

  it('a failed update of the buttons message does not hold up an approved fix', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    await waitUntil('the diagnosis summary', () =>
      h.slack.callsOf('chat.update').some((c) => c.args.ts === p.threadTs),
    );
    h.slack.fault({
      path: /\/api\/chat\.update$/,
      status: 200,
      body: { ok: false, error: 'internal_error' },
      times: 1,
    });
    await click(h, p, 'U0APPROVER2', 'approve', id);
    expect(await resultIn(p, 'unjam-widget')).toContain('done and verified');
    expect(h.logs.some((l) => l.includes('approval message update failed') && l.includes(id))).toBe(true);
    await waitUntil('the final message update', () =>
      messageOf(p).includes(':white_check_mark: Approved by <@U0APPROVER2>'),
    );
    expect(ephemeralsTo(h, 'U0APPROVER2').some((t) => t.includes('Something went wrong'))).toBe(false);
  });

  it('20 concurrent approve clicks run the fix exactly once', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    const before = widgetWrites(h).length;
    const users = ['U0APPROVER1', 'U0APPROVER2', 'U0ONCALL', 'U0OUTSIDER'];
    await Promise.all(Array.from({ length: 20 }, (_, i) => click(h, p, users[i % 4] as string, 'approve', id)));
    await resultIn(p, 'unjam-widget');
    await waitUntil(
      '20 audited clicks',
      async () => (await auditTrail(h, id)).filter((e) => e.startsWith('remediation.clicked')).length === 20,
    );
    expect(widgetWrites(h).length).toBe(before + 1);
    const trail = await auditTrail(h, id);
    expect(trail.filter((e) => e === 'remediation.approved:approved')).toHaveLength(1);
    expect(trail.filter((e) => e === 'remediation.executing:started')).toHaveLength(1);
    expect(trail.filter((e) => e === 'remediation.clicked:unauthorized')).toHaveLength(5);
    expect(
      (await h.runtime.queues.remediations.getJobs(['completed', 'active', 'waiting', 'failed'])).filter(
        (j) => j.data.approvalId === id,
      ),
    ).toHaveLength(1);
  });

  it('shows the audit trail with /harbor audit', async () => {
    const res = await postSigned(
      h.events,
      slashBody({ text: 'audit 5', user: 'U0RESPONDER', responseUrl: h.slack.responseUrl('audit') }),
      secret,
    );
    expect(res.status).toBe(200);
    const reply = await waitUntil('the audit reply', () => h.slack.responses.find((r) => r.id === 'audit'));
    const text = JSON.stringify(reply.body);
    expect(text).toContain('remediation.');
    expect(text).toContain('unjam-widget');
  });

  it('never posts, logs, enqueues or audits a secret', async () => {
    const jobs = await h.runtime.queues.remediations.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    const audit = await h.audit.latest(1000);
    const all = `${h.logs.join('')}${JSON.stringify(h.slack.calls.map(({ args: { token: _sentToSlack, ...rest } }) => rest))}${JSON.stringify(jobs.map((j) => j.data))}${JSON.stringify(audit)}`;
    for (const s of [harborPassword, botToken, secret]) expect(all.includes(s), s).toBe(false);
    // Executions carry an approval id, expiries a proposal group id: ids only.
    expect(
      new Set(
        jobs.map((j) => `${j.name === 'expire-proposals' ? 'expiry' : 'execution'}:${Object.keys(j.data).join()}`),
      ),
    ).toEqual(new Set(['execution:approvalId', 'expiry:groupId']));
  });
});
