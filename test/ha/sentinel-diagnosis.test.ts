import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, memoryLogger, postSigned, slashBody } from '../support/helpers.js';
import { startSentinelSet, topologyPassword, type SentinelSet } from '../support/redis-topologies.js';

// One master, one replica, three sentinels (Debian's redis-server and redis-sentinel). The master
// is SIGKILLed while a diagnosis runs; the sentinels promote the replica and the bot carries on.
const names = ['a', 'b', 'c', 'd', 'e', 'f'];
const secret = 'sentinel-secret';
let set: SentinelSet;
let slack: SlackSim;
let harbor: HarborSim;
let runtime: Runtime;
let events: string;
let logs: string[];

beforeAll(async () => {
  set = await startSentinelSet();
  slack = await startSlackSim();
  harbor = await startHarborSim();
  harbor.state.health = { status: 'unhealthy', components: [{ name: 'core', status: 'unhealthy' }] };
  const http = await freePort();
  events = `http://127.0.0.1:${http}/slack/events`;
  const harbors = names.map((n) => `  - name: ${n}\n    url: ${harbor.url}\n`).join('');
  const config = parseConfig(`harbors:\n${harbors}runner:\n  concurrency: 1\n`, {});
  const env = readEnv({
    ...set.env,
    SLACK_BOT_TOKEN: 'xoxb-sentinel',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(http),
    HARBOR_PILOT_QUEUE_PREFIX: 'hp',
  });
  const m = memoryLogger('info');
  logs = m.lines;
  runtime = await startRuntime({
    mode: 'start',
    config,
    env,
    registry: createRegistry([harborHealth]),
    commands,
    log: m.log,
  });
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await Promise.all([slack?.close(), harbor?.close()]);
  await set?.close();
});

describe('Redis Sentinel', () => {
  it('says which topology it uses at start-up, without the password', () => {
    const line = logs.find((l) => l.includes('"topology":"sentinel"'));
    expect(line).toContain('Redis Sentinel master \\"hp-master\\" via 127.0.0.1:');
    expect(logs.join('\n')).not.toContain(topologyPassword);
  });

  it('a diagnosis running while the master is killed completes after failover: nothing lost, nothing posted twice', async () => {
    harbor.fault({ path: /health/, delayMs: 400 });
    const res = await postSigned(events, slashBody({ text: 'diagnose', responseUrl: slack.responseUrl('s') }), secret);
    expect(JSON.parse(res.text).text).toContain('6 checks queued');
    await slack.waitFor('chat.postMessage', 1);
    const before = set.master.port;
    expect(await set.masterPort()).toBe(before);

    const promoted = await set.killMaster();
    expect(promoted).toBe(set.replica.port);

    const [update] = await slack.waitFor('chat.update', 1, 40_000);
    expect(String(update?.args.text)).toContain('6 critical');
    const root = update?.args.ts;
    const roots = slack.callsOf('chat.postMessage').filter((c) => !c.args.thread_ts);
    expect(roots).toHaveLength(1);
    const threaded = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === root);
    const harborsPosted = threaded.map((c) => JSON.stringify(c.args.blocks).match(/harbor\/([a-f]) /)?.[1]);
    expect(harborsPosted.sort()).toEqual(names);
    expect(await runtime.queues.checks.getFailedCount()).toBe(0);
  }, 60_000);
});
