import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import check from '../../jobs/artifact-integrity.js';
import type { Progress } from '../../src/checks/define.js';
import {
  artifactAt,
  buildRegistry,
  loseBlob,
  loseManifest,
  sampleRegistry,
  zeroSizeArtifact,
} from '../../src/sim/artifact-scenarios.js';
import { artifactState } from '../../src/sim/harbor-artifacts-state.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { harborDeps, runOn } from '../support/harbor-context.js';

// Harbor's own Redis is modelled by two private DBs of the test Redis (core 13, registry 14).
const redisUrl = `${inject('redisUrl')}/13`;
const core = new Redis(redisUrl);
const registry = new Redis(`${inject('redisUrl')}`, { db: 14 });
const withRedis = `    redis: ${redisUrl}\n`;
let harbor: HarborSim;
const now = new Date();
const created: [Redis, string][] = [];

beforeAll(async () => {
  harbor = await startHarborSim();
});
afterAll(async () => {
  for (const [r, k] of created) await r.del(k);
  core.disconnect();
  registry.disconnect();
  await harbor.close();
});
beforeEach(() => {
  harbor.clearFaults();
  harbor.requests.length = 0;
  harbor.state.artifacts = sampleRegistry(now);
});

/** Breaks three artifacts the ways failure modes B and F describe. */
function breakRegistry() {
  const st = artifactState(harbor);
  const lostManifest = artifactAt(st, 'library/nginx', 0);
  loseManifest(st, lostManifest.digest);
  const lostBlob = artifactAt(st, 'library/nginx', 2);
  const layer = st.storage.manifests[lostBlob.digest]?.layers?.[2]?.digest as string;
  loseBlob(st, layer);
  const zero = artifactAt(st, 'team/app/backend', 1);
  zeroSizeArtifact(st, 'team/app/backend', zero.digest);
  return { lostManifest, lostBlob, layer, zero };
}

const paths = (method = 'GET') => harbor.requests.filter((r) => r.method === method).map((r) => r.path);

