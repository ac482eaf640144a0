import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { startHarborSim } from '../src/sim/harbor-sim.js';
import { startSlackSim } from '../src/sim/slack-sim.js';
import { tempFiles } from '../test/support/helpers.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/log.js';

export const benchLog = createLogger({ level: 'fatal' });

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export interface Figure {
  name: string;
  measured: number;
  unit: string;
  /** The lower bound or limit it is judged against. */
  bound: number;
  kind: 'limit' | 'lower-bound';
  /** Allowed ratio measured/bound (1 for a limit). */
  target: number;
}

/** Prints each figure with its bound and ratio, writes bench/results/<name>.json; false if a target is missed. */
export function report(name: string, figures: Figure[], extra: Record<string, unknown> = {}): boolean {
  let ok = true;
  for (const f of figures) {
    const ratio = f.measured / f.bound;
    const met = ratio <= f.target;
    ok &&= met;
    const against =
      f.kind === 'limit'
        ? `limit ${f.bound} ${f.unit}`
        : `lower bound ${f.bound.toFixed(1)} ${f.unit}, target ≤ ${f.target}x`;
    process.stdout.write(
      `${met ? 'ok  ' : 'MISS'} ${f.name}: ${f.measured.toFixed(1)} ${f.unit} (${against}; ratio ${ratio.toFixed(2)})\n`,
    );
  }
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name}.json`),
    `${JSON.stringify({ name, at: new Date().toISOString(), node: process.version, figures, ...extra }, null, 2)}\n`,
  );
  return ok;
}

/** Samples RSS every 20 ms; returns the peak in MB when stopped. */
export function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage().rss) / 1024 / 1024;
    },
  };
}

/** The repository root; benchmarks run the compiled CLI from there. */
export const root = fileURLToPath(new URL('../', import.meta.url));

/** `npm run build`, so a benchmark measures `dist/` as deployed. */
export function buildCompiled(): void {
  if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' }).status !== 0) throw new Error('build failed');
}

/** The compiled `harbor-pilot <args>` as a child process (BENCH_PROF=1: with a CPU profile in /tmp/prof). */
export function spawnCompiled(
  args: string[],
  env: Record<string, string>,
  stderr: 'pipe' | 'inherit' = 'pipe',
): ChildProcess {
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [];
  return spawn(process.execPath, [...prof, 'dist/src/bin/harbor-pilot.js', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', stderr],
  });
}

/** Polls a URL until it answers 200 (10 s at most, or `timeoutMs`). */
export async function until200(url: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

/** CPU time (user + system, ms) and peak RSS (VmHWM, MB) of another process, from /proc. */
export function processStats(pid: number): { cpuMs(): number; peakRssMb(): number } {
  return {
    cpuMs() {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(f[11]) + Number(f[12])) * 10;
    },
    peakRssMb: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
  };
}

/** Deletes a benchmark's keys (its queue prefix) from Redis. */
export async function dropKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

/**
 * The simulators of the Slack benchmarks: Slack's Web API and a Harbor with an unhealthy registry,
 * both 20 ms away, and a configuration file naming that Harbor harbor/prod.
 */
export async function startSlackBenchSims() {
  const slack = await startSlackSim();
  const harbor = await startHarborSim();
  harbor.state.health = {
    status: 'unhealthy',
    components: [{ name: 'registry', status: 'unhealthy', error: 'dial tcp: connection refused' }],
  };
  harbor.latencyMs = 20;
  slack.latencyMs = 20;
  const configFile = tempFiles({ 'c.yaml': `harbors:\n  - name: prod\n    url: ${harbor.url}\n` })['c.yaml'] as string;
  return { slack, harbor, configFile };
}
