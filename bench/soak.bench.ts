import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { startHarborSim } from '../src/sim/harbor-sim.js';
import { stuckReplication } from '../src/sim/replication-scenarios.js';
import { startSlackSim } from '../src/sim/slack-sim.js';
import { amNotification } from '../test/e2e/alerts-harness.js';
import { freePort, postSigned, slashBody, tempFiles } from '../test/support/helpers.js';
import { buildCompiled, dropKeys, report, spawnCompiled, until200 } from './common.js';

// A soak of the compiled `start` as deployed: over SOAK_MINUTES (default 10), 500 diagnoses, 2,000
// slash commands and 1,000 alert notifications, spread evenly, against a Harbor with a stuck
// replication 20 ms away. RSS is sampled every second. Memory must level off (the last minute's mean
// within 10% of the third minute's) and stay under 60% of the 512 MiB the manifests give the pod.
const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const totals = { diagnoses: 500, commands: 2000, alerts: 1000 };
const limitMb = 512;
const secret = 'bench-secret';
const hookToken = 'soak-hook-token-0123456789';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `hp-soak-${process.pid}`;
buildCompiled();

const slack = await startSlackSim();
const harbor = await startHarborSim();
slack.latencyMs = 20;
harbor.latencyMs = 20;
harbor.state.replication = stuckReplication(new Date());
const config = [
  'harbors:',
  `  - name: prod`,
  `    url: ${harbor.url}`,
  'alerts:',
  '  channel: C0ALERTS',
  '  cooldownMinutes: 1',
  '  routes:',
  '    - match: { alertname: /HarborSoak.*/ }',
  '      target: harbor/prod',
  '      checks: [harbor-health]',
  '',
].join('\n');
const configFile = tempFiles({ 'c.yaml': config })['c.yaml'] as string;
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const child = spawnCompiled(
  ['start', '--config', configFile],
  {
    REDIS_URL: redisUrl,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    HARBOR_PILOT_QUEUE_PREFIX: prefix,
    HARBOR_PILOT_HOOK_TOKEN: hookToken,
    LOG_LEVEL: 'warn',
  },
  'inherit',
);
await until200(`${base}/healthz`, 60_000);

const rssMb = () =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const samples: { at: number; mb: number }[] = [];
const started = Date.now();
const sampler = setInterval(() => samples.push({ at: (Date.now() - started) / 1000, mb: rssMb() }), 1000);

function postAlert(i: number): Promise<number> {
  const body = JSON.stringify(
    amNotification([{ alertname: `HarborSoak${i % 20}`, severity: 'critical', instance: `i${i}` }], {
      status: i % 4 === 3 ? 'resolved' : 'firing',
    }),
  );
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/hooks/alertmanager`,
      {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${hookToken}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// One tick every `tickMs`: a command, and a diagnosis or an alert on their share of the ticks.
const ticks = totals.commands;
const tickMs = (minutes * 60_000) / ticks;
const statuses = new Map<number, number>();
const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
const sent = { diagnoses: 0, commands: 0, alerts: 0 };
for (let i = 0; i < ticks; i++) {
  const due = started + i * tickMs;
  if (Date.now() < due) await new Promise((r) => setTimeout(r, due - Date.now()));
  const user = `U${i % 50}`;
  const text = i % (ticks / totals.diagnoses) === 0 ? 'diagnose harbor/prod' : 'check harbor-health harbor/prod';
  const work: Promise<unknown>[] = [
    postSigned(`${base}/slack/events`, slashBody({ text, user, responseUrl: slack.responseUrl(`s${i}`) }), secret).then(
      (r) => count(r.status),
    ),
  ];
  if (text.startsWith('diagnose')) sent.diagnoses++;
  sent.commands++;
  if (i % (ticks / totals.alerts) === 0) {
    work.push(postAlert(i).then(count));
    sent.alerts++;
  }
  void Promise.all(work);
}
await new Promise((r) => setTimeout(r, 15_000)); // let the last work drain
clearInterval(sampler);
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
await Promise.all([slack.close(), harbor.close(), dropKeys(redisUrl, prefix)]);

const meanOf = (from: number, to: number) => {
  const window = samples.filter((s) => s.at >= from && s.at < to);
  return window.reduce((a, s) => a + s.mb, 0) / Math.max(1, window.length);
};
const third = meanOf(120, 180);
const lastMinute = meanOf(minutes * 60 - 60, minutes * 60);
const peak = Math.max(...samples.map((s) => s.mb));
process.stdout.write(
  `sent ${sent.commands} commands (${sent.diagnoses} diagnoses) and ${sent.alerts} alerts; ` +
    `answers ${JSON.stringify(Object.fromEntries(statuses))}\n`,
);
const ok = report(
  'soak',
  [
    {
      name: `RSS of start, mean of the last minute vs the third (${minutes} min soak)`,
      measured: lastMinute,
      unit: 'MB',
      bound: third,
      kind: 'lower-bound',
      target: 1.1,
    },
    {
      name: 'peak RSS of start during the soak vs 60% of the 512 MiB limit',
      measured: peak,
      unit: 'MB',
      bound: limitMb * 0.6,
      kind: 'limit',
      target: 1,
    },
  ],
  { sent, statuses: Object.fromEntries(statuses), rssEverySecond: samples.map((s) => Math.round(s.mb)) },
);
process.exitCode = ok && (statuses.get(200) ?? 0) === sent.commands ? 0 : 1;
