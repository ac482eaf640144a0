import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectionsOpen } from '../src/sim/socket-mode-sim.js';
import { freePort } from '../test/support/helpers.js';
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

// The same ack figure in Socket Mode, as deploy/kubernetes runs the bot: the compiled `start`
// opens its WebSocket to Slack's side, which lives in the load generator's process
// (bench/socket-load.ts) and times each envelope from send to ack. The Web API (root message,
// findings) is the simulator in this process, 20 ms away, as is Harbor.
buildCompiled();
const prefix = `hp-bench-socket-${process.pid}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const { slack, harbor, configFile: cfg } = await startSlackBenchSims();

const gen = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./socket-load.ts', import.meta.url))], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: gen.stdout });
const next = (tag: string) =>
  new Promise<string>((resolve) =>
    lines.once('line', function on(l: string) {
      if (l.startsWith(`${tag} `)) resolve(l.slice(tag.length + 1));
      else lines.once('line', on);
    }),
  );
const socketPort = await next('PORT');
slack.answers['apps.connections.open'] = connectionsOpen(`ws://127.0.0.1:${socketPort}`);

const opsPort = await freePort();
const child = spawnCompiled(['start', '--config', cfg], {
  REDIS_URL: redisUrl,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_APP_TOKEN: 'xapp-bench',
  SLACK_API_URL: slack.apiUrl,
  OPS_PORT: String(opsPort),
  HARBOR_PILOT_QUEUE_PREFIX: prefix,
  LOG_LEVEL: 'error',
});
let stderr = '';
child.stderr?.on('data', (d) => (stderr += d));
child.on('exit', (code) => code && process.stderr.write(`start exited ${code}: ${stderr.slice(-2000)}\n`));
await until200(`http://127.0.0.1:${opsPort}/readyz`);
const stats = processStats(child.pid as number);

async function burst(count: number): Promise<number[]> {
  const acks = next('ACKS');
  gen.stdin.write(`burst ${count}\n`);
  return JSON.parse(await acks) as number[];
}
await burst(20);
await slack.waitFor('chat.update', 20, 30_000);
const ackMs: number[] = [];
for (let round = 1; round <= 5; round++) {
  ackMs.push(...(await burst(50)));
  await slack.waitFor('chat.update', 20 + 50 * round, 60_000);
}
const peakMb = stats.peakRssMb();
gen.stdin.end();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
await Promise.all([slack.close(), harbor.close(), dropKeys(redisUrl, prefix)]);

const ok = report(
  'slack-socket',
  [
    {
      name: 'ack latency p99, 5 bursts of 50 concurrent slash commands (Socket Mode)',
      measured: percentile(ackMs, 99),
      unit: 'ms',
      bound: 100,
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
  { ackMs: { p50: percentile(ackMs, 50), p99: percentile(ackMs, 99), max: Math.max(...ackMs) } },
);
process.exitCode = ok ? 0 : 1;
