import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { reportSchema } from '../../src/findings/finding.js';
import { defaultHarborState, startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { captureStream, memoryLogger, tempFiles } from '../support/helpers.js';

let harbor: HarborSim;

beforeAll(async () => {
  harbor = await startHarborSim();
});
afterAll(() => harbor.close());
beforeEach(() => {
  harbor.state.health = defaultHarborState().health;
  harbor.clearFaults();
  harbor.requests.length = 0;
});

async function check(args: string[], configText?: string) {
  const files = tempFiles({
    'config.yaml':
      configText ??
      `harbors:\n  - name: prod\n    url: ${harbor.url}\n    username: robot$pilot\n    password: \${HP_PASSWORD}\n    timeoutMs: 500\n`,
  });
  const stdout = captureStream();
  const stderr = captureStream();
  const { log, lines } = memoryLogger();
  const code = await runCheckCommand([...args, '--config', files['config.yaml'] as string], registry, {
    stdout,
    stderr,
    env: { HP_PASSWORD: 'pilot-secret' },
    log,
  });
  return { code, out: stdout.text(), err: stderr.text(), logs: lines.join('') };
}

describe('harbor-pilot check harbor-health', () => {
  it('passes with exit 0 and the JSON document on a healthy Harbor', async () => {
    const r = await check(['harbor-health', '--json']);
    expect(r.code).toBe(0);
    const doc = reportSchema.parse(JSON.parse(r.out));
    expect(doc.checks).toEqual([expect.objectContaining({ id: 'harbor-health', target: 'harbor/prod', status: 'ok' })]);
    expect(doc.findings).toEqual([]);
    expect(harbor.requests.map((q) => q.path)).toEqual(['/api/v2.0/health']);
  });

  it('reports each unhealthy component at its severity and exits 1', async () => {
    harbor.state.health = {
      status: 'unhealthy',
      components: [
        { name: 'core', status: 'healthy' },
        { name: 'registry', status: 'unhealthy', error: 'dial tcp 10.0.0.7:5000: connect: connection refused' },
        { name: 'trivy', status: 'unhealthy', error: 'timeout' },
      ],
    };
    const r = await check(['harbor-health', '--json']);
    expect(r.code).toBe(1);
    const doc = reportSchema.parse(JSON.parse(r.out));
    expect(doc.findings.map((f) => [f.cause, f.severity, f.resource.name])).toEqual([
      ['component-unhealthy', 'critical', 'registry'],
      ['component-unhealthy', 'warning', 'trivy'],
    ]);
    expect(doc.findings[0]?.evidence[0]).toContain('connection refused');
    const again = reportSchema.parse(JSON.parse((await check(['harbor-health', '--json'])).out));
    expect(again.findings.map((f) => f.fingerprint)).toEqual(doc.findings.map((f) => f.fingerprint));
  });

  it('exits 0 for a warning unless --fail-on warning', async () => {
    harbor.state.health = { status: 'unhealthy', components: [{ name: 'trivy', status: 'unhealthy' }] };
    expect((await check(['harbor-health'])).code).toBe(0);
    const r = await check(['harbor-health', '--fail-on', 'warning']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/warning\s+harbor\/prod\s+HarborComponent\/trivy/);
  });

  it('turns a Harbor that does not answer into target-unreachable, not a crash', async () => {
    harbor.fault({ path: /health/, delayMs: 2000 });
    const r = await check(['harbor-health', '--json']);
    expect(r.code).toBe(1);
    const doc = reportSchema.parse(JSON.parse(r.out));
    expect(doc.checks[0]?.status).toBe('error');
    expect(doc.findings[0]).toMatchObject({ cause: 'target-unreachable', severity: 'critical', target: 'harbor/prod' });
    expect(doc.findings[0]?.summary).toContain('no answer within 500 ms');
  });

  it('retries a 503 and reports a persistent one', async () => {
    harbor.fault({ path: /health/, status: 503, times: 1 });
    expect((await check(['harbor-health', '--json'])).code).toBe(0);
    harbor.fault({ path: /health/, status: 503 });
    const doc = reportSchema.parse(JSON.parse((await check(['harbor-health', '--json'])).out));
    expect(doc.findings[0]?.cause).toBe('target-unreachable');
    expect(doc.findings[0]?.evidence.join()).toContain('503');
  });

  it('exits 2 naming the bad key or argument', async () => {
    const bad = await check(['harbor-health'], 'harbors:\n  - name: prod\n    url: nope\n');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('harbors[0].url');
    expect((await check(['no-such-check'])).err).toContain('valid ids: harbor-health');
    expect((await check(['--fail-on', 'loud'])).code).toBe(2);
    expect((await check(['--bogus'])).code).toBe(2);
    expect((await check(['--harbor', 'nope'])).err).toContain('valid targets: harbor/prod');
  });

  it('keeps the password out of logs and output', async () => {
    const r = await check(['harbor-health', '--json']);
    expect(`${r.out}${r.err}${r.logs}`).not.toContain('pilot-secret');
  });
});
