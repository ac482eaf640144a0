import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, postSigned, slashBody } from '../test/support/helpers.js';
import {
  buildCompiled,
  dropKeys,
  percentile,
  processStats,
  report,
  spawnCompiled,
  startSlackBenchSims,
  until200,
} from './common.js';

// The compiled `harbor-pilot start` (bot + workers in one process) as deployed in HTTP mode, against
// the local simulators and a real Redis; the load comes from a separate process. Figures: ack
// latency under 50 concurrent slash commands, time from /harbor diagnose to the first threaded
// finding with 20 ms of latency on every upstream call, and the peak RSS (VmHWM) of `start`.
// BENCH_SPLIT=1 runs `bot` and `worker` as two processes instead.
buildCompiled();
const secret = 'bench-secret';
const prefix = `hp-bench-${process.pid}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const { slack, harbor, configFile: cfg } = await startSlackBenchSims();
const port = await freePort();
const events = `http://127.0.0.1:${port}/slack/events`;
const env = {
  REDIS_URL: redisUrl,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: secret,
  SLACK_API_URL: slack.apiUrl,
  PORT: String(port),
  HARBOR_PILOT_QUEUE_PREFIX: prefix,
  LOG_LEVEL: 'warn',
};
const split = process.env.BENCH_SPLIT === '1';
const child = spawnCompiled([split ? 'bot' : 'start', '--config', cfg], env);
const workerChild = split ? spawnCompiled(['worker', '--config', cfg], { ...env, PORT: '0' }, 'inherit') : undefined;
let stderr = '';
child.stderr?.on('data', (d) => (stderr += d));
await until200(`http://127.0.0.1:${port}/healthz`);
const stats = processStats(child.pid as number);

const slash = (text: string, i: number) =>
  postSigned(events, slashBody({ text, user: `U${i}`, responseUrl: slack.responseUrl(`r${i}`) }), secret);
for (let i = 0; i < 20; i++) await slash('check harbor-health harbor/prod', i);
await slack.waitFor('chat.update', 20, 30_000);

/** One burst, fired from a separate load-generator process. */
async function burst(count: number): Promise<number[]> {
  const gen = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./slack-load.ts', import.meta.url)),
      events,
      secret,
      slack.responseUrl('burst'),
      String(count),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  gen.stdout.on('data', (d) => (out += d));
  if ((await new Promise((r) => gen.on('exit', r))) !== 0)
    throw new Error(`load generator failed; start said: ${stderr.slice(-2000)}`);
  return JSON.parse(out) as number[];
}

const cpuBefore = stats.cpuMs();
// Five bursts of 50 concurrent commands, each after the previous one's work has drained.
const ackMs: number[] = [];
for (let round = 1; round <= 5; round++) {
  ackMs.push(...(await burst(50)));
  await slack.waitFor('chat.update', 20 + 50 * round, 60_000);
}
const cpuPerCommandMs = (stats.cpuMs() - cpuBefore) / ackMs.length;
process.stdout.write(
  `start used ${cpuPerCommandMs.toFixed(1)} ms of CPU per slash command (ack, thread, check, findings, summary)\n`,
);

const firstFinding: number[] = [];
for (let i = 0; i < 10; i++) {
  const before = slack.callsOf('chat.postMessage').length;
  const t0 = Date.now();
  await slash('diagnose harbor/prod', i);
  for (;;) {
    const threaded = slack
      .callsOf('chat.postMessage')
      .slice(before)
      .find((c) => c.args.thread_ts);
    if (threaded) {
      firstFinding.push(threaded.at - t0);
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}
const peakMb = stats.peakRssMb();
child.kill('SIGTERM');
workerChild?.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
await Promise.all([slack.close(), harbor.close(), dropKeys(redisUrl, prefix)]);

const ok = report(
  'slack',
  [
    {
      name: 'ack latency p99, 5 bursts of 50 concurrent slash commands (HTTP)',
      measured: percentile(ackMs, 99),
      unit: 'ms',
      bound: 100,
      kind: 'limit',
      target: 1,
    },
    {
      name: 'diagnose to first threaded finding (20 ms upstream latency), p50 of 10',
      measured: percentile(firstFinding, 50),
      unit: 'ms',
      bound: 1000,
      kind: 'limit',
      target: 1,
    },
    {
      name: 'peak RSS of start (VmHWM) during this run',
      measured: peakMb,
      unit: 'MB',
      bound: 512,
      kind: 'limit',
      target: 1,
    },
  ],
  {
    ackMs: { p50: percentile(ackMs, 50), p99: percentile(ackMs, 99), max: Math.max(...ackMs) },
    cpuPerCommandMs,
    firstFindingMs: firstFinding,
  },
);
process.exitCode = ok ? 0 : 1;
