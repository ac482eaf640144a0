import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig } from '../../src/config.js';
import type { Runtime } from '../../src/runtime.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, postSigned, slashBody, uniquePrefix, waitUntil } from '../support/helpers.js';
import { startBot } from '../support/bot-harness.js';

// The scaled-out deployment: a `bot` that only acks and enqueues, and a `worker` that does the rest,
// sharing nothing but Redis.
const registry = createRegistry([harborHealth]);
const secret = 'split-secret';
let slack: SlackSim;
let harbor: HarborSim;
let bot: Runtime;
let worker: Runtime;
let events: string;

beforeAll(async () => {
  slack = await startSlackSim();
  harbor = await startHarborSim();
  harbor.state.health = { status: 'unhealthy', components: [{ name: 'jobservice', status: 'unhealthy' }] };
  const port = await freePort();
  events = `http://127.0.0.1:${port}/slack/events`;
  const config = parseConfig(`harbors:\n  - name: prod\n    url: ${harbor.url}\n`, {});
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-split',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    HARBOR_PILOT_QUEUE_PREFIX: uniquePrefix('split'),
  };
  ({ runtime: bot } = await startBot({
    name: 'split',
    mode: 'bot',
    config,
    registry,
    env: { ...env, PORT: String(port) },
  }));
  ({ runtime: worker } = await startBot({ name: 'split', mode: 'worker', config, registry, env }));
});
afterAll(async () => {
  await Promise.all([bot?.close(), worker?.close()]);
  await Promise.all([slack?.close(), harbor?.close()]);
});

describe('bot and worker as separate processes', () => {
  it('the bot runs no workers, the worker no Slack app; a diagnosis goes from one to the other', async () => {
    expect([bot.workers, bot.app !== undefined]).toEqual([undefined, true]);
    expect([worker.workers !== undefined, worker.app]).toEqual([true, undefined]);
    const res = await postSigned(
      events,
      slashBody({ text: 'check harbor-health harbor/prod', responseUrl: slack.responseUrl('split') }),
      secret,
    );
    expect(JSON.parse(res.text).text).toContain('1 check queued');
    const summary = await waitUntil('the summary', () =>
      slack
        .callsOf('chat.update')
        .find((c) => String(c.args.text).includes('Diagnosis of harbor-health on harbor/prod')),
    );
    expect(String(summary.args.text)).toContain('0 critical · 1 warning');
    const finding = slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts);
    expect(String(finding?.args.text)).toContain('Harbor component jobservice is unhealthy');
  });
});
