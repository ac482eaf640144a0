import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commands } from '../../commands/index.js';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { type SlackSim, startSlackSim } from '../../src/sim/slack-sim.js';
import { doorLimits } from '../../src/slack/http-door.js';
import { freePort, memoryLogger, postSigned, slackSignature, slashBody, uniquePrefix } from '../support/helpers.js';

const secret = 'front-door-secret';
let slack: SlackSim;
let runtime: Runtime;
let port: number;
let events: string;

beforeAll(async () => {
  slack = await startSlackSim();
  port = await freePort();
  events = `http://127.0.0.1:${port}/slack/events`;
  const config = parseConfig('harbors:\n  - name: prod\n    url: http://127.0.0.1:9\n', {});
  const env = readEnv({
    REDIS_URL: inject('redisUrl'),
    SLACK_BOT_TOKEN: 'xoxb-door',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    HARBOR_PILOT_QUEUE_PREFIX: uniquePrefix('door'),
  });
  runtime = await startRuntime({
    mode: 'bot',
    config,
    env,
    registry: createRegistry([harborHealth]),
    commands,
    log: memoryLogger('fatal').log,
  });
});
afterAll(async () => {
  await runtime?.close();
  await slack?.close();
});

/**
 * A POST that declares `length` bytes but sends only `sent` of them: resolves with the status the
 * server answered before the rest arrived, or 'closed' when it cut the connection instead.
 */
function partialPost(
  headers: Record<string, string>,
  length: number,
  sent = 1024,
): Promise<{ status: number | 'closed'; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/slack/events',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(length), ...headers },
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, ms: performance.now() - started });
      req.destroy();
    });
    req.on('error', () => resolve({ status: 'closed', ms: performance.now() - started }));
    req.on('close', () => resolve({ status: 'closed', ms: performance.now() - started }));
    req.write('x'.repeat(Math.min(sent, length)));
  });
}

const signedHeaders = (ts = Math.floor(Date.now() / 1000)) => ({
  'x-slack-request-timestamp': String(ts),
  'x-slack-signature': slackSignature(secret, ts, 'whatever'),
});

describe('limits before work', () => {
  it('refuses a body without signature headers before reading it', async () => {
    const r = await partialPost({}, 3_900_000);
    expect(r.status).toBe(401);
    expect(r.ms).toBeLessThan(1000);
  });

  it('refuses 10 and 50 MB bodies with 413 before reading them, and any body over the Slack limit', async () => {
    for (const length of [10_000_000, 50_000_000, doorLimits.slackBodyBytes + 1])
      expect((await partialPost(signedHeaders(), length)).status).toBe(413);
    const chunked = await postSigned(events, 'x'.repeat(doorLimits.slackBodyBytes + 10), secret);
    expect(chunked.status).toBe(413);
  });

  it('accepts signed timestamps only within ±5 minutes', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const ts of [now + 3600, now + 330, now - 330, now - 3600]) {
      expect(
        (await postSigned(events, slashBody({ text: 'help', responseUrl: slack.responseUrl('ts') }), secret, { ts }))
          .status,
      ).toBe(401);
    }
    for (const ts of [now + 240, now - 240]) {
      expect(
        (await postSigned(events, slashBody({ text: 'help', responseUrl: slack.responseUrl('ts') }), secret, { ts }))
          .status,
      ).toBe(200);
    }
  });

  it('cuts a trickled body at Slack’s deadline, and bounds how many are read at once', async () => {
    const held = Array.from({ length: doorLimits.slackConcurrentReads }, () => partialPost(signedHeaders(), 2000, 10));
    await new Promise((r) => setTimeout(r, 300));
    const extra = await partialPost(signedHeaders(), 2000, 10);
    expect(extra.status).toBe(503);
    const cut = await Promise.all(held);
    for (const c of cut) {
      expect(c.status).toBe('closed');
      expect(c.ms).toBeLessThan(doorLimits.slackBodyMs + 1500);
    }
    const res = await postSigned(events, slashBody({ text: 'help', responseUrl: slack.responseUrl('after') }), secret);
    expect(res.status).toBe(200);
  });
});

describe('inputs that cannot stall the loop', () => {
  it('answers hostile command text at once: 100 KB refused at the door, 20 KB by the length cap', async () => {
    const post = (n: number) =>
      postSigned(events, slashBody({ text: '<'.repeat(n), responseUrl: slack.responseUrl('lt') }), secret);
    const [huge, large, health] = await Promise.all([
      post(100_000),
      post(20_000),
      fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status),
    ]);
    expect(huge.status).toBe(413);
    expect(large.status).toBe(200);
    expect(large.ms).toBeLessThan(1000);
    expect(JSON.parse(large.text).text).toContain('reads at most 4000');
    expect(health).toBe(200);
  });

  it('strips bidi and zero-width characters from what it echoes', async () => {
    const res = await postSigned(
      events,
      slashBody({ text: 'check nope\u202eevil\u200b', responseUrl: slack.responseUrl('bidi') }),
      secret,
    );
    const text = JSON.parse(res.text).text as string;
    expect(text).toContain('"nopeevil"');
    expect(text).not.toMatch(/[\u202e\u200b]/);
  });
});

describe('every action acked', () => {
  it('acks an action id nothing handles at once, with a short ephemeral', async () => {
    const before = slack.callsOf('chat.postEphemeral').length;
    const payload = {
      type: 'block_actions',
      trigger_id: `t-${Date.now()}`,
      user: { id: 'U0SOMEONE' },
      channel: { id: 'C0INCIDENT' },
      actions: [{ action_id: 'legacy:button', value: 'x' }],
    };
    const res = await postSigned(events, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), secret);
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1000);
    const [told] = (await slack.waitFor('chat.postEphemeral', before + 1, 3000)).slice(before);
    expect(told?.args).toMatchObject({ user: 'U0SOMEONE', channel: 'C0INCIDENT' });
    expect(String(told?.args.text)).toContain('does not handle this button');
  });
});
