import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { deleteArtifact } from '../../jobs/artifact-integrity.js';
import { artifactAt, loseManifest, sampleRegistry, zeroSizeArtifact } from '../../src/sim/artifact-scenarios.js';
import { artifactState } from '../../src/sim/harbor-artifacts-state.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { applyRemediation, harborDeps, remediationContext } from '../support/harbor-context.js';

// Harbor's core cache DB is modelled by a private DB (15) of the test Redis; keys are removed after.
const redisUrl = `${inject('redisUrl')}/15`;
const core = new Redis(redisUrl);
let harbor: HarborSim;
const now = new Date();

beforeAll(async () => {
  harbor = await startHarborSim();
});
afterAll(async () => {
  core.disconnect();
  await harbor.close();
});
beforeEach(() => {
  harbor.clearFaults();
  harbor.requests.length = 0;
  harbor.state.artifacts = sampleRegistry(now);
});

const deletes = () => harbor.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);

describe('delete-artifact', () => {
  it('deletes a size-0 artifact of a nested repository by digest, one request', async () => {
    const st = artifactState(harbor);
    const a = artifactAt(st, 'team/app/backend', 1);
    zeroSizeArtifact(st, 'team/app/backend', a.digest);
    const r = await applyRemediation(deleteArtifact, harborDeps(harbor, { now }), {
      harbor: 'prod',
      repository: 'team/app/backend',
      digest: a.digest,
    });
    expect(r.plan.requests).toEqual([
      `DELETE /api/v2.0/projects/team/repositories/app%252Fbackend/artifacts/${a.digest}`,
    ]);
    expect(r.plan.diff).toContain('tags v1');
    expect(r.outcome).toEqual({ ok: true, detail: `deleted team/app/backend@${a.digest}` });
    expect(r.verified).toEqual({ ok: true, detail: `team/app/backend@${a.digest} is gone; clients can push it again` });
    expect(deletes()).toEqual([
      `/api/v2.0/projects/team/repositories/app%252Fbackend/artifacts/${encodeURIComponent(a.digest)}`,
    ]);
    expect(st.artifacts['team/app/backend']?.map((x) => x.digest)).not.toContain(a.digest);
  });

  it('clears the stale manifest cache key in Harbor Redis with the record', async () => {
    const st = artifactState(harbor);
    const a = artifactAt(st, 'library/nginx', 2);
    loseManifest(st, a.digest);
    const key = `cache:manifest:digest:${a.digest}`;
    await core.set(key, '{"stale":true}', 'EX', 600);
    try {
      const r = await applyRemediation(deleteArtifact, harborDeps(harbor, { now, extra: `    redis: ${redisUrl}\n` }), {
        harbor: 'prod',
        repository: 'library/nginx',
        digest: a.digest,
      });
      expect(r.plan.requests).toEqual([
        `DELETE /api/v2.0/projects/library/repositories/nginx/artifacts/${a.digest}`,
        `Redis db 15: DEL ${key}`,
      ]);
      expect(r.plan.summary).toContain('manifest-missing, tags 1.25-测试');
      expect(r.outcome?.detail).toContain('and 1 Redis key(s)');
      expect(r.verified?.ok).toBe(true);
      expect(await core.exists(key)).toBe(0);
    } finally {
      await core.del(key);
    }
  });

  it('refuses an artifact that is intact again or already gone, and deletes nothing', async () => {
    const st = artifactState(harbor);
    const a = artifactAt(st, 'library/nginx', 0);
    const deps = harborDeps(harbor, { now });
    const intact = await applyRemediation(deleteArtifact, deps, {
      harbor: 'prod',
      repository: 'library/nginx',
      digest: a.digest,
    });
    expect(intact.plan.refuse).toContain('is intact now');
    st.artifacts['library/nginx'] = st.artifacts['library/nginx']?.filter((x) => x.digest !== a.digest) ?? [];
    const gone = await applyRemediation(deleteArtifact, deps, {
      harbor: 'prod',
      repository: 'library/nginx',
      digest: a.digest,
    });
    expect(gone.plan.refuse).toContain('no longer exists');
    expect(deletes()).toEqual([]);
  });

  it('execute refuses when the artifact was re-tagged after the plan', async () => {
    const st = artifactState(harbor);
    const a = artifactAt(st, 'library/nginx', 1);
    loseManifest(st, a.digest);
    const deps = harborDeps(harbor, { now });
    const ctx = remediationContext(deps);
    const params = deleteArtifact.params.parse({ harbor: 'prod', repository: 'library/nginx', digest: a.digest });
    const plan = await deleteArtifact.plan(ctx, params);
    a.tags?.push({ name: 'hotfix', push_time: now.toISOString() });
    expect(await deleteArtifact.execute(ctx, params, plan)).toMatchObject({ ok: false });
    expect(deletes()).toEqual([]);
  });

  it('rejects params that are not one artifact digest', () => {
    expect(
      deleteArtifact.params.safeParse({ harbor: 'prod', repository: 'library/nginx', digest: 'latest' }).success,
    ).toBe(false);
  });
});
