import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseConfig } from '../src/config.js';
import { desiredSchedules } from '../src/schedules.js';
import { startHarborSim } from '../src/sim/harbor-sim.js';
import { startKubeSim } from '../src/sim/kube-sim.js';
import { startSlackSim } from '../src/sim/slack-sim.js';
import { tempFiles } from '../test/support/helpers.js';
import { buildCompiled, processStats, report, spawnCompiled } from './common.js';

// A fleet: 100 Harbors and 100 clusters, each with its own watch scheduled every minute, 20 ms away.
// One minute's tick (200 watch jobs, as the 200 job schedulers enqueue them) is drained by 1, 2 and
// 4 `harbor-pilot worker` processes on one Redis; diagnoses per minute = 200 / drain time. A watch
// runs harbor-health on a Harbor, pod-health on a cluster. Also measured: CPU per worker process,
// Redis commands per diagnosis, and that no target was checked by two workers at once.
const HARBORS = 100;
const CLUSTERS = 100;
const LATENCY_MS = 20;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const slack = await startSlackSim();
const harbor = await startHarborSim();
const kube = await startKubeSim();
for (const sim of [slack, harbor, kube]) {
  sim.latencyMs = LATENCY_MS;
  sim.record = false;
}
const files = tempFiles({ kubeconfig: kube.kubeconfig('prod') });
const pad = (i: number) => String(i).padStart(3, '0');
const yaml = [
  'harbors:',
  ...Array.from({ length: HARBORS }, (_, i) => `  - { name: h${pad(i)}, url: "${harbor.url}" }`),
  'clusters:',
  ...Array.from(
    { length: CLUSTERS },
    (_, i) => `  - { name: c${pad(i)}, kubeconfig: "${files.kubeconfig}", harbor: h${pad(i)} }`,
  ),
  'slack:',
  '  alertChannel: C0FLEET',
  'runner:',
  '  concurrency: 4',
  '',
].join('\n');
const configFile = tempFiles({ 'fleet.yaml': yaml })['fleet.yaml'] as string;
const watches = [
  ...Array.from({ length: HARBORS }, (_, i) => ({
    cron: '* * * * *',
    targets: [`harbor/h${pad(i)}`],
    checks: ['harbor-health'],
  })),
  ...Array.from({ length: CLUSTERS }, (_, i) => ({
    cron: '* * * * *',
    targets: [`cluster/c${pad(i)}`],
    checks: ['pod-health'],
  })),
];
const ticks = desiredSchedules({ ...parseConfig(yaml, {}), watches: watches.map((w) => ({ ...w, timezone: 'UTC' })) });

buildCompiled();
const redis = new Redis(redisUrl);

async function commandsProcessed(): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
}

interface Run {
  workers: number;
  drainS: number;
  perMinute: number;
  cpuPerWorkerS: number;
  redisCommandsPerDiagnosis: number;
  overlaps: number;
}

/** Starts `count` workers, enqueues one tick, waits until it is drained; stops the workers. */
async function run(count: number): Promise<Run> {
  const prefix = `bench-fleet-${count}-${Date.now()}`;
  const env = {
    REDIS_URL: redisUrl,
    SLACK_BOT_TOKEN: 'xoxb-fleet',
    SLACK_API_URL: slack.apiUrl,
    HARBOR_PILOT_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'error',
  };
  const procs: ChildProcess[] = Array.from({ length: count }, () =>
    spawnCompiled(['worker', '--config', configFile], env, 'inherit'),
  );
  const queue = new Queue('scheduled', { connection: redis, prefix });
  while ((await queue.getWorkers()).length < count) await new Promise((r) => setTimeout(r, 100));
  const stats = procs.map((p) => processStats(p.pid as number));
  const cpu0 = stats.map((s) => s.cpuMs());
  const cmd0 = await commandsProcessed();
  const t0 = Date.now();
  await queue.addBulk(
    ticks.map((t) => ({ name: 'watch', data: t.data, opts: { jobId: `${t.id}-${t0}`, removeOnComplete: false } })),
  );
  while ((await queue.getCompletedCount()) + (await queue.getFailedCount()) < ticks.length)
    await new Promise((r) => setTimeout(r, 50));
  const drainS = (Date.now() - t0) / 1000;
  const cmds = (await commandsProcessed()) - cmd0;
  const cpuS = stats.reduce((sum, s, i) => sum + s.cpuMs() - (cpu0[i] ?? 0), 0) / 1000;
  const jobs = await queue.getCompleted(0, -1);
  const failed = await queue.getFailedCount();
  if (failed > 0) throw new Error(`${failed} watch jobs failed`);
  // Per target: the [start, end] of each check, and the worker that ran it; two workers may never overlap.
  const byTarget = new Map<string, { from: number; to: number; by: string }[]>();
  for (const j of jobs) {
    const target = String((j.data as { targets: string[] }).targets[0]);
    byTarget.set(target, [
      ...(byTarget.get(target) ?? []),
      { from: j.processedOn ?? 0, to: j.finishedOn ?? 0, by: String(j.processedBy ?? j.token) },
    ]);
  }
  let overlaps = 0;
  for (const runs of byTarget.values()) {
    for (const a of runs)
      for (const b of runs) if (a !== b && a.by !== b.by && a.from < b.to && b.from < a.to) overlaps += 1;
  }
  await queue.obliterate({ force: true });
  await queue.close();
  await Promise.all(procs.map((p) => new Promise((r) => p.once('exit', r).kill('SIGTERM'))));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  return {
    workers: count,
    drainS,
    perMinute: (ticks.length / drainS) * 60,
    cpuPerWorkerS: cpuS / count,
    redisCommandsPerDiagnosis: cmds / ticks.length,
    overlaps,
  };
}

const runs: Run[] = [];
for (const n of [1, 2, 4]) {
  const r = await run(n);
  runs.push(r);
  process.stdout.write(
    `${n} worker(s): ${ticks.length} diagnoses in ${r.drainS.toFixed(1)} s = ${r.perMinute.toFixed(0)}/min; ` +
      `CPU ${r.cpuPerWorkerS.toFixed(1)} s per worker; ${r.redisCommandsPerDiagnosis.toFixed(0)} Redis commands per diagnosis\n`,
  );
}
const one = runs[0] as Run;
const ratio = (n: number) => (runs.find((r) => r.workers === n)?.perMinute ?? 0) / one.perMinute;
process.stdout.write(`scaling: 2 workers ${ratio(2).toFixed(2)}x, 4 workers ${ratio(4).toFixed(2)}x of one worker\n`);
// Judged: one worker drains a minute's tick within the minute, and no target ran on two workers at
// once. The scaling ratios are recorded, not judged: on a shared 2-core machine the workers, Redis and
// the simulators compete for the same two cores, so extra processes add CPU contention, not capacity.
const load = (await import('node:os')).loadavg()[0] ?? 0;
process.stdout.write(
  `load average during the run: ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} cores\n`,
);
const ok = report(
  'fleet',
  [
    {
      name: 'one tick (200 targets) on 1 worker',
      measured: one.drainS,
      unit: 's',
      bound: 60,
      kind: 'limit',
      target: 1,
    },
    {
      name: 'targets checked by two workers at once',
      measured: runs.reduce((sum, r) => sum + r.overlaps, 0),
      unit: 'targets',
      bound: 1,
      kind: 'limit',
      target: 0,
    },
  ],
  { runs, scaling: { two: ratio(2), four: ratio(4) }, loadAverage: load },
);
await redis.quit();
await Promise.all([slack.close(), harbor.close(), kube.close()]);
process.exitCode = ok ? 0 : 1;
