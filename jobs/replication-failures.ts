import * as z from 'zod';
import { defineCheck, defineRemediation, propose, type FindingInput } from '../src/checks/define.js';
import { withPermissionHints } from '../src/harbor/permissions.js';
import type { HarborClient } from '../src/harbor/client.js';
import {
  classifyReplicationFailure,
  type FailureSignature,
  type ReplicationFailureCause,
} from '../src/replication/failure-signatures.js';
import type { ReplicationExecution } from '../src/harbor/replication-schemas.js';

/** The newest execution of a policy, which decides whether a failure still stands. */
async function latestExecution(
  harbor: HarborClient,
  policyId: number,
  signal: AbortSignal,
): Promise<ReplicationExecution | undefined> {
  return (await harbor.listReplicationExecutions({ policyId, max: 1 }, signal))[0];
}

export const rerunReplicationPolicy = defineRemediation({
  id: 'rerun-replication-policy',
  title: 'Re-run the replication policy',
  description:
    'Starts a new execution of a replication policy whose last execution failed on a transient error (POST ' +
    '/replication/executions). Needs replication:create.',
  risk: 'low',
  targetKind: 'harbor',
  params: z.strictObject({
    harbor: z.string().min(1),
    policyId: z.number().int().positive(),
    failedExecutionId: z.number().int().positive(),
  }),
  async plan(ctx, p) {
    const harbor = ctx.harbor();
    const policy = await harbor.getReplicationPolicy(p.policyId, ctx.signal);
    const latest = await latestExecution(harbor, p.policyId, ctx.signal);
    const refuse = (why: string) => ({ summary: `Not re-running policy "${policy.name}"`, requests: [], refuse: why });
    if (policy.enabled === false) return refuse(`policy "${policy.name}" is disabled; enable it first`);
    if (latest && latest.id !== p.failedExecutionId)
      return refuse(`policy "${policy.name}" already ran again: execution ${latest.id} is ${latest.status}`);
    if (latest && latest.status !== 'Failed')
      return refuse(`execution ${latest.id} is ${latest.status}, no longer Failed`);
    return {
      summary:
        `Start a new execution of policy "${policy.name}" (id ${p.policyId}) after failed execution ` +
        `${p.failedExecutionId}`,
      requests: [`POST /api/v2.0/replication/executions {"policy_id":${p.policyId}}`],
      expect: { latestExecutionId: latest?.id ?? 0 },
    };
  },
  async execute(ctx, p, plan) {
    const harbor = ctx.harbor();
    const latest = await latestExecution(harbor, p.policyId, ctx.signal);
    if ((latest?.id ?? 0) !== plan.expect?.latestExecutionId)
      return {
        ok: false,
        detail: `policy ${p.policyId} ran again since the plan (execution ${latest?.id}); nothing was started`,
      };
    const id = await harbor.startReplication(p.policyId, ctx.signal);
    return { ok: true, detail: `Harbor started execution ${id ?? '(id not returned)'} of policy ${p.policyId}` };
  },
  async verify(ctx, p) {
    const latest = await latestExecution(ctx.harbor(), p.policyId, ctx.signal);
    if (!latest || latest.id === p.failedExecutionId)
      return { ok: false, detail: `no new execution of policy ${p.policyId} exists` };
    if (latest.status === 'Failed')
      return {
        ok: false,
        detail:
          `execution ${latest.id} failed too (${latest.status_text ?? ''}): the failure is not transient, ` +
          `look at its task logs`,
      };
    return { ok: true, detail: `execution ${latest.id} of policy ${p.policyId} is ${latest.status}` };
  },
});

const advice: Record<ReplicationFailureCause, (policy: string) => string> = {
  'replication-tag-unknown-race': (policy) =>
    `Replication read a tag before the registry had written it (a transient race after a push). Re-run ${policy} ` +
    `with rerun-replication-policy; if it recurs, make the rule scheduled instead of event-based.`,
  'replication-tag-listing-failed': (policy) =>
    `Harbor could not list the tags of a large repository, so ${policy} fails before any copy starts. Split the ` +
    `rule with name or tag filters so each execution lists fewer tags (see repo-too-many-tags); re-running will ` +
    `fail the same way.`,
};