describe('artifact-integrity', () => {
  it('finds nothing on a healthy registry, probing storage with a bearer token', async () => {
    const progress: Progress[] = [];
    const run = await runOn(check, harborDeps(harbor, { now }), {}, (p) => progress.push(p));
    expect(run).toMatchObject({ status: 'ok', findings: [] });
    const manifests = harbor.requests.filter((r) => r.path.includes('/manifests/'));
    const blobs = harbor.requests.filter((r) => r.path.includes('/blobs/'));
    // Each artifact by its first tag (GET), its further tags by HEAD: library/nginx's newest has two.
    expect(manifests.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        'GET /v2/library/nginx/manifests/1.27',
        'HEAD /v2/library/nginx/manifests/latest',
        'GET /v2/library/nginx/manifests/1.26',
        `GET /v2/library/nginx/manifests/${encodeURIComponent('1.25-测试')}`,
        'GET /v2/team/app/backend/manifests/v2',
        'GET /v2/team/app/backend/manifests/v1',
        `GET /v2/team/tools/manifests/${encodeURIComponent('version-ünïcødé')}`,
      ].sort(),
    );
    expect(
      manifests.every(
        (r) => r.headers['if-none-match'] === undefined && /^Bearer /.test(String(r.headers.authorization)),
      ),
    ).toBe(true);
    expect(blobs.every((r) => r.headers.range === 'bytes=0-0')).toBe(true);
    expect(blobs).toHaveLength(3 * 2 + 6 * 2);
    expect(paths()).toContain('/api/v2.0/projects/team/repositories/app%252Fbackend/artifacts');
    expect(harbor.requests.filter((r) => r.path === '/service/token').map((r) => r.query.get('scope'))).toEqual(
      expect.arrayContaining([
        'repository:library/nginx:pull',
        'repository:team/app/backend:pull',
        'repository:team/tools:pull',
      ]),
    );
    expect(progress.at(-1)).toEqual({ done: 6, total: 6, note: 'artifacts' });
  });

  it('reports a missing manifest, a missing blob and a size-0 artifact, with stale Redis keys and one delete each', async () => {
    const { lostManifest, lostBlob, layer, zero } = breakRegistry();
    for (const [r, k] of [
      [core, `cache:manifest:digest:${lostManifest.digest}`],
      [registry, `blobs::${layer}`],
    ] as const) {
      await r.set(k, 'stale', 'EX', 3600);
      created.push([r, k]);
    }
    const run = await runOn(check, harborDeps(harbor, { now, extra: withRedis }), { registryRedisDb: 14 });
    const byCause = Object.fromEntries(run.findings.map((f) => [f.cause, f]));
    expect(run.findings.map((f) => [f.cause, f.resource.kind, f.resource.name]).sort()).toEqual([
      ['artifact-zero-size', 'Artifact', `team/app/backend@${zero.digest}`],
      ['blob-missing', 'Artifact', `library/nginx@${lostBlob.digest}`],
      ['manifest-missing', 'Artifact', `library/nginx@${lostManifest.digest}`],
    ]);
    const [blob, manifest, size0] = [
      byCause['blob-missing'],
      byCause['manifest-missing'],
      byCause['artifact-zero-size'],
    ];
    expect(manifest?.title).toBe('Manifest of library/nginx:1.27 is missing from storage');
    expect(manifest?.evidence).toEqual([
      `GET /api/v2.0/projects/library/repositories/nginx/artifacts/${lostManifest.digest}: size=${lostManifest.size} tags=1.27,latest push_time=${lostManifest.push_time}`,
      'GET /v2/library/nginx/manifests/1.27 (no If-None-Match) → 404 MANIFEST_UNKNOWN',
      `GET /v2/library/nginx/manifests/${lostManifest.digest} (no If-None-Match) → 404 MANIFEST_UNKNOWN`,
      expect.stringMatching(
        new RegExp(`^Harbor Redis db 13: cache:manifest:digest:${lostManifest.digest} exists \\(TTL 3[56]\\d\\d s\\)`),
      ),
    ]);
    expect(blob?.title).toBe('1 blob(s) of library/nginx:1.25-测试 missing from storage');
    expect(blob?.evidence.join('\n')).toContain(
      `blobs/${layer} (Range: bytes=0-0) → 206, body cut after 0 of 1 bytes ` +
        "(the registry's blob-descriptor cache answered; storage has no data) (layer 3)",
    );
    expect(blob?.evidence.join('\n')).toContain(`Harbor Redis db 14: blobs::${layer} exists`);
    expect(size0?.summary).toContain('delete-artifact');
    expect(size0?.evidence[0]).toContain('/projects/team/repositories/app%252Fbackend/artifacts/');
    expect(size0?.evidence[0]).toContain('size=0');
    expect(size0?.remediations).toEqual([
      expect.objectContaining({
        id: 'delete-artifact',
        params: { harbor: 'prod', repository: 'team/app/backend', digest: zero.digest, registryRedisDb: 14 },
      }),
    ]);
  });

  it('reports a repository Harbor answers 500 for and scans the rest', async () => {
    breakRegistry();
    harbor.fault({
      path: /\/projects\/team\/repositories\/app%252Fbackend\/artifacts$/,
      status: 500,
      body: { errors: [{ code: 'UNKNOWN', message: 'internal error' }] },
    });
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.status).toBe('findings');
    const failed = run.findings.find((f) => f.cause === 'check-failed');
    expect(failed).toMatchObject({ resource: { kind: 'Repository', name: 'team/app/backend' } });
    expect(failed?.evidence[0]).toMatch(/→ 500: UNKNOWN: internal error/);
    expect(run.findings.map((f) => f.cause).sort()).toEqual(['blob-missing', 'check-failed', 'manifest-missing']);
  });

  it('retries a page that fails once and streams every page of a large repository', async () => {
    harbor.state.artifacts = buildRegistry(
      [{ name: 'big/repo', artifacts: 250, sharedLayers: 1, uniqueLayers: 0 }],
      now,
    );
    harbor.fault({ path: /\/projects\/big\/repositories\/repo\/artifacts$/, status: 503, times: 1 });
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run).toMatchObject({ status: 'ok', findings: [] });
    const listings = harbor.requests.filter((r) => r.path.endsWith('/repo/artifacts')).map((r) => r.query.get('page'));
    expect(listings).toEqual(['1', '1', '2', '3']);
    expect(harbor.requests.filter((r) => r.path.includes('/manifests/'))).toHaveLength(250);
    expect(harbor.requests.filter((r) => r.path.includes('/blobs/'))).toHaveLength(250 + 1);
  });

  it('keeps to the scope: repositories, since and limit', async () => {
    breakRegistry();
    const one = await runOn(check, harborDeps(harbor, { now }), { repositories: 'team/app/backend' });
    expect(one.findings.map((f) => f.cause)).toEqual(['artifact-zero-size']);
    expect(paths().some((p) => p.includes('library'))).toBe(false);
    harbor.requests.length = 0;
    const recent = await runOn(check, harborDeps(harbor, { now }), { since: '90m' });
    expect(recent.findings.map((f) => f.cause)).toEqual(['manifest-missing']);
    expect(harbor.requests.find((r) => r.path.endsWith('/nginx/artifacts'))?.query.get('q')).toMatch(
      /^push_time=\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d~\]$/,
    );
    harbor.requests.length = 0;
    await runOn(check, harborDeps(harbor, { now }), { limit: 2 });
    // The newest nginx carries two tags: GET by the first, HEAD by the second.
    expect(harbor.requests.filter((r) => r.path.includes('/manifests/'))).toHaveLength(3);
    const missing = await runOn(check, harborDeps(harbor, { now }), { repositories: ['library/nope'] });
    expect(missing.findings[0]).toMatchObject({
      cause: 'check-failed',
      summary: 'no repository "library/nope" on this Harbor',
    });
    const project = await runOn(check, harborDeps(harbor, { now }), { projects: 'nope' });
    expect(project.findings[0]).toMatchObject({
      cause: 'check-failed',
      summary: 'project "nope" does not exist on this Harbor',
    });
  });

  it('caps concurrent requests at the Harbor concurrency setting', async () => {
    harbor.state.artifacts = buildRegistry(
      Array.from({ length: 6 }, (_, i) => ({ name: `p/r${i}`, artifacts: 12 })),
      now,
    );
    harbor.latencyMs = 15;
    harbor.maxInFlight = 0;
    try {
      await runOn(check, harborDeps(harbor, { now, extra: '    concurrency: 3\n' }));
    } finally {
      harbor.latencyMs = 0;
    }
    // Counted by the server: requests it had received and not yet answered, at the most.
    expect(harbor.maxInFlight).toBeLessThanOrEqual(3);
    expect(harbor.maxInFlight).toBeGreaterThanOrEqual(2);
  });

  it('stops before the runner timeout on a scan too big for it and says what it covered', async () => {
    harbor.state.artifacts = buildRegistry(
      Array.from({ length: 10 }, (_, i) => ({ name: `p/r${i}`, artifacts: 150, uniqueLayers: 0 })),
      now,
    );
    harbor.latencyMs = 10;
    try {
      const run = await runOn(check, harborDeps(harbor, { now, extra: 'runner:\n  checkTimeoutMs: 1000\n' }));
      expect(run.status).toBe('findings');
      const partial = run.findings.find((f) => f.resource.kind === 'Harbor');
      expect(partial).toMatchObject({ cause: 'check-failed', severity: 'warning' });
      expect(partial?.title).toMatch(/^artifact-integrity checked \d+ of 1500 artifacts before its time budget$/);
      expect(partial?.summary).toContain('raise runner.checkTimeoutMs');
    } finally {
      harbor.latencyMs = 0;
    }
  });

  it('names the missing permission when the token service refuses, and never reports a secret', async () => {
    harbor.fault({ path: /^\/service\/token$/, status: 403 });
    const denied = await runOn(check, harborDeps(harbor, { now }));
    expect(denied.findings[0]).toMatchObject({ cause: 'permission-denied' });
    expect(denied.findings[0]?.evidence.join('\n')).toContain('needs project repository:pull');
    harbor.clearFaults();
    breakRegistry();
    const deps = harborDeps(harbor, { now, extra: withRedis });
    const run = await runOn(check, deps);
    const text = JSON.stringify(run) + deps.lines.join('');
    for (const token of Object.keys(artifactState(harbor).tokens)) expect(text).not.toContain(token);
    expect(text).not.toContain('pilot-secret');
  });
});
