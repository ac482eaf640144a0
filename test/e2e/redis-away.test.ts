import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { type HarborSim, startHarborSim } from '../../src/sim/harbor-sim.js';
import { type SlackSim, startSlackSim } from '../../src/sim/slack-sim.js';
import { freePort, memoryLogger, postSigned, slashBody, startRedisServer, waitUntil } from '../support/helpers.js';

// The bot on a redis-server of its own, which the test pauses (CLIENT PAUSE) and stops: every
// command and click is still answered within Slack's 3 s, in words, and the bot works afterwards.
const secret = 'redis-away-secret';
let dir: string;
let redisPort: number;
let redisProc: ChildProcess | undefined;
let slack: SlackSim;
let harbor: HarborSim;
let runtime: Runtime;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hp-redis-away-'));
  redisPort = await freePort();
  redisProc = await startRedisServer(redisPort, dir);
  slack = await startSlackSim();
  harbor = await startHarborSim();
  harbor.state.health = { status: 'unhealthy', components: [{ name: 'registry', status: 'unhealthy' }] };
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = parseConfig(`harbors:\n  - name: prod\n    url: ${harbor.url}\n`, {});
  const env = readEnv({
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    SLACK_BOT_TOKEN: 'xoxb-away',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    HARBOR_PILOT_QUEUE_PREFIX: 'hp-away',
  });
  const log = memoryLogger('fatal').log;
  runtime = await startRuntime({ mode: 'start', config, env, registry: createRegistry([harborHealth]), commands, log });
});

afterAll(async () => {
  await runtime?.close();
  redisProc?.kill('SIGKILL');
  await Promise.all([slack?.close(), harbor?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const command = (text: string, id: string) =>
  postSigned(`${base}/slack/events`, slashBody({ text, responseUrl: slack.responseUrl(id) }), secret);

function clickBody(n: number): string {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0RESPONDER' },
    channel: { id: 'C0INCIDENT' },
    trigger_id: `away-click-${n}-${Date.now()}`,
    message: { ts: '1763900000.000001', thread_ts: '1763900000.000000' },
    actions: [{ action_id: 'remediation:approve', value: `a${'0'.repeat(23)}${n}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const readyz = async () => {
  const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(3000) });
  return `${res.status} ${(await res.text()).trim()}`;
};

/** Roots of diagnoses (messages not in a thread) the bot has posted. */
const roots = () => slack.callsOf('chat.postMessage').filter((c) => !c.args.thread_ts).length;

/** Commands and a click while Redis is away: each answered within 3 s, in words that say so. */
async function expectAnsweredInWords(tag: string): Promise<void> {
  const ephemerals = slack.callsOf('chat.postEphemeral').length;
  const results = await Promise.all([
    command('help', `${tag}-help`),
    command('check harbor-health harbor/prod', `${tag}-check`),
    command('findings', `${tag}-findings`),
    postSigned(`${base}/slack/events`, clickBody(1), secret),
  ]);
  for (const r of results) {
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
  }
  for (const r of results.slice(0, 3)) expect(JSON.parse(r.text).text).toMatch(/Redis/);
  const [told] = (await slack.waitFor('chat.postEphemeral', ephemerals + 1, 3000)).slice(ephemerals);
  expect(String(told?.args.text)).toMatch(/Redis/);
}

async function worksAgain(): Promise<void> {
  const before = roots();
  const ok = await waitUntil(
    'a command that runs',
    async () => {
      const r = await command('check harbor-health harbor/prod', `again-${Date.now()}`);
      return JSON.parse(r.text).text.includes('1 check queued') ? r : undefined;
    },
    20_000,
  );
  expect(ok.ms).toBeLessThan(3000);
  await waitUntil('its diagnosis posted', () => roots() === before + 1);
}

describe('Redis paused, then stopped and restarted', () => {
  it('answers every command and click within 3 s while Redis is paused, and runs none of them later', async () => {
    await worksAgain();
    const admin = new Redis(redisPort, '127.0.0.1');
    await admin.client('PAUSE', 5000);
    const started = Date.now();
    const before = roots();
    await expectAnsweredInWords('paused');
    expect(await readyz()).toMatch(/^503 not ready: redis \(/);
    await new Promise((r) => setTimeout(r, Math.max(0, 5500 - (Date.now() - started))));
    await worksAgain();
    await new Promise((r) => setTimeout(r, 1000));
    expect(roots()).toBe(before + 1);
    admin.disconnect();
  }, 40_000);

  it('answers at once while Redis is stopped, says so on /readyz, and works again after a restart', async () => {
    redisProc?.kill('SIGTERM');
    await new Promise((r) => redisProc?.once('exit', r));
    const before = roots();
    await expectAnsweredInWords('stopped');
    expect(await readyz()).toMatch(/^503 not ready: redis \(/);
    redisProc = await startRedisServer(redisPort, dir);
    await worksAgain();
    await new Promise((r) => setTimeout(r, 1000));
    expect(roots()).toBe(before + 1);
  }, 60_000);
});
