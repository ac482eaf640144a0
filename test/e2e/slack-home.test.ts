import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { widgetsOf } from '../fixtures/widgets.js';
import {
  ephemeralsTo,
  runWidgetCheck,
  secret,
  startApprovalHarness,
  waitUntil,
  widgetWrites,
  type Harness,
  type Posted,
} from '../support/approvals-harness.js';
import { postSigned } from '../support/helpers.js';

// Schedules for the Home tab, as top-level YAML beside the harness's harbors.
// (The harness runs no digest job, so only watches.)
const schedules =
  'watches:\n  - cron: "0 9 * * 1-5"\n    timezone: Europe/Berlin\n    channel: C0ALERTS\n' +
  '  - cron: "*/15 * * * *"\n    channel: C0ALERTS\n    checks: [widget-jammed]\n';

let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await startApprovalHarness({ redisUrl: inject('redisUrl'), name: 'home', clusters: schedules });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  for (const w of widgetsOf(h.harbor)) w.status = 'jammed';
});

const form = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
const base = () => ({ team: { id: 'T0SIM' }, api_app_id: 'A0SIM', token: 'legacy-token', trigger_id: `trig-${++seq}` });

async function openHome(user: string): Promise<string> {
  const before = h.slack.callsOf('views.publish').length;
  const event = {
    token: 'legacy-token',
    team_id: 'T0SIM',
    api_app_id: 'A0SIM',
    type: 'event_callback',
    event_id: `Ev${Date.now()}${++seq}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: `${Date.now() / 1000}` },
  };
  const res = await postSigned(h.events, JSON.stringify(event), secret, { contentType: 'application/json' });
  expect(res.status).toBe(200);
  const calls = await h.slack.waitFor('views.publish', before + 1);
  const call = calls.filter((c) => c.args.user_id === user).at(-1);
  return typeof call?.args.view === 'string' ? call.args.view : JSON.stringify(call?.args.view);
}

async function press(user: string, actionId: string, value: string, p?: Posted): Promise<string> {
  const where = p
    ? { channel: { id: p.channel }, message: { ts: p.ts, thread_ts: p.threadTs }, container: { type: 'message' } }
    : { view: { id: 'VHOME', type: 'home' }, container: { type: 'view', view_id: 'VHOME' } };
  const { trigger_id, ...rest } = base();
  const payload = {
    type: 'block_actions',
    ...rest,
    trigger_id,
    user: { id: user },
    ...where,
    actions: [{ action_id: actionId, value }],
  };
  expect((await postSigned(h.events, form(payload), secret)).status).toBe(200);
  return trigger_id;
}

async function openedModal(
  trigger: string,
): Promise<{ callback_id: string; private_metadata: string; blocks: unknown[] }> {
  const call = await waitUntil('views.open', () =>
    h.slack.callsOf('views.open').find((c) => c.args.trigger_id === trigger),
  );
  return (typeof call.args.view === 'string' ? JSON.parse(call.args.view) : call.args.view) as never;
}

async function submit(user: string, view: { callback_id: string; private_metadata: string }, values: unknown) {
  const payload = {
    type: 'view_submission',
    ...base(),
    user: { id: user },
    view: { id: 'V1', type: 'modal', ...view, state: { values } },
  };
  const res = await postSigned(h.events, form(payload), secret);
  expect(res.status).toBe(200);
  return res.text ? JSON.parse(res.text) : {};
}

const typed = (v: string | null) => ({ value: { type: 'plain_text_input', value: v } });
const picked = (v: string) => ({ value: { type: 'static_select', selected_option: { value: v } } });

describe('App Home', () => {
  it('shows the viewer what waits on them, what is open, and what is scheduled', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const approver = await openHome('U0APPROVER1');
    expect(approver).toContain('"type":"home"');
    expect(approver).toContain('Waiting on you');
    expect(approver).toContain(`"value":"${p.approvals['unjam-widget']}"`);
    expect(approver).toContain('home:approve');
    expect(approver).toContain('*harbor/prod* · 1 critical · 0 warning · 0 info');
    expect(approver).toContain('Watch in <#C0ALERTS>: at 09:00 on Monday to Friday (Europe/Berlin); next <!date^');
    expect(approver).toContain('Watch in <#C0ALERTS>: every 15 minutes (UTC)');
    expect(approver).toContain('home:diagnose');

    const outsider = await openHome('U0OUTSIDER');
    expect(outsider).toContain('No fixes wait on your approval.');
    expect(outsider).not.toContain('home:approve');
  });

  it('approves from the Home tab as from the thread, then shows the tab again', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    const publishes = h.slack.callsOf('views.publish').length;
    await press('U0APPROVER2', 'home:approve', id);
    await waitUntil('the execution', () => widgetWrites(h).length > 0);
    expect(widgetWrites(h)).toEqual(['POST /api/v2.0/fixture/widgets/7/unjam']);
    await h.slack.waitFor('views.publish', publishes + 1);
    const message = JSON.stringify(h.slack.state.messages.get(`${p.channel}/${p.ts}`)?.blocks);
    expect(message).toContain('Approved by <@U0APPROVER2>');
  });
});

describe('modals', () => {
  it('Silence… opens a modal; a bad duration is answered in it; a good one silences', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const fp = JSON.stringify(p.blocks).match(
      /"action_id":"finding:silence","text":\{[^}]*\},"value":"([0-9a-f]{16})"/,
    )?.[1];
    expect(fp).toBeDefined();
    const modal = await openedModal(await press('U0RESPONDER', 'finding:silence', fp as string, p));
    expect(modal.callback_id).toBe('modal:silence');

    const bad = await submit('U0RESPONDER', modal, {
      duration: picked('2h'),
      custom: typed('3 hours'),
      reason: typed(null),
    });
    expect(bad).toEqual({
      response_action: 'errors',
      errors: { custom: expect.stringContaining('"3 hours" is not a duration') },
    });
    const tooLong = await submit('U0RESPONDER', modal, { custom: typed('40d') });
    expect(tooLong.errors.custom).toContain('at most 30 days');
    expect(await h.redis.hget(`${h.env.HARBOR_PILOT_QUEUE_PREFIX}:silences`, fp as string)).toBeNull();

    expect(
      await submit('U0RESPONDER', modal, { duration: picked('2h'), custom: typed(null), reason: typed('maintenance') }),
    ).toEqual({});
    const stored = await h.redis.hget(`${h.env.HARBOR_PILOT_QUEUE_PREFIX}:silences`, fp as string);
    expect(JSON.parse(String(stored))).toMatchObject({ by: 'U0RESPONDER', reason: 'maintenance' });
    await waitUntil('the confirmation', () =>
      ephemeralsTo(h, 'U0RESPONDER').some((t) => t.includes(`Silenced \`${fp}\``)),
    );
    expect(await openHome('U0RESPONDER')).toContain(`\`${fp}\` by <@U0RESPONDER> until`);
  });

  it('Re-run… checks its parameters in the modal, then runs the check in a new thread', async () => {
    // The finding is silenced by now (above): the button needs only the channel it is in.
    const p = {
      channel: 'C0INCIDENT',
      ts: '1763900000.000001',
      threadTs: '1763900000.000001',
      blocks: [],
      approvals: {},
    };
    const value = JSON.stringify({ check: 'widget-jammed', target: 'harbor/prod' });
    const modal = await openedModal(await press('U0RESPONDER', 'finding:rerun', value, p));
    expect(modal.callback_id).toBe('modal:rerun');
    const bad = await submit('U0RESPONDER', modal, { params: typed('nonsense') });
    expect(bad.errors.params).toContain('"nonsense" is not a key=value parameter');
    const roots = () =>
      h.slack.callsOf('chat.postMessage').filter((c) => !c.args.thread_ts && c.args.channel === p.channel);
    const before = roots().length;
    expect(await submit('U0RESPONDER', modal, { params: typed(null) })).toEqual({});
    await waitUntil('the new thread', () => roots().length > before);
    expect(String(roots().at(-1)?.args.text)).toContain('widget-jammed on harbor/prod');
  });

  it('Run diagnosis on the Home tab: a target select, a channel, errors in the modal', async () => {
    const modal = await openedModal(await press('U0APPROVER1', 'home:diagnose', 'open'));
    expect(modal.callback_id).toBe('modal:diagnose');
    expect(JSON.stringify(modal.blocks)).toContain('"value":"harbor/locked"');
    const noChannel = await submit('U0APPROVER1', modal, {
      target: picked('harbor/prod'),
      channel: { value: { selected_conversation: null } },
    });
    expect(noChannel.errors.channel).toContain('Choose the channel');
    const roots = () =>
      h.slack.callsOf('chat.postMessage').filter((c) => !c.args.thread_ts && c.args.channel === 'C0OPS');
    const ok = await submit('U0APPROVER1', modal, {
      target: picked('harbor/prod'),
      channel: { value: { selected_conversation: 'C0OPS' } },
    });
    expect(ok).toEqual({});
    await waitUntil('the diagnosis thread', () => roots().length > 0);
    expect(String(roots()[0]?.args.text)).toContain('harbor/prod');
  });

  it('never sends Slack a view it would reject', () => {
    expect(h.slack.rejections).toEqual([]);
  });
});
