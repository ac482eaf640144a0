import type { KnownBlock } from '@slack/web-api';
import { errorMessage } from '../errors.js';
import type { Finding, ProposedRemediation } from '../findings/finding.js';
import type { CheckJob } from '../diagnosis/diagnosis-jobs.js';
import type { SlackThread } from '../slack/slack-thread.js';
import { remediationAllowed } from '../targets.js';
import { newApprovalId, type Approval, type ApprovalState, type ProposalGroup, type ProposalItem } from './approval.js';
import { groupBlocks } from './approval-blocks.js';
import { remediationContext, slackSettings, type ApprovalDeps } from './deps.js';

const planTimeoutMs = 30_000;

type Prepared = { kind: 'advice'; reason: string } | { kind: 'approval'; approval: Approval };

/** Plans one proposed fix; it gets buttons only when allowed on its target and a plan could be made. */
async function prepare(
  deps: ApprovalDeps,
  r: ProposedRemediation,
  base: Pick<Approval, 'groupId' | 'requestedBy' | 'thread'>,
): Promise<Prepared> {
  let resolved: Awaited<ReturnType<typeof remediationContext>>;
  try {
    resolved = await remediationContext(
      deps,
      { remediation: r.id, params: r.params },
      AbortSignal.timeout(planTimeoutMs),
      deps.log.child({ remediation: r.id }),
    );
  } catch (err) {
    return { kind: 'advice', reason: `cannot be run from here (${errorMessage(err)})` };
  }
  const { def, params, target, ctx } = resolved;
  if (!remediationAllowed(deps.config, target, def.id)) {
    return {
      kind: 'advice',
      reason:
        `not enabled on ${target.ref}; add "${def.id}" to its remediations list in the configuration to ` +
        `approve it here`,
    };
  }
  const slack = slackSettings(deps.config);
  if (slack.approvers.length === 0 && slack.approverGroups.length === 0) {
    return { kind: 'advice', reason: 'nobody may approve fixes here: set slack.approvers or slack.approverGroups' };
  }
  let plan: Awaited<ReturnType<typeof def.plan>>;
  try {
    plan = await def.plan(ctx, params);
  } catch (err) {
    return { kind: 'advice', reason: `no plan could be made: ${errorMessage(err)}` };
  }
  if (plan.refuse) return { kind: 'advice', reason: `nothing to do now: ${plan.refuse}` };
  const created = deps.now();
  return {
    kind: 'approval',
    approval: {
      ...base,
      id: newApprovalId(),
      remediation: def.id,
      title: r.title,
      risk: def.risk,
      params,
      target: target.ref,
      plan,
      needed: slack.twoPersonRule.includes(def.risk) ? 2 : 1,
      createdAt: created.toISOString(),
      expiresAt: new Date(created.getTime() + slack.approvalTtlMinutes * 60_000).toISOString(),
    },
  };
}

/**
 * The worker hook under a finding with proposed fixes: plans each, stores the pending approvals
 * (with the finding and its check run, to re-check before executing), audits every proposal,
 * schedules their expiry, and returns the plan and button blocks.
 */
export function createRemediationBlocks(
  deps: ApprovalDeps,
  scheduleExpiry?: (groupId: string, ttlMs: number) => Promise<void>,
) {
  return async (finding: Finding, thread: SlackThread, job: CheckJob): Promise<KnownBlock[]> => {
    const groupId = newApprovalId();
    const base = { groupId, requestedBy: job.requestedBy, thread };
    const items: ProposalItem[] = [];
    const approvals: Approval[] = [];
    for (const [index, r] of finding.remediations.entries()) {
      const p = await prepare(deps, r, base);
      if (p.kind === 'advice') items.push({ kind: 'advice', index, reason: p.reason });
      else {
        items.push({ kind: 'approval', approvalId: p.approval.id });
        approvals.push(p.approval);
      }
      const audited =
        p.kind === 'approval'
          ? {
              target: p.approval.target,
              outcome: 'pending',
              detail: `approval ${p.approval.id}: ${p.approval.plan.summary}`,
            }
          : { target: finding.target, outcome: 'advice', detail: p.reason };
      await deps.audit.append({
        actor: 'harbor-pilot',
        action: 'remediation.proposed',
        remediation: r.id,
        params: r.params,
        fingerprint: finding.fingerprint,
        ...audited,
      });
    }
    const group: ProposalGroup = {
      id: groupId,
      finding,
      check: { id: job.checkId, target: job.target, params: job.params },
      thread,
      items,
    };
    const ttlMs = slackSettings(deps.config).approvalTtlMinutes * 60_000;
    await deps.store.create(group, approvals, ttlMs);
    if (approvals.length > 0) await scheduleExpiry?.(groupId, ttlMs);
    const pending: ApprovalState = { state: 'pending', approvers: [], reported: false };
    return groupBlocks(group, new Map(approvals.map((a) => [a.id, { approval: a, state: pending }])));
  };
}
