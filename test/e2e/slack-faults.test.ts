import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { commands } from '../../commands/index.js';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, memoryLogger, postSigned, slashBody, uniquePrefix } from '../support/helpers.js';

const secret = 'faults-signing-secret';
let slack: SlackSim;
let harbor: HarborSim;
let runtime: Runtime;
let events: string;

beforeAll(async () => {
  slack = await startSlackSim();
  harbor = await startHarborSim();
  harbor.state.health = { status: 'unhealthy', components: [{ name: 'registry', status: 'unhealthy' }] };
  const port = await freePort();
  events = `http://127.0.0.1:${port}/slack/events`;
  const config = parseConfig(`harbors:\n  - name: prod\n    url: ${harbor.url}\n`, {});
  const env = readEnv({
    REDIS_URL: inject('redisUrl'),
    SLACK_BOT_TOKEN: 'xoxb-faults',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    HARBOR_PILOT_QUEUE_PREFIX: uniquePrefix('faults'),
  });
  runtime = await startRuntime({
    mode: 'start',
    config,
    env,
    registry: createRegistry([harborHealth]),
    commands,
    log: memoryLogger('warn').log,
  });
});
afterAll(async () => {
  await runtime?.close();
  await Promise.all([slack?.close(), harbor?.close()]);
});
beforeEach(() => slack.clearFaults());

async function stillServes(): Promise<void> {
  const res = await postSigned(events, slashBody({ text: 'help', responseUrl: slack.responseUrl('alive') }), secret);
  expect(res.status).toBe(200);
  expect(res.text).toContain('harbor-health');
}

describe('hostile and malformed Slack input', () => {
  it('rejects bad JSON and missing fields without crashing', async () => {
    const bad = await postSigned(events, `payload=${encodeURIComponent('{not json')}`, secret);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    const missing = await postSigned(events, 'command=%2Fharbor&text=diagnose', secret);
    expect(missing.status).toBeLessThan(500);
    await stillServes();
  });

  it('answers a huge command, or a huge argument under the cap, with a bounded ephemeral error', async () => {
    const res = await postSigned(
      events,
      slashBody({ text: `check ${'x'.repeat(100_000)}`, responseUrl: slack.responseUrl('huge') }),
      secret,
    );
    expect(res.status).toBe(413); // over the Slack body limit: refused at the door (front-door.test.ts)
    const under = await postSigned(
      events,
      slashBody({ text: `check ${'x'.repeat(3_990)}`, responseUrl: slack.responseUrl('huge') }),
      secret,
    );
    const text = JSON.parse(under.text).text as string;
    expect(text).toContain('unknown check id');
    expect(text.length).toBeLessThan(3100);
    await stillServes();
  });

  it('runs a replayed signed request once', async () => {
    const before = slack.callsOf('chat.postMessage').filter((c) => !c.args.thread_ts).length;
    const body = new URLSearchParams(slashBody({ text: 'diagnose', responseUrl: slack.responseUrl('replay') }));
    body.set('trigger_id', `replay-${Date.now()}`);
    const ts = Math.floor(Date.now() / 1000);
    const first = await postSigned(events, body.toString(), secret, { ts });
    const replay = await postSigned(events, body.toString(), secret, { ts });
    expect([first.status, replay.status]).toEqual([200, 200]);
    await slack.waitFor('chat.update', 1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.callsOf('chat.postMessage').filter((c) => !c.args.thread_ts).length).toBe(before + 1);
  });
});

describe('Slack upstream faults', () => {
  it('delays posts on 429 with Retry-After instead of dropping them', async () => {
    const updates = slack.callsOf('chat.update').length;
    slack.fault({
      path: /chat\.postMessage$/,
      status: 429,
      body: { ok: false, error: 'ratelimited' },
      headers: { 'retry-after': '1' },
      times: 2,
    });
    const started = Date.now();
    await postSigned(
      events,
      slashBody({ text: 'check harbor-health harbor/prod', responseUrl: slack.responseUrl('429') }),
      secret,
    );
    const all = await slack.waitFor('chat.update', updates + 1, 20_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const root = all.at(-1)?.args.ts;
    const threaded = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === root);
    expect(threaded.map((c) => c.args.text)).toEqual(['[critical] Harbor component registry is unhealthy']);
    const metrics = await runtime.metrics.registry.metrics();
    expect(metrics).toContain('harbor_pilot_slack_rate_limited_total{method="chat.postMessage"} 2');
  });

  it('gives up at once on a channel the bot cannot post in, enqueueing no checks', async () => {
    const waiting = await runtime.queues.checks.getJobCounts('waiting', 'active', 'completed');
    slack.fault({ path: /chat\.postMessage$/, status: 200, body: { ok: false, error: 'not_in_channel' }, times: 1 });
    const res = await postSigned(
      events,
      slashBody({
        text: 'check harbor-health harbor/prod',
        channel: 'C0NOTMINE',
        responseUrl: slack.responseUrl('nic'),
      }),
      secret,
    );
    expect(JSON.parse(res.text).text).toContain('1 check queued');
    const failed = async () =>
      (await runtime.queues.diagnoses.getJobs(['failed'])).filter(
        (j) => j.name === 'open' && j.data.channel === 'C0NOTMINE',
      );
    for (let i = 0; i < 100 && (await failed()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const [job] = await failed();
    expect(job?.failedReason).toContain('cannot post in C0NOTMINE (not_in_channel)');
    expect(job?.attemptsMade).toBe(1);
    expect(await runtime.queues.checks.getJobCounts('waiting', 'active', 'completed')).toEqual(waiting);
  });

  it('retries a 5xx a bounded number of times, then gives up without crashing', async () => {
    // Faulted requests never reach the Web API routes, so count what arrived at the server.
    const updateRequests = () => slack.requests.filter((r) => r.path.endsWith('/chat.update')).length;
    const before = updateRequests();
    slack.fault({ path: /chat\.update$/, status: 503, body: 'upstream down' });
    await postSigned(
      events,
      slashBody({ text: 'check harbor-health harbor/prod', responseUrl: slack.responseUrl('5xx') }),
      secret,
    );
    await new Promise((r) => setTimeout(r, 9000));
    const attempts = updateRequests() - before;
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThanOrEqual(12);
    await new Promise((r) => setTimeout(r, 2000));
    expect(updateRequests() - before).toBe(attempts);
    slack.clearFaults();
    await stillServes();
  }, 30_000);
});
