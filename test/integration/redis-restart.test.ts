import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, memoryLogger, postSigned, slashBody, startRedisServer } from '../support/helpers.js';

// A real redis-server process of its own, with an append-only file, killed with SIGKILL and
// restarted on the same port and directory while a diagnosis is in flight.
let dir: string;
let port: number;
let redisProc: ChildProcess | undefined;

async function startRedis(): Promise<void> {
  redisProc = await startRedisServer(port, dir);
}

let slack: SlackSim;
let harbor: HarborSim;
let runtime: Runtime;
let events: string;
const secret = 'restart-secret';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hp-redis-restart-'));
  port = await freePort();
  await startRedis();
  slack = await startSlackSim();
  harbor = await startHarborSim();
  harbor.state.health = { status: 'unhealthy', components: [{ name: 'core', status: 'unhealthy' }] };
  const http = await freePort();
  events = `http://127.0.0.1:${http}/slack/events`;
  const config = parseConfig(
    `harbors:\n${['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `  - name: ${n}\n    url: ${harbor.url}\n`).join('')}runner:\n  concurrency: 1\n`,
    {},
  );
  const env = readEnv({
    REDIS_URL: `redis://127.0.0.1:${port}`,
    SLACK_BOT_TOKEN: 'xoxb-r',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(http),
    HARBOR_PILOT_QUEUE_PREFIX: 'hp',
  });
  runtime = await startRuntime({
    mode: 'start',
    config,
    env,
    registry: createRegistry([harborHealth]),
    commands,
    log: memoryLogger('fatal').log,
  });
});

afterAll(async () => {
  await runtime?.close();
  redisProc?.kill('SIGKILL');
  await Promise.all([slack?.close(), harbor?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis killed and restarted mid-diagnosis', () => {
  it('loses no queued job: workers reconnect and the diagnosis completes', async () => {
    harbor.fault({ path: /health/, delayMs: 400 });
    const res = await postSigned(events, slashBody({ text: 'diagnose', responseUrl: slack.responseUrl('r') }), secret);
    expect(JSON.parse(res.text).text).toContain('6 checks queued');
    await slack.waitFor('chat.postMessage', 1);
    await new Promise((r) => setTimeout(r, 500));
    const waiting = await runtime.queues.checks.getWaitingCount();
    expect(waiting).toBeGreaterThan(0);

    redisProc?.kill('SIGKILL');
    await new Promise((r) => redisProc?.once('exit', r));
    await new Promise((r) => setTimeout(r, 1000));
    await startRedis();

    const [update] = await slack.waitFor('chat.update', 1, 40_000);
    expect(String(update?.args.text)).toContain('6 critical');
    const root = update?.args.ts;
    const threaded = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === root);
    expect(new Set(threaded.map((c) => JSON.stringify(c.args.blocks).match(/harbor\/([a-f]) /)?.[1])).size).toBe(6);
  }, 60_000);
});
