import { describe, expect, it } from 'vitest';
import check from '../../jobs/repo-tag-count.js';
import type { Progress } from '../../src/checks/define.js';
import { buildRegistry } from '../../src/sim/artifact-scenarios.js';
import { replicationState } from '../../src/sim/harbor-replication-state.js';
import { healthyReplication } from '../../src/sim/replication-scenarios.js';
import { harborDeps, runOn, useHarborSim } from '../support/harbor-context.js';

const now = new Date();
const harbor = useHarborSim((harbor) => {
  harbor.state.replication = healthyReplication(now);
  harbor.state.artifacts = buildRegistry(
    [
      { name: 'library/nginx', artifacts: 40 },
      { name: 'library/base/images', artifacts: 61 },
      { name: 'ai-cloud/coreos/kube-state-metrics', artifacts: 75 },
      { name: 'scratch/huge', artifacts: 90 },
    ],
    now,
  );
});

describe('repo-tag-count', () => {
  it('finds nothing when every replicated repository is under the threshold', async () => {
    const run = await runOn(check, harborDeps(harbor, { now }), { threshold: 100 });
    expect(run).toMatchObject({ status: 'ok', findings: [] });
  });

  it('reports replicated repositories above the threshold with the rule and the count, not unreplicated ones', async () => {
    const progress: Progress[] = [];
    const run = await runOn(check, harborDeps(harbor, { now }), { threshold: 60 }, (p) => progress.push(p));
    expect(run.findings.map((f) => [f.cause, f.resource.kind, f.resource.name])).toEqual([
      ['repo-too-many-tags', 'Repository', 'ai-cloud/coreos/kube-state-metrics'],
      ['repo-too-many-tags', 'Repository', 'library/base/images'],
    ]);
    const pull = run.findings[0];
    expect(pull?.title).toBe(
      'Repository ai-cloud/coreos/kube-state-metrics holds 75 artifacts and is replicated by "pull-ai-cloud"',
    );
    expect(pull?.evidence).toEqual([
      'GET /api/v2.0/repositories: name=ai-cloud/coreos/kube-state-metrics artifact_count=75 (threshold 60)',
      'replication policy 2 "pull-ai-cloud" (scheduled, pull from docker-hub into ai-cloud) filters: name=coreos/**',
    ]);
    expect(run.findings[1]?.evidence[1]).toContain(
      '"mirror-library" (event_based, push to dr-site) filters: name=library/**, tag=**',
    );
    expect(run.findings[1]?.summary).toContain('Split the rule with tag filters');
    expect(run.findings.every((f) => f.remediations.length === 0)).toBe(true);
    expect(progress.at(-1)).toEqual({ done: 4, total: 4, note: 'repositories' });
  });

  it('ignores disabled rules and needs no repository listing without rules', async () => {
    for (const p of replicationState(harbor).policies) p.enabled = false;
    const run = await runOn(check, harborDeps(harbor, { now }), { threshold: 1 });
    expect(run.findings).toEqual([]);
    expect(harbor.requests.some((r) => r.path === '/api/v2.0/repositories')).toBe(false);
  });

  it('names the missing permission when the repository listing is forbidden', async () => {
    harbor.fault({ path: /^\/api\/v2\.0\/repositories$/, status: 403 });
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings[0]).toMatchObject({ cause: 'permission-denied' });
    expect(run.findings[0]?.evidence.join('\n')).toContain('needs project repository:list');
  });
});
