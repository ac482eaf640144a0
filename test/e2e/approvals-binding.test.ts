import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  auditTrail,
  click,
  clickBody,
  ephemeralsTo,
  type Harness,
  runWidgetCheck,
  secret,
  startApprovalHarness,
  waitUntil,
  widgetWrites,
} from '../support/approvals-harness.js';
import { postSigned } from '../support/helpers.js';

// A click is bound to the message and thread its buttons were posted in: a payload that names an
// approval from elsewhere is refused before anything about it is recorded.
let h: Harness;
let alterations = 0;

beforeAll(async () => {
  h = await startApprovalHarness({ redisUrl: inject('redisUrl'), name: 'binding' });
});
afterAll(async () => {
  await h?.close();
});

/** A click payload as Slack would send it, altered by `edit`. */
type ClickPayload = { trigger_id: string; message: Record<string, string>; container: Record<string, string> };

async function alteredClick(body: string, edit: (payload: ClickPayload) => void): Promise<void> {
  const payload = JSON.parse(new URLSearchParams(body).get('payload') as string) as ClickPayload;
  edit(payload);
  payload.trigger_id = `${payload.trigger_id}-altered-${++alterations}`;
  const res = await postSigned(h.events, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), secret);
  expect(res.status).toBe(200);
}

describe('clicks bound to their message and thread', () => {
  it('refuses a click without its thread or from another thread, and records nothing', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const other = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    const body = clickBody(p, 'U0APPROVER1', 'approve', id);
    const told = ephemeralsTo(h, 'U0APPROVER1').length;

    await alteredClick(body, (x) => {
      delete x.message.thread_ts;
      delete x.container.thread_ts;
      x.message.ts = '1763999999.000001';
    });
    await alteredClick(body, (x) => {
      x.message.thread_ts = other.threadTs;
      x.message.ts = other.ts;
    });
    await waitUntil('both refused', () => ephemeralsTo(h, 'U0APPROVER1').length >= told + 2);
    expect(
      ephemeralsTo(h, 'U0APPROVER1')
        .slice(told)
        .every((t) => t.includes('unknown')),
    ).toBe(true);
    expect((await h.store.state(id))?.messageTs).toBeUndefined();
    expect((await h.store.state(id))?.state).toBe('pending');
    expect(widgetWrites(h)).toEqual([]);
    expect(await auditTrail(h, id)).toEqual(expect.arrayContaining(['remediation.clicked:unknown']));
  });

  it('refuses a second approval clicked on another message once the buttons message is bound', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const other = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['replace-widget'] as string;
    await click(h, p, 'U0APPROVER1', 'approve', id);
    await waitUntil('the first approval recorded', async () => (await h.store.state(id))?.messageTs === p.ts);
    const told = ephemeralsTo(h, 'U0APPROVER2').length;
    await alteredClick(clickBody(p, 'U0APPROVER2', 'approve', id), (x) => {
      x.message.ts = other.ts;
    });
    await waitUntil('refused', () => ephemeralsTo(h, 'U0APPROVER2').length > told);
    expect(ephemeralsTo(h, 'U0APPROVER2').at(-1)).toContain('unknown');
    expect((await h.store.state(id))?.state).toBe('pending');
    expect((await h.store.state(id))?.messageTs).toBe(p.ts);
  });
});