export default defineCheck({
  id: 'replication-failures',
  title: 'Failed replication executions',
  description:
    'Reads the latest execution of each replication policy and, when it failed recently, classifies the failure ' +
    "from its status_text and its failed tasks' logs: a tag read before the registry wrote it (transient, " +
    're-run) or tags of a large repository that could not be listed (split the rule with filters).',
  appliesTo: ['harbor'],
  causes: ['replication-tag-unknown-race', 'replication-tag-listing-failed'],
  params: z.strictObject({
    sinceHours: z.number().positive().default(24),
    maxExecutions: z.number().int().positive().default(100),
    maxTaskLogs: z.number().int().min(0).default(10),
  }),
  remediations: [rerunReplicationPolicy],
  run(ctx) {
    return withPermissionHints(async () => {
      const harbor = ctx.harbor();
      const cutoff = ctx.now().getTime() - ctx.params.sinceHours * 3600_000;
      const recent = await harbor.listReplicationExecutions({ max: ctx.params.maxExecutions }, ctx.signal);
      const latest = new Map<number, ReplicationExecution>();
      for (const e of recent) if (e.status !== 'InProgress' && !latest.has(e.policy_id)) latest.set(e.policy_id, e);
      const findings: FindingInput[] = [];
      for (const exec of latest.values()) {
        if (exec.status !== 'Failed' || Date.parse(exec.start_time ?? '') < cutoff) continue;
        const found = new Map<ReplicationFailureCause, { sig: FailureSignature; where: string }[]>();
        const note = (sigs: FailureSignature[], where: string) => {
          for (const sig of sigs) found.set(sig.cause, [...(found.get(sig.cause) ?? []), { sig, where }]);
        };
        note(classifyReplicationFailure(exec.status_text ?? ''), `execution ${exec.id} status_text`);
        const failedTasks =
          ctx.params.maxTaskLogs > 0
            ? await harbor.listReplicationTasks(exec.id, { status: 'Failed', max: ctx.params.maxTaskLogs }, ctx.signal)
            : [];
        for (const t of failedTasks)
          note(
            classifyReplicationFailure(await harbor.getReplicationTaskLog(exec.id, t.id, ctx.signal)),
            `task ${t.id} log (${t.src_resource ?? '-'})`,
          );
        if (found.size === 0) continue;
        const policy = await harbor.findReplicationPolicy(exec.policy_id, ctx.signal);
        const name = policy ? `policy "${policy.name}"` : `policy ${exec.policy_id}`;
        for (const [cause, hits] of found) {
          const repos = [...new Set(hits.map((h) => h.sig.repository).filter(Boolean))];
          findings.push({
            cause,
            title:
              cause === 'replication-tag-unknown-race'
                ? `Replication execution ${exec.id} (${name}) read a tag before it was written`
                : `Replication execution ${exec.id} (${name}) could not list the tags of ${repos[0] ?? 'a repository'}`,
            summary: advice[cause](name),
            resource: { kind: 'ReplicationExecution', name: String(exec.id), namespace: null },
            evidence: [
              `GET /api/v2.0/replication/executions/${exec.id}: status=${exec.status} ` +
                `start_time=${exec.start_time ?? '-'} failed=${exec.failed} succeed=${exec.succeed} ` +
                `total=${exec.total}`,
              ...hits.slice(0, 5).map((h) => `${h.where}: ${h.sig.line}`),
            ],
            remediations:
              cause === 'replication-tag-unknown-race'
                ? [
                    propose(
                      rerunReplicationPolicy,
                      { harbor: ctx.target.name, policyId: exec.policy_id, failedExecutionId: exec.id },
                      `Re-run ${name}`,
                    ),
                  ]
                : [],
          });
        }
      }
      return findings;
    });
  },
});
