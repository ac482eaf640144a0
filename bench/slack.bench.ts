import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startHarborSim } from '../src/sim/harbor-sim.js';
import { startSlackSim } from '../src/sim/slack-sim.js';
import { freePort, postSigned, slashBody, tempFiles } from '../test/helpers.js';
import { percentile, report } from './common.js';

// The compiled `harbor-pilot start` (bot + workers in one process) as deployed, against the local
// simulators and a real Redis; this process is the load generator. Figures: ack latency under 50
// concurrent slash commands, time from /harbor diagnose to the first threaded finding with 20 ms of
// latency on every upstream call, and the peak RSS (VmHWM) of `start`.
const root = fileURLToPath(new URL('../', import.meta.url));
if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' }).status !== 0) throw new Error('build failed');
const secret = 'bench-secret';
const prefix = `hp-bench-${process.pid}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const slack = await startSlackSim();
const harbor = await startHarborSim();
harbor.state.health = { status: 'unhealthy', components: [{ name: 'registry', status: 'unhealthy', error: 'dial tcp: connection refused' }] };
harbor.latencyMs = 20;
slack.latencyMs = 20;
const port = await freePort();
const events = `http://127.0.0.1:${port}/slack/events`;
const cfg = tempFiles({ 'c.yaml': `harbors:\n  - name: prod\n    url: ${harbor.url}\n` });
const env = { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: secret, SLACK_API_URL: slack.apiUrl, PORT: String(port), HARBOR_PILOT_QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' };
const split = process.env.BENCH_SPLIT === '1';
const child = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), 'dist/src/bin/harbor-pilot.js', split ? 'bot' : 'start', '--config', cfg['c.yaml'] as string], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
const workerChild = split ? spawn(process.execPath, ['dist/src/bin/harbor-pilot.js', 'worker', '--config', cfg['c.yaml'] as string], { cwd: root, env: { ...env, PORT: '0' }, stdio: ['ignore', 'ignore', 'inherit'] }) : undefined;
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
for (let i = 0; i < 200 && (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0)) !== 200; i++) await new Promise((r) => setTimeout(r, 50));
const peakRssMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const slash = (text: string, i: number) => postSigned(events, slashBody({ text, user: `U${i}`, responseUrl: slack.responseUrl(`r${i}`) }), secret);
for (let i = 0; i < 20; i++) await slash('check harbor-health harbor/prod', i);
await slack.waitFor('chat.update', 20, 30_000);

/** One burst, fired from a separate load-generator process. */
async function burst(count: number): Promise<number[]> {
  const gen = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./slack-load.ts', import.meta.url)), events, secret, slack.responseUrl('burst'), String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  gen.stdout.on('data', (d) => (out += d));
  if ((await new Promise((r) => gen.on('exit', r))) !== 0) throw new Error('load generator failed');
  return JSON.parse(out) as number[];
}

const cpuMs = () => {
  const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) * 10;
};
const cpuBefore = cpuMs();
// Five bursts of 50 concurrent commands, each after the previous one's work has drained.
const acks: { status: number; ms: number }[] = [];
for (let round = 1; round <= 5; round++) {
  acks.push(...(await burst(50)).map((ms) => ({ status: 200, ms })));
  await slack.waitFor('chat.update', 20 + 50 * round, 60_000);
}
const ackMs = acks.map((a) => a.ms);
const cpuPerCommandMs = (cpuMs() - cpuBefore) / acks.length;
process.stdout.write(`start used ${cpuPerCommandMs.toFixed(1)} ms of CPU per slash command (ack, thread, check, findings, summary)\n`);

const firstFinding: number[] = [];
for (let i = 0; i < 10; i++) {
  const before = slack.callsOf('chat.postMessage').length;
  const t0 = Date.now();
  await slash('diagnose harbor/prod', i);
  for (;;) {
    const threaded = slack.callsOf('chat.postMessage').slice(before).find((c) => c.args.thread_ts);
    if (threaded) {
      firstFinding.push(threaded.at - t0);
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}
const peakMb = peakRssMb();
child.kill('SIGTERM');
workerChild?.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
await Promise.all([slack.close(), harbor.close()]);
const cleanup = new Redis(redisUrl);
const keys = await cleanup.keys(`${prefix}:*`);
if (keys.length > 0) await cleanup.del(...keys);
await cleanup.quit();
if (acks.some((a) => a.status !== 200)) throw new Error(`non-200 acks; start said: ${stderr.slice(-2000)}`);

const ok = report('slack', [
  { name: 'ack latency p99, 5 bursts of 50 concurrent slash commands', measured: percentile(ackMs, 99), unit: 'ms', bound: 100, kind: 'limit', target: 1 },
  { name: 'diagnose to first threaded finding (20 ms upstream latency), p50 of 10', measured: percentile(firstFinding, 50), unit: 'ms', bound: 1000, kind: 'limit', target: 1 },
  { name: 'peak RSS of start (VmHWM) during this run', measured: peakMb, unit: 'MB', bound: 512, kind: 'limit', target: 1 },
], { ackMs: { p50: percentile(ackMs, 50), p99: percentile(ackMs, 99), max: Math.max(...ackMs) }, cpuPerCommandMs, firstFindingMs: firstFinding });
process.exitCode = ok ? 0 : 1;
