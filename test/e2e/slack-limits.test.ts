import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCheck, defineRemediation, propose } from '../../src/checks/define.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig } from '../../src/config.js';
import type { Runtime } from '../../src/runtime.js';
import { blockKitRejection } from '../../src/sim/slack-block-rules.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { fullTextComment } from '../../src/slack/slack-door.js';
import { freePort, postSigned, slashBody, waitUntil } from '../support/helpers.js';
import { startBot } from '../support/bot-harness.js';

const secret = 'limits-signing-secret';
const long = (word: string, n: number) => `${word} `.repeat(Math.ceil(n / (word.length + 1))).slice(0, n);

const rebuild = defineRemediation({
  id: 'rebuild-everything',
  title: 'Rebuild everything',
  description: 'Test fixture: a remediation with a very long plan.',
  risk: 'medium',
  targetKind: 'harbor',
  params: z.strictObject({ harbor: z.string(), n: z.number() }),
  async plan(_ctx, p) {
    const requests = Array.from(
      { length: 20 },
      (_, i) => `PUT /api/v2.0/fixture/things/${p.n}/${i} ${long('payload', 140)}`,
    );
    const diff = Array.from(
      { length: 40 },
      (_, i) => `- line ${i}: ${long('before', 70)}\n+ line ${i}: ${long('after', 70)}`,
    ).join('\n');
    return { summary: long('rebuild every thing', 600), requests, diff };
  },
  async execute() {
    return { ok: true, detail: 'done' };
  },
  async verify() {
    return { ok: true, detail: 'verified' };
  },
});

/** 200 findings with oversized titles, summaries and evidence; the first three propose fixes with long plans. */
const manyFindings = defineCheck({
  id: 'many-findings',
  title: 'Many findings',
  description: 'Test fixture: more findings, and longer, than one Slack message can hold.',
  appliesTo: ['harbor'],
  causes: ['component-unhealthy'],
  params: z.strictObject({}),
  remediations: [rebuild],
  async run(ctx) {
    return Array.from({ length: 200 }, (_, n) => ({
      cause: 'component-unhealthy' as const,
      title: `Thing ${n} is broken ${long('badly', 400)}`,
      summary: long(`thing ${n} summary`, 5000),
      resource: { kind: 'HarborComponent', name: `thing-${n}`, namespace: null },
      evidence: Array.from({ length: 30 }, (_, i) => `evidence ${i}: ${long('proof', 600)}`),
      remediations:
        n < 3
          ? [
              propose(rebuild, { harbor: ctx.target.name, n }, `Rebuild thing ${n}`),
              propose(rebuild, { harbor: ctx.target.name, n: n + 1000 }, `Rebuild thing ${n} again`),
            ]
          : [],
    }));
  },
});

let slack: SlackSim;
let harbor: HarborSim;
let runtime: Runtime;
let events: string;

beforeAll(async () => {
  slack = await startSlackSim();
  harbor = await startHarborSim();
  const port = await freePort();
  events = `http://127.0.0.1:${port}/slack/events`;
  const config = parseConfig(
    `harbors:\n  - name: prod\n    url: ${harbor.url}\n    remediations: ["*"]\nslack:\n  approvers: [U0APPROVER]\n`,
    {},
  );
  ({ runtime } = await startBot({
    name: 'limits',
    config,
    registry: createRegistry([manyFindings]),
    env: {
      SLACK_BOT_TOKEN: 'xoxb-limits',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
    },
  }));
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([slack?.close(), harbor?.close()]);
});

describe('Block Kit limits', () => {
  it('a 200-finding diagnosis never sends a message Slack would reject', async () => {
    const res = await postSigned(
      events,
      slashBody({ text: 'diagnose', responseUrl: slack.responseUrl('many') }),
      secret,
    );
    expect(res.status).toBe(200);
    const [update] = await slack.waitFor('chat.update', 1, 60_000);
    const threaded = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === update?.args.ts);
    expect(threaded).toHaveLength(200);
    expect(slack.rejections).toEqual([]);

    // Each cut finding has its whole text in its thread, as a file; none of its evidence is lost.
    const files = slack.callsOf('files.completeUploadExternal').filter((c) => c.args.thread_ts === update?.args.ts);
    expect(files).toHaveLength(200);
    expect(files.every((c) => c.args.initial_comment === fullTextComment)).toBe(true);
    const whole = slack.uploads.find((u) => u.text.includes('Thing 7 is broken'));
    expect(whole?.text).toContain(long('thing 7 summary', 5000));
    expect(whole?.text).toContain(`evidence 29: ${long('proof', 600)}`);
    expect(whole?.text).not.toContain('remediation:approve');

    // The findings with long plans kept their buttons, within the total.
    const withButtons = threaded.filter((c) => JSON.stringify(c.args.blocks).includes('remediation:approve'));
    expect(withButtons).toHaveLength(3);
    for (const c of withButtons) expect(blockKitRejection(c.args.blocks)).toBeUndefined();

    const list = await postSigned(
      events,
      slashBody({ text: 'findings', responseUrl: slack.responseUrl('list') }),
      secret,
    );
    expect(list.status).toBe(200);
    const answer = await waitUntil('the findings list', () => slack.responses.find((r) => r.id === 'list'));
    expect(JSON.stringify(answer.body.blocks)).toContain('more');
    expect(slack.rejections).toEqual([]);
  }, 90_000);

  it('posts the plain text instead of retrying blocks Slack refused', async () => {
    let refused = 0;
    slack.answers['chat.postMessage'] = (call) =>
      call.args.thread_ts && refused++ === 0 ? { ok: false, error: 'msg_blocks_too_long' } : undefined;
    try {
      const before = slack.callsOf('chat.postMessage').length;
      await postSigned(
        events,
        slashBody({ text: 'diagnose harbor/prod', responseUrl: slack.responseUrl('refused') }),
        secret,
      );
      const calls = await slack.waitFor('chat.postMessage', before + 202, 60_000);
      const [first, second] = calls.slice(before).filter((c) => c.args.thread_ts);
      expect(JSON.stringify(second?.args.blocks)).toContain('too large for Slack to show in full');
      expect(second?.args.text).toBe(first?.args.text);
      expect(second?.args.blocks).not.toEqual(first?.args.blocks);
    } finally {
      delete slack.answers['chat.postMessage'];
    }
  }, 90_000);
});
