import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runPreflightCommand } from '../../src/cli/preflight-command.js';
import { reportSchema } from '../../src/findings/finding.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { loadScenarios, parseScenario, pickScenarios } from '../../src/lab/scenarios.js';
import { captureStream, memoryLogger, sql, tempFiles } from '../support/helpers.js';

const scenarios = loadScenarios();
const scenario = (name: string) => pickScenarios(scenarios, [name])[0] as (typeof scenarios)[number];
let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ scenario: scenario('healthy') });
});
afterAll(() => lab.close());

async function preflight(args: string[], config = lab.configPath) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runPreflightCommand(['--config', config, ...args], {
    stdout,
    stderr,
    env: {},
    log: memoryLogger('error').log,
  });
  const out = stdout.text();
  const line = (gate: string) => out.split('\n').find((l) => l.split(/\s+/)[1] === gate) ?? '';
  return { code, out, err: stderr.text(), line };
}

describe('preflight', () => {
  it('passes every gate on the healthy scenario, one line per gate with its reason', async () => {
    lab.load(scenario('healthy'));
    const { code, out, line } = await preflight(['--harbor', 'lab', '--cluster', 'lab', '--to', '2.11.0']);
    expect(code).toBe(0);
    expect(line('image-source')).toMatch(
      /^PASS {2}image-source +8 images of 7 workloads come from docker\.io, not from harbor\/lab$/,
    );
    expect(line('token-key')).toContain('sets core.tokenKey and core.tokenCert');
    expect(line('database-schema')).toContain('newest version seen 2.10.3 (schema 130) <= 140 of 2.11.0');
    expect(line('replications-idle')).toMatch(/^PASS/);
    expect(line('components-healthy')).toContain('all 8 components report healthy');
    expect(line('ingress-baseline')).toContain('matches Helm revision 2');
    expect(line('certificates-valid')).toMatch(/^PASS {2}certificates-valid +1 certificate\(s\) valid beyond 7 days/);
    expect(out).toContain('every gate passed');
  });

  it('fails the image-source gate when Harbor would pull its own images, before anything is broken', async () => {
    lab.load(scenario('self-pull-armed'));
    const { code, line, out } = await preflight(['--to', '2.11.0']);
    expect(code).toBe(1);
    expect(line('image-source')).toMatch(
      /^FAIL {2}image-source +7 Harbor workloads would pull 2\.11\.0 images from harbor\/lab itself$/,
    );
    expect(out.split('\n').filter((l) => l.startsWith('FAIL'))).toHaveLength(1);
    expect(out).toContain('1 of 7 gates failed; do not upgrade yet.');
  });

  it('fails on the self-pull upgrade scenario with the findings JSON of the contract', async () => {
    lab.load(scenario('self-pull-upgrade'));
    const { code, out } = await preflight(['--to', '2.11.0', '--json']);
    expect(code).toBe(1);
    const report = reportSchema.parse(JSON.parse(out));
    expect(report.checks.map((c) => c.id)).toEqual([
      'preflight-image-source',
      'preflight-token-key',
      'preflight-database-schema',
      'preflight-replications-idle',
      'preflight-components-healthy',
      'preflight-ingress-baseline',
      'preflight-certificates-valid',
    ]);
    const self = report.findings.find((f) => f.check === 'preflight-image-source');
    expect(self).toMatchObject({
      cause: 'circular-image-dependency',
      severity: 'critical',
      target: 'cluster/lab',
      resource: { kind: 'Deployment', namespace: 'harbor' },
    });
    expect(self?.evidence.join('\n')).toContain('harbor.example.com/dockerhub-proxy/goharbor/harbor-core:v2.11.0');
    // Harbor answers 503 while its pods cannot start: the Harbor gates fail as unreachable, never pass silently.
    expect(report.findings.find((f) => f.check === 'preflight-components-healthy')).toMatchObject({
      cause: 'target-unreachable',
      target: 'harbor/lab',
      resource: { kind: 'Harbor', name: 'lab' },
    });
    expect(report.checks.find((c) => c.id === 'preflight-components-healthy')?.status).toBe('error');
    // On a terminal a gate that could not be evaluated says so, and what happened, not its pass condition.
    const text = await preflight(['--to', '2.11.0', '-o', 'table']);
    for (const gate of ['replications-idle', 'components-healthy']) {
      expect(text.line(gate)).toMatch(
        new RegExp(`^FAIL {2}${gate} +not evaluated: harbor/lab answered 503 with an HTML page "503 Service`),
      );
    }
    expect(text.out.replace(/\n +/g, ' ')).toContain(
      'or the proxy in front of it is failing: look at its pods and ingress',
    );
    const yaml = await preflight(['--to', '2.11.0', '-o', 'yaml']);
    expect(reportSchema.parse(parseYaml(yaml.out)).checks).toHaveLength(report.checks.length);
  });

  it('fails the database-schema gate on a downgrade, from the versions the release has run', async () => {
    lab.load(scenario('downgrade'));
    const down = await preflight(['--to', '2.9.4']);
    expect(down.code).toBe(1);
    expect(down.line('database-schema')).toContain(
      'FAIL  database-schema     Database schema 130 is newer than 2.9.4 knows (120): this is a downgrade',
    );
    const forward = await preflight(['--to', '2.10.3', '--json']);
    const report = reportSchema.parse(JSON.parse(forward.out));
    expect(report.checks.find((c) => c.id === 'preflight-database-schema')?.status).toBe('ok');

    lab.load(scenario('healthy'));
    const json = reportSchema.parse(JSON.parse((await preflight(['--to', '2.9.0', '--json'])).out));
    const f = json.findings.find((x) => x.check === 'preflight-database-schema');
    expect(f).toMatchObject({
      cause: 'schema-newer-than-binary',
      target: 'harbor/lab',
      resource: { kind: 'Database', name: 'lab' },
    });
    expect(f?.summary).toContain('Roll forward to 2.10.0 or newer');
  });

  it('fails the token-key gate when the release values do not pin the key', async () => {
    lab.load(scenario('token-key-mismatch'));
    const { line } = await preflight(['--to', '2.11.0']);
    expect(line('token-key')).toBe(
      'FAIL  token-key           Helm release harbor does not pin the token key: the upgrade generates a new one',
    );
  });

  it('passes the token-key gate on core.secretName in the values (a key Secret of its own)', async () => {
    lab.load(
      parseScenario(
        'name: own-key\nmode: C\ntitle: t\ndescription: d\nsymptom: s\nsteps:\n  - helm-values: { core: { secretName: harbor-token-key } }\n',
        'inline',
      ),
    );
    const { line } = await preflight(['--to', '2.11.0']);
    expect(line('token-key')).toBe(
      'PASS  token-key           Helm revision 2 sets core.secretName=harbor-token-key: the key is kept',
    );
  });

  it('fails on running replications and on an Ingress edited by hand', async () => {
    lab.load(scenario('replication-stuck'));
    expect((await preflight(['--to', '2.11.0'])).line('replications-idle')).toContain(
      'FAIL  replications-idle   1 replication execution in progress',
    );
    lab.load(scenario('healthy'));
    const ingress = lab.kube.get('Ingress', 'harbor', 'harbor-ingress');
    const annotations = {
      ...(ingress?.metadata.annotations ?? {}),
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
    };
    lab.kube.put({
      ...(ingress as NonNullable<typeof ingress>),
      metadata: { ...(ingress as NonNullable<typeof ingress>).metadata, annotations },
    });
    const { out } = await preflight(['--to', '2.11.0', '--json']);
    const report = reportSchema.parse(JSON.parse(out));
    const drift = report.findings.find((f) => f.check === 'preflight-ingress-baseline');
    expect(drift).toMatchObject({ cause: 'ingress-drift', resource: { kind: 'Ingress', name: 'harbor-ingress' } });
    expect(drift?.evidence).toContain('  + annotations.nginx.ingress.kubernetes.io/backend-protocol: HTTPS');
    expect(drift?.title).toBe('Ingress harbor-ingress already differs from Helm revision 2');
  });

  it('fails certificates-valid when the Ingress certificate expires within the upgrade window (7 days)', async () => {
    lab.load(scenario('certificate-expiring'));
    const { code, out } = await preflight(['--to', '2.11.0', '--json']);
    expect(code).toBe(1);
    const report = reportSchema.parse(JSON.parse(out));
    const f = report.findings.find((x) => x.check === 'preflight-certificates-valid');
    expect(f).toMatchObject({ cause: 'certificate-expiring', resource: { kind: 'Secret', name: 'harbor-ingress' } });
    expect(f?.summary).toContain('Renew it before upgrading');
    expect(report.findings.map((x) => x.check)).toEqual(['preflight-certificates-valid']);
  });

  it('exits 2 with a message on bad usage or configuration', async () => {
    expect(await preflight([])).toMatchObject({
      code: 2,
      err: expect.stringContaining("required option '--to <VERSION>' not specified"),
    });
    expect(await preflight(['--to', 'latest'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--to latest: expected a Harbor version like 2.11.0'),
    });
    expect(await preflight(['--to', '2.11.0', '--cluster', 'prod'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--cluster prod: no such cluster; configured: lab'),
    });
    const two = tempFiles({
      'c.yaml':
        'harbors:\n  - name: a\n    url: http://127.0.0.1:1\n  - name: b\n    url: http://127.0.0.1:2\nclusters: []\n',
    });
    expect(await preflight(['--to', '2.11.0'], two['c.yaml'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--harbor NAME is required (configured: a, b)'),
    });
    expect(await preflight(['--to', '2.11.0', '--bogus'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("unknown option '--bogus'"),
    });
  });
});

describe('preflight with the database configured (real PostgreSQL)', () => {
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `hp_preflight_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const dbUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;

  const withDatabase = () =>
    tempFiles({
      'db.yaml': readFileSync(lab.configPath, 'utf8').replace(/( {4}aliases: .*\n)/, `$1    database: ${dbUrl}\n`),
    })['db.yaml'];
  const setSchema = async (version: number, dirty: boolean) => {
    await sql(dbUrl, 'DELETE FROM schema_migrations');
    await sql(dbUrl, 'INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)', [version, dirty]);
  };

  beforeAll(async () => {
    await sql(admin, `CREATE DATABASE ${dbName}`);
    await sql(dbUrl, 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)');
  });
  afterAll(() => sql(admin, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));

  it('reads schema_migrations: newer than the target fails, dirty fails, otherwise passes', async () => {
    lab.load(scenario('healthy'));
    const config = withDatabase();
    await setSchema(140, false);
    const newer = reportSchema.parse(JSON.parse((await preflight(['--to', '2.10.3', '--json'], config)).out));
    const f = newer.findings.find((x) => x.check === 'preflight-database-schema');
    expect(f).toMatchObject({
      cause: 'schema-newer-than-binary',
      title: 'Database schema 140 is newer than 2.10.3 knows (130): this is a downgrade',
    });
    expect(f?.evidence[0]).toBe('select version, dirty from schema_migrations: version=140 dirty=false');
    await setSchema(130, true);
    expect((await preflight(['--to', '2.11.0'], config)).line('database-schema')).toBe(
      'FAIL  database-schema     schema_migrations is marked dirty',
    );
    await setSchema(130, false);
    expect((await preflight(['--to', '2.11.0'], config)).line('database-schema')).toContain(
      'PASS  database-schema     database schema 130 (read from the database) is not newer than 140 of 2.11.0',
    );
  });
});
