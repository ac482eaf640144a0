import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runDemo } from '../../src/lab/demo.js';
import { loadScenarios } from '../../src/lab/scenarios.js';
import { captureStream, memoryLogger } from '../helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the entry point as `npm run demo` does (tsx), with nothing but PATH in the environment. */
function runEntry(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/harbor-pilot.ts', ...args], { cwd: root, env: { PATH: process.env.PATH ?? '' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
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
    const healthy = outcomes.find((o) => o.scenario.name === 'healthy');
    expect(healthy?.report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const seeded = [...new Set(scenarios.filter((s) => s.expect.causes.length > 0 && /^[A-G]/.test(s.mode)).map((s) => s.mode))].sort();
    expect(seeded).toEqual(expect.arrayContaining(['A', 'A2', 'B', 'C', 'D', 'D2', 'E', 'F', 'G']));
    expect(text).toContain(`Failure modes found: ${seeded.join(', ')} (of ${seeded.join(', ')} seeded).`);
    expect(text).toContain('Healthy scenario: no findings at warning or above.');
    expect(text).toMatch(/SEVERITY +TARGET +RESOURCE +TITLE +PROPOSED FIXES/);
    expect(exitCode).toBe(0);
  }, 120_000);

  it('runs from the entry point with no Slack, cluster or Redis and exits 0', async () => {
    const { code, out, err } = await runEntry(['lab', '--demo']);
    expect(err).toBe('');
    expect(out).toMatch(/^Incident lab demo: \d+ scenarios, simulated Harbor http:\/\/127\.0\.0\.1:\d+ and Kubernetes API http:\/\/127\.0\.0\.1:\d+/);
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
  }, 60_000);
});
