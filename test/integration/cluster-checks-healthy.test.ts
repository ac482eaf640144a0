import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { reportSchema } from '../../src/findings/finding.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { upgradeThroughOwnProxyCache } from '../../src/sim/harbor-incidents.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { startKubeSim, type KubeSim } from '../../src/sim/kube-sim.js';
import { captureStream, memoryLogger, sql as query, tempFiles } from '../support/helpers.js';
import { loadKubernetesClient } from '../../src/kube/k8s.js';

const clusterChecks = [
  'image-pull',
  'pod-health',
  'core-token-keys',
  'ingress',
  'database-schema',
  'component-logs',
  'harvester-upgrade',
];
const dbName = `hp_healthy_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
let harbor: HarborSim;
let kube: KubeSim;

const sql = (db: string, text: string) => query(`postgres://postgres@127.0.0.1:5432/${db}`, text);

beforeAll(async () => {
  await loadKubernetesClient(); // as a worker with clusters does at start
  await sql('postgres', `CREATE DATABASE ${dbName}`);
  await sql(
    dbName,
    'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (130, false)',
  );
  harbor = await startHarborSim();
  kube = await startKubeSim();
});
afterAll(async () => {
  await Promise.all([harbor?.close(), kube?.close()]);
  await sql('postgres', `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
});

async function check(extra: string[]) {
  const files = tempFiles({ kubeconfig: kube.kubeconfig('prod') });
  const config = [
    'harbors:',
    `  - { name: prod, url: "${harbor.url}", username: robot$pilot, password: "\${HP_PW}", aliases: [harbor.example.com], database: "postgres://postgres@127.0.0.1:5432/${dbName}" }`,
    'clusters:',
    `  - { name: prod, kubeconfig: "${files.kubeconfig}", namespace: harbor, release: harbor, harbor: prod }`,
  ].join('\n');
  const cfg = tempFiles({ 'config.yaml': config });
  const stdout = captureStream();
  const stderr = captureStream();
  const { log, lines } = memoryLogger();
  const code = await runCheckCommand(
    [...clusterChecks, '--cluster', 'prod', '--json', '--config', cfg['config.yaml'] as string, ...extra],
    registry,
    { stdout, stderr, env: { HP_PW: 'pilot-secret' }, log },
  );
  return { code, doc: reportSchema.parse(JSON.parse(stdout.text())), logs: lines.join(''), err: stderr.text() };
}

describe('cluster checks through `harbor-pilot check --cluster prod`', () => {
  it('say nothing on a healthy release and exit 0 even with --fail-on info', async () => {
    loadScenario(kube, buildHarborRelease({ version: '2.10.3' }));
    const r = await check(['--fail-on', 'info']);
    expect(r.err).toBe('');
    expect(r.doc.checks.map((c) => [c.id, c.status])).toEqual(clusterChecks.map((id) => [id, 'ok']));
    expect(r.doc.findings).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('ask the API server once for the release pods and ReplicaSets that several checks read', async () => {
    loadScenario(kube, upgradeThroughOwnProxyCache(buildHarborRelease({ version: '2.10.3' })));
    kube.requests.length = 0;
    expect((await check([])).code).toBe(1);
    const lists = (path: RegExp, selector: string) =>
      kube.requests.filter((r) => r.method === 'GET' && path.test(r.path) && r.query.get('labelSelector') === selector)
        .length;
    // pod-health, image-pull, core-token-keys, database-schema and component-logs read the release pods;
    // pod-health and image-pull the ReplicaSets of the failing pods.
    expect(lists(/^\/api\/v1\/namespaces\/harbor\/pods$/, 'app=harbor,release=harbor')).toBe(1);
    expect(lists(/^\/apis\/apps\/v1\/namespaces\/harbor\/replicasets$/, 'app=harbor,release=harbor')).toBe(1);
  });

  it('exit 1 with the contract JSON on failure mode A, keeping secrets out of output and logs', async () => {
    loadScenario(kube, upgradeThroughOwnProxyCache(buildHarborRelease({ version: '2.10.3' })));
    const r = await check([]);
    expect(r.code).toBe(1);
    expect(r.doc.findings.filter((f) => f.cause === 'circular-image-dependency')).toHaveLength(7);
    expect(r.doc.findings.every((f) => f.target === 'cluster/prod')).toBe(true);
    const secretData = kube.state.objects
      .filter((o) => o.kind === 'Secret')
      .flatMap((s) => Object.values((s.data ?? {}) as Record<string, string>));
    const text = `${JSON.stringify(r.doc)}${r.logs}`;
    for (const v of [...secretData, 'pilot-secret', kube.state.token]) expect(text).not.toContain(v);
  });
});
