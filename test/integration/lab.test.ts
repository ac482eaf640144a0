import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { ConfigError, UserInputError } from '../../src/errors.js';
import { reportSchema } from '../../src/findings/finding.js';
import { buildWorld } from '../../src/lab/builders.js';
import { describeLab, startLab, type Lab } from '../../src/lab/lab.js';
import { loadScenarios, parseScenario, pickScenarios } from '../../src/lab/scenarios.js';
import { captureStream, freePort, memoryLogger, tempFiles } from '../support/helpers.js';

const scenarios = loadScenarios();
const byName = (name: string) => pickScenarios(scenarios, [name])[0] as (typeof scenarios)[number];
let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ scenario: byName('healthy') });
});
afterAll(() => lab.close());

async function check(args: string[]) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runCheckCommand(args, registry, { stdout, stderr, env: {}, log: memoryLogger().log });
  return { code, out: stdout.text(), err: stderr.text() };
}

describe('lab scenarios', () => {
  it('has a healthy scenario and one per failure mode the builders cover, each building a world', () => {
    const modes = new Set(scenarios.map((s) => s.mode));
    for (const m of ['healthy', 'A', 'A2', 'B', 'C', 'D', 'D2', 'E', 'F', 'G']) expect(modes, m).toContain(m);
    for (const s of scenarios) {
      const world = buildWorld(s, new Date());
      expect(world.release.objects.length, s.name).toBeGreaterThan(20);
      if (s.mode !== 'healthy')
        expect(s.expect.causes.length + (s.preflight?.fail.length ?? 0), s.name).toBeGreaterThan(0);
    }
  });

  it('rejects a scenario file with an unknown key or step, naming the file and the step', () => {
    expect(() =>
      parseScenario('name: x\nmode: Z\ntitle: t\ndescription: d\nsymptom: s\nextra: 1\n', 'bad.yaml'),
    ).toThrow(ConfigError);
    try {
      parseScenario('name: x\nmode: Z\ntitle: t\ndescription: d\nsymptom: s\n', 'bad.yaml');
    } catch (err) {
      expect((err as Error).message).toContain('bad.yaml: mode');
    }
    expect(() =>
      parseScenario(
        'name: x\nmode: B\ntitle: t\ndescription: d\nsymptom: s\nexpect: { causes: [manifest-gone] }\n',
        'typo.yaml',
      ),
    ).toThrow(/typo.yaml: expect.causes.0: unknown cause code "manifest-gone"/);
    expect(() =>
      parseScenario(
        'name: x\nmode: B\ntitle: t\ndescription: d\nsymptom: s\npreflight: { to: 2.11.0, fail: [disk-space] }\n',
        'gate.yaml',
      ),
    ).toThrow(/gate.yaml: preflight.fail.0: unknown gate; valid: image-source, token-key/);
    const s = parseScenario(
      'name: x\nmode: B\ntitle: t\ndescription: d\nsymptom: s\nsteps:\n  - melt-storage: {}\n',
      'x.yaml',
    );
    expect(() => buildWorld(s, new Date())).toThrow(/scenario x: unknown step "melt-storage"; valid: .*lose-manifest/);
    const p = parseScenario(
      'name: y\nmode: B\ntitle: t\ndescription: d\nsymptom: s\nsteps:\n  - lose-manifest: { index: 1 }\n',
      'y.yaml',
    );
    expect(() => buildWorld(p, new Date())).toThrow(UserInputError);
    expect(() => pickScenarios(scenarios, ['nope'])).toThrow(/unknown scenario "nope"; valid: healthy/);
  });
});

describe('lab server', () => {
  it('binds to 127.0.0.1 and writes a configuration and kubeconfig that point at the simulators', () => {
    expect(lab.harbor.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lab.kube.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const config = readFileSync(lab.configPath, 'utf8');
    expect(config).toContain(`url: ${lab.harbor.url}`);
    expect(config).toContain('aliases: [harbor.example.com]');
    expect(readFileSync(lab.kubeconfigPath, 'utf8')).toContain(`server: ${lab.kube.url}`);
  });

  it('serves the healthy scenario: `check` over the written config finds nothing at warning or above', async () => {
    lab.load(byName('healthy'));
    const { code, out } = await check(['--config', lab.configPath, '--json', '--fail-on', 'warning']);
    const report = reportSchema.parse(JSON.parse(out));
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(code).toBe(0);
    expect(report.checks.length).toBeGreaterThanOrEqual(8);
    expect(lab.harbor.requests.some((r) => r.path === '/api/v2.0/health')).toBe(true);
    expect(lab.kube.requests.some((r) => r.path.startsWith('/api/v1/namespaces/harbor/pods'))).toBe(true);
  });

  it('switches scenario in place: `check` then reports the stuck replication and the self-pulling upgrade', async () => {
    lab.load(byName('replication-stuck'));
    const stuck = reportSchema.parse(JSON.parse((await check(['--config', lab.configPath, '--json'])).out));
    expect(stuck.findings.map((f) => [f.cause, f.resource.name])).toContainEqual(['replication-stuck', '118']);
    lab.load(byName('self-pull-upgrade'));
    const { code, out } = await check(['image-pull', '--config', lab.configPath, '--json']);
    const report = reportSchema.parse(JSON.parse(out));
    expect(code).toBe(1);
    expect(
      report.findings.filter((f) => f.cause === 'circular-image-dependency').map((f) => f.resource.name),
    ).toContain('harbor-core');
  });

  it('listens on --port (Harbor) and the next port (Kubernetes) when given', async () => {
    const port = await freePort();
    const own = await startLab({ scenario: byName('healthy'), port });
    try {
      expect([own.harbor.url, own.kube.url]).toEqual([`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]);
      expect(describeLab(own, 'hp')).toContain(`  hp check --config ${own.configPath}`);
    } finally {
      await own.close();
    }
  });

  it('writes into --dir when given and keeps it; closes both servers', async () => {
    const { dir } = tempFiles({});
    const own = await startLab({ scenario: byName('zero-size-tags'), dir });
    expect(own.configPath).toBe(`${dir}/harbor-pilot.yaml`);
    await own.close();
    await expect(fetch(`${own.harbor.url}/api/v2.0/ping`)).rejects.toThrow();
    expect(existsSync(own.configPath)).toBe(true);
  });

  it('removes the temp directory it made when it closes', async () => {
    const temp = await startLab({ scenario: byName('healthy') });
    expect(existsSync(temp.kubeconfigPath)).toBe(true);
    await temp.close();
    expect(existsSync(temp.dir)).toBe(false);
  });
});
