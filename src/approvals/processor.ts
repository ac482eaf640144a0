import type { RemediationPlan } from '../checks/define.js';
import { UpstreamError, UserInputError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { finalStates, type Approval, type ApprovalState, type Outcome } from './approval.js';
import { auditFields, remediationContext, type ApprovalDeps } from './deps.js';
import type { RemediationJob } from './job.js';
import { reportOutcome } from './approval-message.js';
import { findingStillHolds } from './recheck.js';

export interface JobInfo {
  id: string;
  attempt: number;
  maxAttempts: number;
}

const executionTimeoutMs = 5 * 60_000;

type Resolved = Awaited<ReturnType<typeof remediationContext>>;

async function guarded(fn: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await fn();
  } catch (err) {
    return { ok: false, detail: errorMessage(err) };
  }
}

/** An earlier attempt claimed the execution and never recorded how it ended: verify, never re-run. */
async function finishInterrupted(deps: ApprovalDeps, a: Approval, r: Resolved, claim: string): Promise<void> {
  const verification = await guarded(() => r.def.verify(r.ctx, r.params));
  const execution = {
    ok: verification.ok,
    detail: `an earlier attempt (${claim}) was interrupted during execution; it was not run again`,
  };
  await deps.audit.append({
    actor: 'harbor-pilot',
    action: 'remediation.verified',
    ...auditFields(a),
    outcome: verification.ok ? 'ok' : 'failed',
    detail: `approval ${a.id} after an interrupted attempt: ${verification.detail}`,
  });
  await deps.store.finish(a.id, verification.ok ? 'done' : 'failed', {
    execution,
    verification,
    at: deps.now().toISOString(),
  });
}

async function refuse(deps: ApprovalDeps, a: Approval, reason: string): Promise<void> {
  deps.metrics?.remediationOutcome(a.remediation, 'refused');
  await deps.audit.append({
    actor: 'harbor-pilot',
    action: 'remediation.refused',
    ...auditFields(a),
    outcome: 'refused',
    detail: `approval ${a.id}: ${reason}`,
  });
  await deps.store.finish(a.id, 'refused', { reason, at: deps.now().toISOString() });
}

/** Claim, execute (logging the exact requests), verify, record. */
async function execute(
  deps: ApprovalDeps,
  a: Approval,
  r: Resolved,
  plan: RemediationPlan,
  log: Logger,
): Promise<void> {
  const step = (action: string, o: Outcome) =>
    deps.audit.append({
      actor: 'harbor-pilot',
      action,
      ...auditFields(a),
      outcome: o.ok ? 'ok' : 'failed',
      detail: `approval ${a.id}: ${o.detail}`,
    });
  log.info({ requests: plan.requests, diff: plan.diff, expect: plan.expect }, 'remediation executing');
  await deps.audit.append({
    actor: 'harbor-pilot',
    action: 'remediation.executing',
    ...auditFields(a),
    outcome: 'started',
    detail: `approval ${a.id}: ${plan.requests.join('; ')}`,
  });
  const execution = await guarded(() => r.def.execute(r.ctx, r.params, plan));
  log.info({ ok: execution.ok, detail: execution.detail }, 'remediation executed');
  await step('remediation.executed', execution);
  if (!execution.ok) {
    deps.metrics?.remediationOutcome(a.remediation, 'failed');
    return deps.store.finish(a.id, 'failed', { execution, at: deps.now().toISOString() });
  }
  const verification = await guarded(() => r.def.verify(r.ctx, r.params));
  await step('remediation.verified', verification);
  deps.metrics?.remediationOutcome(a.remediation, verification.ok ? 'verified' : 'unverified');
  await deps.store.finish(a.id, 'done', { execution, verification, at: deps.now().toISOString() });
}

/** Re-check the finding, re-plan against current state, then execute at most once. */
async function runApproved(
  deps: ApprovalDeps,
  a: Approval,
  s: ApprovalState,
  job: JobInfo,
  log: Logger,
): Promise<void> {
  const r = await remediationContext(deps, a, AbortSignal.timeout(executionTimeoutMs), log);
  if (s.claim) return finishInterrupted(deps, a, r, s.claim);
  const group = await deps.store.group(a.groupId);
  const holds = group
    ? await findingStillHolds(deps, group, a, r.ctx.signal, log)
    : { ok: false as const, reason: 'its finding record is gone' };
  if (!holds.ok) return refuse(deps, a, holds.reason);
  const plan = await r.def.plan(r.ctx, r.params);
  if (plan.refuse) return refuse(deps, a, plan.refuse);
  const claim = `job ${job.id} attempt ${job.attempt}`;
  if (!(await deps.store.claim(a.id, claim)))
    return finishInterrupted(deps, a, r, (await deps.store.state(a.id))?.claim ?? 'unknown');
  await deps.store.transition(a.id, ['approved'], 'executing');
  await execute(deps, a, r, plan, log);
}

/**
 * The remediation job: a plain function of (job data, context). Idempotent by the approval's stored
 * state: a finished approval is only reported (again, if Slack failed), never executed again.
 */
export async function processRemediationJob(
  data: RemediationJob,
  deps: ApprovalDeps,
  job: JobInfo,
): Promise<{ state: string }> {
  const a = await deps.store.get(data.approvalId);
  if (!a) throw new UserInputError(`approval ${data.approvalId} no longer exists`);
  const log = deps.log.child({ remediation: a.remediation, approval: a.id, target: a.target });
  let s = await deps.store.state(a.id);
  if (s?.state === 'approved' || s?.state === 'executing') {
    try {
      await runApproved(deps, a, s, job, log);
    } catch (err) {
      const retry =
        job.attempt < job.maxAttempts &&
        !(err instanceof UserInputError) &&
        (!(err instanceof UpstreamError) || err.retryable);
      if (retry) throw err;
      await deps.audit.append({
        actor: 'harbor-pilot',
        action: 'remediation.failed',
        ...auditFields(a),
        outcome: 'failed',
        detail: `approval ${a.id}: ${errorMessage(err)}`,
      });
      await deps.store.finish(a.id, 'failed', { reason: errorMessage(err), at: deps.now().toISOString() });
    }
    s = await deps.store.state(a.id);
  }
  if (!s || !finalStates.has(s.state))
    throw new UserInputError(`approval ${a.id} is ${s?.state ?? 'gone'}, not approved`);
  if (!s.reported) {
    await reportOutcome(deps.store, deps.slack, a, s);
    await deps.store.markReported(a.id);
  }
  return { state: s.state };
}
