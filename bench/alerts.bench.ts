import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { type LabNotification, naturalAlerts } from '../src/alerts/lab-alerts.js';
import { type Lab, startLab } from '../src/lab/lab.js';
import type { Scenario } from '../src/lab/scenario-schema.js';
import { loadScenarios } from '../src/lab/scenarios.js';
import { startSlackSim } from '../src/sim/slack-sim.js';
import { freePort, tempFiles } from '../test/support/helpers.js';
import { buildCompiled, dropKeys, percentile, report, spawnCompiled } from './common.js';

// The compiled `harbor-pilot start` in HTTP mode with the alert hooks on, against the lab's
// simulated Harbor and cluster and a simulated Slack, all 20 ms away, on a real Redis. Figures: time
// from an alert's POST to the first finding posted in its incident thread, over 20 alerts on the
// lab's scenarios (each resolved before the next, so each opens its own thread); and the hook's
// throughput while a diagnosis runs, with every accepted notification found processed afterwards.
buildCompiled();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = 'bench-hook-token';
const channel = 'C0BENCH';
const prefix = `hp-bench-alerts-${process.pid}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const scenarios = loadScenarios();
const byName = (n: string) => scenarios.find((s) => s.name === n) as Scenario;
const slack = await startSlackSim();
const lab: Lab = await startLab({ scenario: byName('downgrade') });
for (const s of [slack, lab.harbor, lab.kube]) s.latencyMs = 20;
const config = `${readFileSync(lab.configPath, 'utf8')}alerts:\n  channel: ${channel}\n`;
const cfg = tempFiles({ 'c.yaml': config })['c.yaml'] as string;
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  REDIS_URL: redisUrl,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: 'bench-secret',
  SLACK_API_URL: slack.apiUrl,
  PORT: String(port),
  HARBOR_PILOT_QUEUE_PREFIX: prefix,
  HARBOR_PILOT_HOOK_TOKEN: token,
  LOG_LEVEL: 'warn',
};
const child = spawnCompiled(['start', '--config', cfg], env, 'inherit');
// Up to a minute: on a loaded machine, loading the compiled bot alone can take longer than until200's 10 s.
for (
  let i = 0;
  i < 600 &&
  (await fetch(`${base}/healthz`).then(
    (r) => r.status,
    () => 0,
  )) !== 200;
  i++
)
  await sleep(100);

const post = (n: LabNotification, body: unknown = n.body) =>
  fetch(new URL(n.path, base), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.status);
const roots = () => [...slack.state.messages.values()].filter((m) => m.channel === channel && !m.thread_ts);

/** The scenario's first Alertmanager alert, made a new episode (its own startsAt) and its resolve. */
function episode(s: Scenario, i: number): { fire: LabNotification; resolve: unknown } | undefined {
  lab.load(s);
  const pods = lab.kube.state.objects.filter((o) => o.kind === 'Pod');
  const n = naturalAlerts(lab.world, pods, 'lab').find((x) => x.path === '/hooks/alertmanager');
  if (!n) return undefined;
  const body = n.body as { alerts: { startsAt: string; status: string; endsAt: string }[]; status: string };
  const startsAt = new Date(Date.now() - 60_000 - i * 1000).toISOString();
  for (const a of body.alerts) a.startsAt = startsAt;
  const resolve = {
    ...body,
    status: 'resolved',
    alerts: body.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: new Date().toISOString() })),
  };
  return { fire: n, resolve };
}

const cycle = ['downgrade', 'self-pull-upgrade', 'ingress-no-endpoints', 'pull-rate-limited']
  .map(byName)
  .filter(Boolean);
const firstFinding: number[] = [];
for (let i = 0; firstFinding.length < 20 && i < 60; i++) {
  const ep = episode(cycle[i % cycle.length] as Scenario, i);
  if (!ep) continue;
  const before = roots().length;
  const t0 = Date.now();
  if ((await post(ep.fire)) !== 202) throw new Error('alert not accepted');
  for (;;) {
    const root = roots()[before];
    const finding = root && slack.calls.find((c) => c.args.thread_ts === root.ts && /^\[/.test(String(c.args.text)));
    if (finding) {
      firstFinding.push(finding.at - t0);
      break;
    }
    if (Date.now() - t0 > 30_000) throw new Error(`no finding within 30 s for ${ep.fire.label}`);
    await sleep(5);
  }
  await post(ep.fire, ep.resolve);
  const ts = roots()[before]?.ts;
  while (!slack.callsOf('chat.update').some((c) => c.args.ts === ts && /^Resolved/.test(String(c.args.text))))
    await sleep(10);
}

// Throughput: a crash-loop incident's diagnosis starts, and at once a separate process fires 3,000
// notifications, each a new alert for the same target (they join the incident: one note per window).
// No loss: every accepted notification is a job in Redis; how many the worker got through is reported.
const redis = new Redis(redisUrl);
const jobs = async () => {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:alerts:alerts-alertmanager-*`, 'COUNT', 1000);
    cursor = next;
    n += keys.filter((k) => k.split(':').length === 3).length;
  } while (cursor !== '0');
  return n;
};
const COUNT = 3000;
const storm = episode(byName('downgrade'), 1000) as { fire: LabNotification };
const stormRoots = roots().length;
const gen = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    fileURLToPath(new URL('./alerts-load.ts', import.meta.url)),
    `${base}/hooks/alertmanager`,
    token,
    String(COUNT),
    '32',
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
let out = '';
const ready = new Promise<void>((resolve) =>
  gen.stdout.on('data', (d) => {
    out += d;
    if (out.startsWith('READY\n')) resolve();
  }),
);
const exited = new Promise((r) => gen.on('exit', r));
await ready;
// The incident's alert first (202 means it is in Redis and its diagnosis is on its way), then the load at once.
await post(storm.fire);
const baseline = await jobs(); // only the load's jobs are counted from here
gen.stdin.write('go\n');
if ((await exited) !== 0) throw new Error('load generator failed');
const load = JSON.parse(out.slice('READY\n'.length)) as {
  accepted: number;
  sent: number;
  ms: number;
  startedAt: number;
  acceptedAt: number[];
};
const perSecond = load.accepted / (load.ms / 1000);
// "While a diagnosis runs": the window from the load's start to the incident's last finding (or the
// load's end, if the diagnosis outlasted it); the figure judged is the hook's rate inside it.
const stormTs = roots()[stormRoots]?.ts;
const stormFindings = slack.calls.filter((c) => c.args.thread_ts === stormTs && /^\[/.test(String(c.args.text)));
const windowEnd = Math.min(load.startedAt + load.ms, Math.max(0, ...stormFindings.map((c) => c.at)));
const windowMs = windowEnd - load.startedAt;
const inWindow = load.acceptedAt.filter((t) => t <= windowEnd).length;
const perSecondDuringDiagnosis = windowMs > 0 ? inWindow / (windowMs / 1000) : 0;
process.stdout.write(
  `hook accepted ${load.accepted} of ${load.sent} notifications in ${load.ms.toFixed(0)} ms ` +
    `(${perSecond.toFixed(0)}/s); ${inWindow} in the ${windowMs} ms the incident's diagnosis ran ` +
    `(${perSecondDuringDiagnosis.toFixed(0)}/s)\n`,
);
if (windowMs < 200) throw new Error(`the diagnosis overlapped the load for only ${windowMs} ms`);

const known = async () => {
  const h = await redis.hgetall(`${prefix}:alerts:known:cluster/lab`);
  return Object.values(h).filter((v) => v.includes('"KubePodNotReady"')).length;
};
const queued = (await jobs()) - baseline;
const drainUntil = Date.now() + 60_000;
while ((await known()) < load.accepted && Date.now() < drainUntil) await sleep(200);
const processed = await known();
await redis.quit();
process.stdout.write(`${queued} notification jobs in Redis; the worker processed ${processed} within a minute\n`);

child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
await Promise.all([slack.close(), lab.close(), dropKeys(redisUrl, prefix)]);

const ok = report(
  'alerts',
  [
    {
      name: 'alert to first finding in its thread, p50 of 20 (20 ms upstream latency)',
      measured: percentile(firstFinding, 50),
      unit: 'ms',
      bound: 5000,
      kind: 'limit',
      target: 1,
    },
    {
      name: 'alert to first finding in its thread, p95 of 20 (20 ms upstream latency)',
      measured: percentile(firstFinding, 95),
      unit: 'ms',
      bound: 5000,
      kind: 'limit',
      target: 1,
    },
    {
      name: 'hook time per accepted notification while a diagnosis runs (2 ms = 500/s)',
      measured: 1000 / perSecondDuringDiagnosis,
      unit: 'ms',
      bound: 2,
      kind: 'limit',
      target: 1,
    },
    {
      name: 'notifications lost (sent, not accepted, or accepted and not in Redis)',
      measured: load.accepted - queued + (load.sent - load.accepted),
      unit: 'notifications',
      bound: 1,
      kind: 'limit',
      target: 0.999,
    },
  ],
  {
    firstFindingMs: firstFinding,
    perSecond,
    perSecondDuringDiagnosis,
    diagnosisWindowMs: windowMs,
    load: { accepted: load.accepted, sent: load.sent, ms: load.ms },
    queued,
    processed,
  },
);
process.exitCode = ok ? 0 : 1;
