import { describe, expect, it } from 'vitest';
import check, { rerunReplicationPolicy } from '../../jobs/replication-failures.js';
import { replicationState } from '../../src/sim/harbor-replication-state.js';
import { healthyReplication, tagListingFailure, tagUnknownRace } from '../../src/sim/replication-scenarios.js';
import { applyRemediation, harborDeps, runOn, useHarborSim } from '../support/harbor-context.js';

const now = new Date();
const harbor = useHarborSim((harbor) => {
  harbor.state.replication = healthyReplication(now);
});

const posts = () => harbor.requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${r.body}`);

describe('replication-failures', () => {
  it('finds nothing when every policy last succeeded', async () => {
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run).toMatchObject({ status: 'ok', findings: [] });
  });

  it('classifies a task log with "404 tag unknown" as the tag race and proposes a re-run', async () => {
    harbor.state.replication = tagUnknownRace(now);
    const run = await runOn(check, harborDeps(harbor, { now }));
    expect(run.findings).toHaveLength(1);
    const f = run.findings[0];
    expect(f).toMatchObject({
      cause: 'replication-tag-unknown-race',
      severity: 'warning',
      resource: { kind: 'ReplicationExecution', name: '131' },
    });
    expect(f?.title).toContain('policy "mirror-library"');
    expect(f?.summary).toContain('rerun-replication-policy');
    expect(f?.evidence.join('\n')).toContain('task 1302 log (library/app:[v2.4.1]): ');
    expect(f?.evidence.join('\n')).toContain('pull manifest from local registry failed, 404 tag unknown, tag=v2.4.1');
    expect(f?.remediations).toEqual([
      expect.objectContaining({
        id: 'rerun-replication-policy',
        params: { harbor: 'prod', policyId: 1, failedExecutionId: 131 },
      }),
    ]);
    expect(harbor.requests.some((r) => r.path === '/api/v2.0/replication/executions/131/tasks/1302/log')).toBe(true);
  });

  it('classifies "collect tags for repos" as a tag listing failure, naming the repository, with advice only', async () => {
    harbor.state.replication = tagListingFailure(now);
    const run = await runOn(check, harborDeps(harbor, { now }));
    const f = run.findings[0];
    expect(f).toMatchObject({ cause: 'replication-tag-listing-failed', resource: { name: '11' }, remediations: [] });
    expect(f?.title).toContain('could not list the tags of coreos/kube-state-metrics');
    expect(f?.summary).toContain('Split the rule with name or tag filters');
    expect(f?.evidence.join('\n')).toContain(
      "execution 11 status_text: failed to fetch artifacts: FetchArtifacts error when collect tags for repos: List tags for repo 'coreos/kube-state-metrics' error: http error: code 500",
    );
  });

  it('ignores a failure the policy has since recovered from, and one older than the window', async () => {
    harbor.state.replication = tagUnknownRace(now);
    const st = replicationState(harbor);
    st.executions.push({
      id: 132,
      policy_id: 1,
      status: 'Succeed',
      start_time: new Date(now.getTime() - 60_000).toISOString(),
      end_time: now.toISOString(),
      total: 3,
      failed: 0,
      succeed: 3,
      in_progress: 0,
      stopped: 0,
    });
    expect((await runOn(check, harborDeps(harbor, { now }))).findings).toEqual([]);
    st.executions.pop();
    expect((await runOn(check, harborDeps(harbor, { now }), { sinceHours: 0.5 })).findings).toEqual([]);
  });

  it('re-runs the policy: plan, execute, verify', async () => {
    harbor.state.replication = tagUnknownRace(now);
    const r = await applyRemediation(rerunReplicationPolicy, harborDeps(harbor, { now }), {
      harbor: 'prod',
      policyId: 1,
      failedExecutionId: 131,
    });
    expect(r.plan.requests).toEqual(['POST /api/v2.0/replication/executions {"policy_id":1}']);
    expect(r.outcome).toEqual({ ok: true, detail: 'Harbor started execution 206 of policy 1' });
    expect(r.verified).toEqual({ ok: true, detail: 'execution 206 of policy 1 is Succeed' });
    expect(posts()).toEqual(['/api/v2.0/replication/executions {"policy_id":1}']);
  });

  it('verify reports a re-run that failed again', async () => {
    harbor.state.replication = tagUnknownRace(now);
    replicationState(harbor).startOutcome = 'Failed';
    const r = await applyRemediation(rerunReplicationPolicy, harborDeps(harbor, { now }), {
      harbor: 'prod',
      policyId: 1,
      failedExecutionId: 131,
    });
    expect(r.verified?.ok).toBe(false);
    expect(r.verified?.detail).toContain('failed too');
  });

  it('refuses when the policy already ran again or is disabled, and starts nothing', async () => {
    harbor.state.replication = tagUnknownRace(now);
    const deps = harborDeps(harbor, { now });
    await applyRemediation(rerunReplicationPolicy, deps, { harbor: 'prod', policyId: 1, failedExecutionId: 131 });
    harbor.requests.length = 0;
    const again = await applyRemediation(rerunReplicationPolicy, deps, {
      harbor: 'prod',
      policyId: 1,
      failedExecutionId: 131,
    });
    expect(again.plan.refuse).toBe('policy "mirror-library" already ran again: execution 206 is Succeed');
    const policy = replicationState(harbor).policies[1];
    if (policy) policy.enabled = false;
    harbor.state.replication = {
      ...replicationState(harbor),
      executions: [
        {
          id: 5,
          policy_id: 2,
          status: 'Failed',
          start_time: now.toISOString(),
          total: 0,
          failed: 1,
          succeed: 0,
          in_progress: 0,
          stopped: 0,
        },
      ],
    };
    const disabled = await applyRemediation(rerunReplicationPolicy, deps, {
      harbor: 'prod',
      policyId: 2,
      failedExecutionId: 5,
    });
    expect(disabled.plan.refuse).toContain('is disabled');
    expect(posts()).toEqual([]);
  });
});
