import type { Queue } from 'bullmq';
import * as z from 'zod';
import { UserInputError, errorMessage } from '../errors.js';
import { approversOf, channelRefusal } from '../slack/channels.js';
import { textMessage } from '../slack/messages.js';
import { code } from '../slack/mrkdwn.js';
import { formatTime, actionIds } from './approval-blocks.js';
import { approvalIdSchema, type Approval, type ProposalGroup } from './approval.js';
import { refuseApproval, type ApproverResolver } from './authorize.js';
import { auditFields, slackSettings, type ApprovalDeps } from './deps.js';
import { updateApprovalMessage } from './approval-message.js';
import { auditExpiry, expireDue } from './expiry.js';
import { enqueueRemediation } from './job.js';
import { enqueueOpenDiagnosis } from '../diagnosis/start-diagnosis.js';
import { newRunId } from '../diagnosis/diagnosis-jobs.js';

/** The parts of a `block_actions` payload a click is judged on. Everything else is ignored. */
export const clickSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]+$/) }),
  channel: z.object({ id: z.string().regex(/^[A-Z0-9]+$/) }),
  message: z.object({ ts: z.string().regex(/^\d+\.\d+$/), thread_ts: z.string().optional() }),
  actions: z
    .array(
      z.object({ action_id: z.enum([actionIds.approve, actionIds.reject, actionIds.rerun]), value: approvalIdSchema }),
    )
    .length(1),
});
export type Click = {
  verb: 'approve' | 'reject' | 'rerun';
  user: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
  approvalId: string;
};

export interface ClickDeps extends ApprovalDeps {
  approvers: ApproverResolver;
  remediations: Queue;
  /** Where a re-run of an expired proposal's check is enqueued (as `/harbor check` does). */
  diagnoses: Queue;
}

/** Why a click did nothing: shown to the clicker only, and audited. */
export class ClickRefused extends UserInputError {
  constructor(
    readonly outcome: string,
    message: string,
  ) {
    super(message);
  }
}

/** Validates the untrusted payload; throws ClickRefused (with the clicker when known) when it is not one of ours. */
export function parseClick(body: unknown): Click {
  const parsed = clickSchema.safeParse(body);
  if (!parsed.success)
    throw new ClickRefused('invalid', 'This button is not valid (the payload failed validation). Nothing happened.');
  const { user, channel, message, actions } = parsed.data;
  const action = actions[0] as (typeof actions)[number];
  const verb =
    action.action_id === actionIds.approve ? 'approve' : action.action_id === actionIds.rerun ? 'rerun' : 'reject';
  return {
    verb,
    user: user.id,
    channel: channel.id,
    messageTs: message.ts,
    threadTs: message.thread_ts,
    approvalId: action.value,
  };
}

/** Resolves the click to its stored approval, by id only; a button from another thread resolves to nothing. */
async function resolve(deps: ClickDeps, click: Click): Promise<Approval> {
  const a = await deps.store.get(click.approvalId);
  // Bound to where its buttons were posted: the finding's thread, and once known the message itself.
  const bound = a ? (await deps.store.state(a.id))?.messageTs : undefined;
  if (
    !a ||
    a.thread.channel !== click.channel ||
    click.threadTs !== a.thread.threadTs ||
    (bound !== undefined && bound !== click.messageTs)
  ) {
    throw new ClickRefused(
      'unknown',
      'This approval is unknown (it expired long ago or belongs elsewhere). Nothing happened; re-run the check ' +
        'for a fresh proposal.',
    );
  }
  return a;
}

function rerunHint(deps: ClickDeps, group: ProposalGroup | undefined): string {
  if (!group) return 're-run the check';
  const params = Object.entries(group.check.params)
    .map(([k, v]) => ` ${k}=${String(v)}`)
    .join('');
  return (
    `re-run ` +
    `${code(`${slackSettings(deps.config).command} check ${group.check.id} ${group.check.target}${params}`)}`
  );
}

/**
 * Refuses a click on an expired approval. The click that noticed the expiry audits it, expires the
 * finding's other proposals that are past their time too (proposed together, they expire together;
 * no stale buttons stay), and updates the message.
 */
async function refuseExpired(deps: ClickDeps, a: Approval, click: Click, noticed: boolean): Promise<never> {
  if (noticed) {
    await auditExpiry(deps, a);
    await expireDue(deps, a.groupId, a.id);
    await updateApprovalMessage(deps.store, deps.slack, a, click.messageTs);
  }
  const hint = rerunHint(deps, await deps.store.group(a.groupId));
  throw new ClickRefused(
    'expired',
    `This approval expired at ${formatTime(a.expiresAt)}, so nothing happened. To get a fresh plan and buttons, ` +
      `${hint}.`,
  );
}

/** Expiry by the injected clock (the Redis TTL of the pending marker is the backstop). */
async function refuseIfExpired(deps: ClickDeps, a: Approval, click: Click): Promise<void> {
  if (deps.now().getTime() < Date.parse(a.expiresAt)) return;
  const noticed = await deps.store.transition(a.id, ['pending'], 'expired');
  if (noticed || (await deps.store.state(a.id))?.state === 'expired') await refuseExpired(deps, a, click, noticed);
}

/**
 * Runs the check behind an expired proposal again, as `/harbor check` would: a new thread in the
 * channel, where the finding (if still there) comes with a fresh plan and buttons. Anyone who may
 * run checks may do this; it changes nothing.
 */
