import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import {
  click,
  ephemeralsTo,
  runWidgetCheck,
  secret,
  startApprovalHarness,
  waitUntil,
  widgetWrites,
  type Harness,
} from '../support/approvals-harness.js';
import { widgetsOf } from '../fixtures/widgets.js';
import { postSigned, slashBody } from '../support/helpers.js';

// harbor/prod belongs to the incident channel, with its own approver; harbor/locked to staging,
// which keeps the global approvers.
const channels =
  '  approvers: [U0APPROVER1, U0APPROVER2]\n  approverGroups: [S0ONCALL]\n  twoPersonRule: [high]\n' +
  '  channels:\n' +
  '    - id: C0INCIDENT\n      targets: [harbor/prod]\n      approvers: [U0PRODLEAD]\n' +
  '    - id: C0STAGING\n      targets: [harbor/locked]\n';

let h: Harness;

beforeAll(async () => {
  h = await startApprovalHarness({ redisUrl: inject('redisUrl'), name: 'channels', slack: channels });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  for (const w of widgetsOf(h.harbor)) w.status = 'jammed';
});

async function command(text: string, channel: string, user = 'U0RESPONDER'): Promise<string> {
  const res = await postSigned(
    h.events,
    slashBody({ text, channel, user, responseUrl: h.slack.responseUrl(text) }),
    secret,
  );
  expect(res.status).toBe(200);
  return res.text ? String(JSON.parse(res.text).text ?? '') : '';
}

async function queued(): Promise<number> {
  const counts = await h.runtime.queues.diagnoses.getJobCounts(
    'waiting',
    'active',
    'completed',
    'failed',
    'waiting-children',
  );
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe('slack.channels', () => {
  it('refuses a command from an unlisted channel, naming the channels that may, and queues nothing', async () => {
    const before = { jobs: await queued(), posts: h.slack.callsOf('chat.postMessage').length };
    for (const text of ['diagnose', 'check widget-jammed harbor/prod', 'findings', 'digest']) {
      const answer = await command(text, 'C0RANDOM');
      expect(answer).toContain('This channel may not use harbor-pilot (slack.channels)');
      expect(answer).toContain('Channels that may: <#C0INCIDENT>, <#C0STAGING>');
    }
    expect(await queued()).toBe(before.jobs);
    expect(h.slack.callsOf('chat.postMessage')).toHaveLength(before.posts);
  });

  it("refuses a target outside the channel's list, naming the allowed ones", async () => {
    const before = await queued();
    const answer = await command('check widget-jammed harbor/prod', 'C0STAGING');
    expect(answer).toContain("harbor/prod is not one of this channel's targets (slack.channels)");
    expect(answer).toContain('Allowed here: harbor/locked. harbor/prod belongs to <#C0INCIDENT>.');
    expect(await command('diagnose harbor/prod', 'C0STAGING')).toContain('Allowed here: harbor/locked');
    expect(await queued()).toBe(before);
  });

  it('/harbor status says what this channel may do and who approves here', async () => {
    await command('status', 'C0INCIDENT');
    const incident = await waitUntil('the status answer', () => h.slack.responses.find((r) => r.id === 'status'));
    expect(String(incident.body.text)).toContain(
      '*This channel:* may diagnose and fix harbor/prod; approvals here: <@U0PRODLEAD> (slack.channels[0])',
    );
    await postSigned(
      h.events,
      slashBody({ text: 'status', channel: 'C0RANDOM', responseUrl: h.slack.responseUrl('st2') }),
      secret,
    );
    const random = await waitUntil('the status answer', () => h.slack.responses.find((r) => r.id === 'st2'));
    expect(String(random.body.text)).toContain('*This channel:* may do nothing.');
  });

  it('authorizes an approval against the approvers of the channel the proposal was posted in', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    expect(p.channel).toBe('C0INCIDENT');
    const id = p.approvals['unjam-widget'] as string;
    await click(h, p, 'U0APPROVER1', 'approve', id);
    await waitUntil('the refusal', () => ephemeralsTo(h, 'U0APPROVER1').length > 0);
    expect(ephemeralsTo(h, 'U0APPROVER1').at(-1)).toContain(
      'You are not an approver of remediations proposed in <#C0INCIDENT> (slack.channels[0].approvers',
    );
    expect((await h.store.state(id))?.state).toBe('pending');
    expect(widgetWrites(h)).toEqual([]);

    await click(h, p, 'U0PRODLEAD', 'approve', id);
    await waitUntil('the execution', () => widgetWrites(h).length > 0);
    expect(widgetWrites(h)).toEqual(['POST /api/v2.0/fixture/widgets/7/unjam']);
  });

  it("the self-approval rule applies to a channel's own approvers too", async () => {
    const p = await runWidgetCheck(h, 'U0PRODLEAD');
    const id = p.approvals['unjam-widget'] as string;
    await click(h, p, 'U0PRODLEAD', 'approve', id);
    await waitUntil('the refusal', () => ephemeralsTo(h, 'U0PRODLEAD').some((t) => t.includes('another approver')));
    expect((await h.store.state(id))?.state).toBe('pending');
  });

  it('names a channel that lists an unknown target when the configuration is read', () => {
    const yaml =
      'harbors:\n  - name: prod\n    url: https://h.example\n' +
      'slack:\n  channels:\n    - id: C0ONE\n      targets: [harbor/prod, cluster/nope]\n';
    expect(() => parseConfig(yaml, {})).toThrow(
      'slack.channels[0].targets[1]: channel C0ONE lists "cluster/nope", which is no configured target (known: harbor/prod)',
    );
  });
});
