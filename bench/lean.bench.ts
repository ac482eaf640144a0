import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHarborSim } from '../src/sim/harbor-sim.js';
import { stuckReplication } from '../src/sim/replication-scenarios.js';
import { startSlackSim, type SlackSim } from '../src/sim/slack-sim.js';
import { freePort, postSigned, slashBody, tempFiles } from '../test/support/helpers.js';
import { buildCompiled, dropKeys, percentile, processStats, report, root, spawnCompiled, until200 } from './common.js';

// harbor-pilot `start` next to a reference floor (bench/floor-bot.mjs: a bare Bolt 5 + BullMQ 6 bot
// that acks, enqueues one job and posts one threaded reply), both started by this run and loaded
// round by round in alternating order, so every figure is a ratio to what this machine gives the
// floor in the same minutes. The Harbor has a stuck replication and an unhealthy registry; every
// upstream answers after 20 ms. Each round: a burst of 50 concurrent slash commands to each bot,
// then one diagnosis each. ROUNDS (default 15) sets the number of rounds.
const rounds = Number(process.env.ROUNDS ?? 15);
const secret = 'bench-secret';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `hp-lean-${process.pid}`;
buildCompiled();

const harbor = await startHarborSim();
harbor.latencyMs = 20;
harbor.state.replication = stuckReplication(new Date());
harbor.state.health = {
  status: 'unhealthy',
  components: [{ name: 'registry', status: 'unhealthy', error: 'dial tcp: connection refused' }],
};
const configFile = tempFiles({ 'c.yaml': `harbors:\n  - name: prod\n    url: ${harbor.url}\n` })['c.yaml'] as string;

interface Bot {
  name: 'floor' | 'start';
  slack: SlackSim;
  child: ChildProcess;
  events: string;
  stats: ReturnType<typeof processStats>;
  acks: number[];
  firstReply: number[];
  /** Slack calls that mark one command's work as done, and how many each command makes. */
  done: { method: string; perCommand: number };
  expected: number;
}

async function startBot(name: Bot['name']): Promise<Bot> {
  const slack = await startSlackSim();
  slack.latencyMs = 20;
  const port = await freePort();
  const env = {
    REDIS_URL: redisUrl,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    LOG_LEVEL: 'warn',
  };
  const child =
    name === 'start'
      ? spawnCompiled(['start', '--config', configFile], { ...env, HARBOR_PILOT_QUEUE_PREFIX: prefix }, 'inherit')
      : spawn(process.execPath, [fileURLToPath(new URL('./floor-bot.mjs', import.meta.url))], {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', ...env, FLOOR_PREFIX: `${prefix}-floor` },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
  await until200(`http://127.0.0.1:${port}/healthz`, 60_000);
  return {
    name,
    slack,
    child,
    events: `http://127.0.0.1:${port}/slack/events`,
    stats: processStats(child.pid as number),
    acks: [],
    firstReply: [],
    // start: each `check` ends with the root message's summary update; the floor posts twice.
    done: name === 'start' ? { method: 'chat.update', perCommand: 1 } : { method: 'chat.postMessage', perCommand: 2 },
    expected: 0,
  };
}

/** A burst of `count` concurrent commands from a separate load-generator process; their ack times. */
async function burst(bot: Bot, count: number): Promise<void> {
  const gen = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./slack-load.ts', import.meta.url)),
      bot.events,
      secret,
      bot.slack.responseUrl('burst'),
      String(count),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  gen.stdout.on('data', (d) => (out += d));
  if ((await new Promise((r) => gen.on('exit', r))) !== 0) throw new Error(`load generator failed against ${bot.name}`);
  bot.acks.push(...(JSON.parse(out) as number[]));
  bot.expected += count * bot.done.perCommand;
  await bot.slack.waitFor(bot.done.method, bot.expected, 120_000);
}

/** One diagnosis: the time from the command to the first threaded reply. */
async function diagnose(bot: Bot, i: number): Promise<void> {
  const before = bot.slack.callsOf('chat.postMessage').length;
  const t0 = Date.now();
  const body = slashBody({ text: 'diagnose harbor/prod', user: `U${i}`, responseUrl: bot.slack.responseUrl(`d${i}`) });
  await postSigned(bot.events, body, secret);
  for (;;) {
    const threaded = bot.slack
      .callsOf('chat.postMessage')
      .slice(before)
      .find((c) => c.args.thread_ts);
    if (threaded) {
      bot.firstReply.push(threaded.at - t0);
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  // Let the rest of the diagnosis finish before the next round (the floor's is its one reply).
  if (bot.name === 'start') await bot.slack.waitFor('chat.update', bot.slack.callsOf('chat.update').length + 1, 60_000);
  else bot.expected += bot.done.perCommand;
}

const floor = await startBot('floor');
const start = await startBot('start');
for (let r = 0; r < rounds; r++) {
  for (const bot of r % 2 === 0 ? [floor, start] : [start, floor]) {
    await burst(bot, 50);
    await diagnose(bot, r);
  }
}
const peak = { floor: floor.stats.peakRssMb(), start: start.stats.peakRssMb() };
for (const bot of [floor, start]) bot.child.kill('SIGTERM');
await Promise.all([floor, start].map((b) => new Promise((r) => b.child.on('exit', r))));
await Promise.all([floor.slack.close(), start.slack.close(), harbor.close()]);
await Promise.all([dropKeys(redisUrl, prefix), dropKeys(redisUrl, `${prefix}-floor`)]);

const p99 = { floor: percentile(floor.acks, 99), start: percentile(start.acks, 99) };
const ok = report(
  'lean',
  [
    {
      name: `peak RSS of start vs the floor bot, ${rounds} rounds of 50-command bursts and a diagnosis`,
      measured: peak.start,
      unit: 'MB',
      bound: peak.floor,
      kind: 'lower-bound',
      target: 1.5,
    },
    {
      name: 'ack latency p99 of start vs the floor bot, same bursts',
      measured: p99.start,
      unit: 'ms',
      bound: p99.floor,
      kind: 'lower-bound',
      target: 1.2,
    },
    {
      name: 'diagnose to first threaded finding, p95 (20 ms upstream latency)',
      measured: percentile(start.firstReply, 95),
      unit: 'ms',
      bound: 500,
      kind: 'limit',
      target: 1,
    },
  ],
  {
    rounds,
    peakRssMb: peak,
    ackMs: {
      floor: { p50: percentile(floor.acks, 50), p95: percentile(floor.acks, 95), p99: p99.floor },
      start: { p50: percentile(start.acks, 50), p95: percentile(start.acks, 95), p99: p99.start },
    },
    firstReplyMs: {
      floor: { p50: percentile(floor.firstReply, 50), p95: percentile(floor.firstReply, 95) },
      start: { p50: percentile(start.firstReply, 50), p95: percentile(start.firstReply, 95) },
    },
  },
);
process.exitCode = ok ? 0 : 1;
