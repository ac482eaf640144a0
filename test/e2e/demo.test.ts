import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { runDemo, wrap } from '../../src/lab/demo.js';
import { loadScenarios } from '../../src/lab/scenarios.js';
import { captureStream, memoryLogger, tempFiles } from '../support/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the entry point as `npm run demo` does (tsx), with nothing but PATH in the environment. */
function startEntry(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/harbor-pilot.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '' },
  });
  const io = { out: '', err: '' };
  child.stdout.on('data', (d) => (io.out += d));
  child.stderr.on('data', (d) => (io.err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, io, exited };
}

async function runEntry(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const { io, exited } = startEntry(args);
  const code = await exited;
  return { code, ...io };
}

describe('the demo (npm run demo)', () => {
  it('finds every seeded failure mode and nothing at warning or above on the healthy scenario', async () => {
    const scenarios = loadScenarios();
    const out = captureStream();
    const { outcomes, exitCode } = await runDemo({ scenarios, registry, log: memoryLogger('error').log, out });
    const text = out.text();
    for (const o of outcomes) {
      expect(o.missing, `${o.scenario.name}: expected causes not reported`).toEqual([]);
      expect(o.preflightWrong, `${o.scenario.name}: preflight gates`).toEqual([]);
      expect(text).toContain(`=== ${o.scenario.name} (`);
    }
    const found = new Set(outcomes.flatMap((o) => o.found));
    const operational = ['quota-exceeded', 'quota-near-limit', 'gc-failed', 'robot-expiring', 'robot-expired'];
    const saturation = [
      'certificate-expiring',
      'storage-backend-error',
      'database-connections-exhausted',
      'harbor-redis-oom',
    ];
    for (const cause of [...operational, ...saturation]) expect(found, `${cause} on its lab scenario`).toContain(cause);
    const healthy = outcomes.find((o) => o.scenario.name === 'healthy');
    expect(healthy?.report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const seeded = [
      ...new Set(scenarios.filter((s) => s.expect.causes.length > 0 && /^[A-G]/.test(s.mode)).map((s) => s.mode)),
    ].sort();
    expect(seeded).toEqual(expect.arrayContaining(['A', 'A2', 'B', 'C', 'D', 'D2', 'E', 'F', 'G']));
    expect(text).toContain(`Failure modes found: ${seeded.join(', ')} (of ${seeded.join(', ')} seeded).`);
    expect(text).toContain('Healthy scenario: no findings at warning or above.');
    // The self-pulling upgrade: Harbor answers 503, one row for it; each circular pull with its cause and fix.
    expect(text.match(/^critical +harbor\/lab +Harbor\/lab$/gm)?.length).toBeGreaterThan(0);
    expect(text).toContain('  harbor/lab answered 503 with an HTML page "503 Service Temporarily Unavailable"');
    expect(text).toMatch(/cause +Harbor's own images are pulled through the Harbor being upgraded/);
    expect(text).toMatch(
      /fixes +1\. Pull harbor-core images from docker\.io\/goharbor\n +set-deployment-images, medium risk/,
    );
    expect(exitCode).toBe(0);
  }, 120_000);

  it('runs from the entry point with no Slack, cluster or Redis and exits 0', async () => {
    const { code, out, err } = await runEntry(['lab', '--demo']);
    expect(err).toBe('');
    expect(out).toMatch(
      /^Incident lab demo: \d+ scenarios, simulated Harbor http:\/\/127\.0\.0\.1:\d+ and Kubernetes API http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(out).toContain('=== self-pull-upgrade (mode A)');
    expect(out).toContain('Summary');
    expect(code).toBe(0);
  }, 120_000);

  it('lists the scenarios and refuses an unknown one with the valid names', async () => {
    const list = await runEntry(['lab', '--list']);
    expect(list.code).toBe(0);
    expect(list.out.split('\n')[0]).toMatch(/^healthy +healthy +A healthy Harbor 2\.10\.3 on Kubernetes$/);
    const bad = await runEntry(['lab', '--scenario', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('harbor-pilot lab: unknown scenario "nope"; valid: healthy,');
  }, 90_000);

  it('serves one scenario until Ctrl-C: `check` over the config it wrote finds the incident', async () => {
    const { dir } = tempFiles({});
    const { child, io, exited } = startEntry(['lab', '--scenario', 'replication-stuck', '--dir', dir]);
    onTestFinished(() => void child.kill('SIGKILL'));
    for (let i = 0; i < 800 && !io.out.includes('Press Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(io.out).toContain('Incident lab: scenario "replication-stuck" (failure mode E)');
    expect(io.out).toContain(`check --config ${dir}/harbor-pilot.yaml`);
    expect(readFileSync(`${dir}/kubeconfig`, 'utf8')).toMatch(/server: http:\/\/127\.0\.0\.1:\d+/);
    const stdout = captureStream();
    const code = await runCheckCommand(['replication-stuck', '--config', `${dir}/harbor-pilot.yaml`], registry, {
      stdout,
      stderr: captureStream(),
      env: {},
      log: memoryLogger('error').log,
    });
    expect(code).toBe(0);
    expect(stdout.text()).toContain('Replication execution 118 in progress for 5h');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 90_000);

  it('wraps scenario descriptions for the terminal', () => {
    expect(wrap('one two three four', 9)).toBe('one two\nthree\nfour');
  });
});