async function rerun(deps: ClickDeps, a: Approval, click: Click): Promise<string> {
  if ((await deps.store.state(a.id))?.state !== 'expired')
    throw new ClickRefused('not-expired', 'Only an expired proposal is re-run from its button. Nothing happened.');
  const group = await deps.store.group(a.groupId);
  if (!group)
    throw new ClickRefused(
      'unknown',
      'This proposal is too old to re-run from here. Nothing happened; re-run the check.',
    );
  const { id, target, params } = group.check;
  const runId = newRunId();
  const checks = [{ checkId: id, target }];
  await enqueueOpenDiagnosis(
    { diagnoses: deps.diagnoses },
    {
      runId,
      label: `${id} on ${target}`,
      startedAt: deps.now().toISOString(),
      requestedBy: click.user,
      channel: click.channel,
      checks,
      params,
    },
  );
  await postEphemeral(
    deps,
    click,
    `:repeat: Re-running ${code(id)} on ${code(target)} (run ${runId}); its findings follow in a new thread ` +
      `here, with fresh plans and buttons.`,
  );
  return 'rerun';
}

async function reject(deps: ClickDeps, a: Approval, click: Click): Promise<string> {
  await deps.store.setMessageTs(a.id, click.messageTs);
  await refuseIfExpired(deps, a, click);
  const at = deps.now().toISOString();
  if (!(await deps.store.transition(a.id, ['pending'], 'rejected', { decidedBy: click.user, decidedAt: at }))) {
    const state = (await deps.store.state(a.id))?.state ?? 'gone';
    throw new ClickRefused(`already-${state}`, `This remediation is already ${state}; nothing happened.`);
  }
  await deps.audit.append({
    actor: click.user,
    action: 'remediation.rejected',
    ...auditFields(a),
    outcome: 'rejected',
    detail: `approval ${a.id}`,
  });
  await updateApprovalMessage(deps.store, deps.slack, a, click.messageTs);
  return 'rejected';
}

async function approve(deps: ClickDeps, a: Approval, click: Click): Promise<string> {
  const set = approversOf(deps.config, a.thread.channel);
  const refusal = await refuseApproval(a, click.user, slackSettings(deps.config), deps.approvers, set);
  if (refusal) throw new ClickRefused(refusal.code, refusal.message);
  // Recorded only now: an unauthorized click must not choose the message later updates go to.
  await deps.store.setMessageTs(a.id, click.messageTs);
  await refuseIfExpired(deps, a, click);
  const r = await deps.store.approve(a.id, click.user, a.needed, deps.now().toISOString());
  if (r.result === 'approved') {
    await deps.audit.append({
      actor: click.user,
      action: 'remediation.approved',
      ...auditFields(a),
      outcome: 'approved',
      detail: `approval ${a.id} by ${r.approvers.join(', ')}`,
    });
    // The execution must not wait on Slack: a failed update here is redone by the worker's report.
    await updateApprovalMessage(deps.store, deps.slack, a, click.messageTs).catch((err: unknown) =>
      deps.log.warn({ approval: a.id, err: errorMessage(err) }, 'approval message update failed'),
    );
    await enqueueRemediation(deps.remediations, a);
    return 'approved';
  }
  if (r.result === 'recorded') {
    await updateApprovalMessage(deps.store, deps.slack, a, click.messageTs);
    await postEphemeral(
      deps,
      click,
      'Your approval is recorded. This risk needs a second, distinct approver before it runs.',
    );
    return 'recorded';
  }
  if (r.result === 'duplicate')
    throw new ClickRefused(
      'duplicate',
      'You already approved this; it needs a different second approver. Nothing happened.',
    );
  if (r.result === 'expired' || (r.result === 'decided' && r.state === 'expired'))
    return refuseExpired(deps, a, click, r.result === 'expired');
  const state = r.result === 'decided' ? r.state : 'gone';
  throw new ClickRefused(`already-${state}`, `This remediation is already ${state}; nothing happened.`);
}

export async function postEphemeral(
  deps: Pick<ApprovalDeps, 'slack'>,
  click: Pick<Click, 'channel' | 'user'>,
  text: string,
): Promise<void> {
  await deps.slack.ephemeral(click.channel, click.user, textMessage(text));
}

/**
 * One click on a remediation button, already acked: resolve, authorize, decide atomically, audit
 * the click whatever its outcome, and answer the clicker privately when nothing happened.
 */
export async function handleClick(deps: ClickDeps, click: Click): Promise<string> {
  let approval: Approval | undefined;
  try {
    approval = await resolve(deps, click);
    const outOfScope = channelRefusal(deps.config, click.channel, approval.target);
    if (outOfScope) throw new ClickRefused('out-of-scope', outOfScope);
    const outcome = await { approve, reject, rerun }[click.verb](deps, approval, click);
    await auditClick(deps, click, approval, outcome);
    return outcome;
  } catch (err) {
    if (!(err instanceof ClickRefused)) throw err;
    await auditClick(deps, click, approval, err.outcome, err.message);
    await postEphemeral(deps, click, `:warning: ${err.message}`);
    return err.outcome;
  }
}

async function auditClick(
  deps: ClickDeps,
  click: Click,
  a: Approval | undefined,
  outcome: string,
  why?: string,
): Promise<void> {
  const fields = a ? auditFields(a) : {};
  const detail = `${click.verb} of approval ${click.approvalId}${why ? `: ${why}` : ''}`;
  await deps.audit.append({ actor: click.user, action: 'remediation.clicked', ...fields, outcome, detail });
}
