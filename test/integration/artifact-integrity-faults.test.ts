import { describe, expect, it } from 'vitest';
import check from '../../jobs/artifact-integrity.js';
import type { Artifact } from '../../src/harbor/artifact-schemas.js';
import { buildRegistry } from '../../src/sim/artifact-scenarios.js';
import { artifactState } from '../../src/sim/harbor-artifacts-state.js';
import { harborDeps, runOn, useHarborSim } from '../support/harbor-context.js';

const now = new Date();
const harbor = useHarborSim((harbor) => {
  harbor.state.artifacts = buildRegistry(
    [
      { name: 'big/repo', artifacts: 250, uniqueLayers: 0 },
      { name: 'big/other', artifacts: 20 },
    ],
    now,
  );
});

describe('artifact-integrity under faults', () => {
  it('reports a repository whose second page Harbor garbles, while the first page is probed, and scans the rest', async () => {
    const page2 = artifactState(harbor).artifacts['big/repo']?.[150] as Artifact;
    delete (page2 as Partial<Artifact>).digest;
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.status).toBe('findings');
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]).toMatchObject({
      cause: 'check-failed',
      resource: { kind: 'Repository', name: 'big/repo' },
    });
    expect(run.findings[0]?.evidence[0]).toMatch(/artifacts → 200: unexpected answer shape at 50\.digest/);
    const manifests = harbor.requests.filter((r) => r.path.includes('/manifests/'));
    expect(manifests.filter((r) => r.path.startsWith('/v2/big/other/'))).toHaveLength(20);
    expect(manifests.filter((r) => r.path.startsWith('/v2/big/repo/'))).toHaveLength(100);
  });

  it('reports a registry that answers 500 for one manifest and checks the others', async () => {
    const bad = artifactState(harbor).artifacts['big/other']?.[3] as Artifact;
    const tag = bad.tags?.[0]?.name as string;
    harbor.fault({ path: new RegExp(`/big/other/manifests/${tag}$`), status: 500 });
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings.map((f) => [f.cause, f.resource.name])).toEqual([['check-failed', 'big/other']]);
    expect(run.findings[0]?.evidence[0]).toContain(`${bad.digest}: GET /v2/big/other/manifests/${tag} → 500`);
    expect(harbor.requests.filter((r) => r.path.includes('/manifests/'))).toHaveLength(270 + 2);
  });

  it('stops issuing requests when the run is cancelled', async () => {
    harbor.latencyMs = 10;
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 150);
    try {
      const run = await runOn(check, { ...harborDeps(harbor, { now }), signal: cancel.signal });
      expect(run.status).toBe('error');
      const atReturn = harbor.requests.length;
      await new Promise((r) => setTimeout(r, 100));
      expect(harbor.requests.length - atReturn).toBeLessThanOrEqual(8);
      expect(harbor.requests.filter((r) => r.path.includes('/manifests/')).length).toBeLessThan(270);
    } finally {
      harbor.latencyMs = 0;
    }
  });
});
