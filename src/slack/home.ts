import type { App } from '@slack/bolt';
import type { Queue } from 'bullmq';
import * as z from 'zod';
import type { Approval, ApprovalState } from '../approvals/approval.js';
import type { ApprovalStore } from '../approvals/approval-store.js';
import type { ApproverResolver } from '../approvals/authorize.js';
import type { Click } from '../approvals/click.js';
import { errorMessage } from '../errors.js';
import { desiredSchedules } from '../schedules.js';
import { listTargets } from '../targets.js';
import { approversOf } from './channels.js';
import { homeActionIds, homeView, type HomeSchedule } from './home-view.js';
import type { ModalDeps } from './modal-submit.js';
import { diagnoseModal } from './modals.js';

/** What the Home tab reads, and how its approval buttons are judged. */
export interface HomeDeps extends ModalDeps {
  approvals: ApprovalStore;
  approvers: ApproverResolver;
  /** Judges a click as one on the proposal's own message would be (approvals.clicker). */
  click(click: Click): Promise<string>;
  /** The scheduled queue: the next run of each digest and watch. */
  scheduled: Pick<Queue, 'getJobSchedulers'>;
}

/** Pending approvals this user may approve now: an approver where it was posted, not yet by them, not their own. */
async function waitingOn(deps: HomeDeps, user: string): Promise<{ approval: Approval; state: ApprovalState }[]> {
  const out: { approval: Approval; state: ApprovalState }[] = [];
  const selfOk = deps.config.slack?.allowSelfApproval ?? false;
  for (const approval of await deps.approvals.listPending(deps.now())) {
    const state = await deps.approvals.state(approval.id);
    if (state?.state !== 'pending' || state.approvers.includes(user)) continue;
    if (approval.requestedBy === user && !selfOk) continue;
    if (await deps.approvers.isApprover(user, approversOf(deps.config, approval.thread.channel)))
      out.push({ approval, state });
  }
  return out;
}

async function schedules(deps: HomeDeps): Promise<HomeSchedule[]> {
  const next = new Map<string, number>();
  for (const s of await deps.scheduled.getJobSchedulers(0, -1)) if (s.next) next.set(s.id ?? s.key, s.next);
  return desiredSchedules(deps.config).map((d) => ({
    kind: d.name === 'digest' ? 'digest' : 'watch',
    channel: String(d.data.channel),
    pattern: d.pattern,
    timezone: d.tz,
    next: next.get(d.id),
  }));
}

/** Publishes one user's Home tab (`views.publish`). */
export async function publishHome(deps: HomeDeps, user: string): Promise<void> {
  const { store, silences } = deps.findings;
  const [waiting, open, active, planned] = await Promise.all([
    waitingOn(deps, user),
    store.list(),
    silences.list(),
    schedules(deps),
  ]);
  const command = deps.config.slack?.command ?? '/harbor';
  const view = homeView({ user, waiting, open, silences: active, schedules: planned, now: deps.now(), command });
  await deps.slack.publishHome(user, view);
}

/** The message a proposal's buttons are in: known from an earlier click, or where its finding was posted. */
async function messageTsOf(deps: HomeDeps, a: Approval): Promise<string | undefined> {
  const known = (await deps.approvals.state(a.id))?.messageTs;
  if (known) return known;
  const group = await deps.approvals.group(a.groupId);
  const record = group ? await deps.findings.store.get(group.finding.fingerprint) : undefined;
  return record?.posts.find((p) => p.channel === a.thread.channel && p.threadTs === a.thread.threadTs)?.ts;
}

const homeClickSchema = z.object({
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]+$/) }),
  actions: z.array(z.object({ value: z.string().regex(/^a[0-9a-f]{24}$/) })).length(1),
});

async function homeClick(deps: HomeDeps, body: unknown, verb: 'approve' | 'reject'): Promise<void> {
  const parsed = homeClickSchema.safeParse(body);
  if (!parsed.success) return deps.log.info({ verb }, 'invalid home click payload');
  const user = parsed.data.user.id;
  const approvalId = parsed.data.actions[0]?.value ?? '';
  const approval = await deps.approvals.get(approvalId);
  const messageTs = approval ? await messageTsOf(deps, approval) : undefined;
  if (approval && messageTs) {
    const thread = approval.thread;
    const outcome = await deps.click({
      verb,
      user,
      channel: thread.channel,
      messageTs,
      threadTs: thread.threadTs,
      approvalId,
    });
    deps.log.info({ approval: approvalId, outcome, from: 'home' }, 'click handled');
  }
  await publishHome(deps, user);
}

/**
 * The App Home: `app_home_opened` publishes the viewer's tab; its Approve/Reject buttons act as the
 * ones in the thread do (same checks, same audit), then the tab is published again; "Run
 * diagnosis" opens the diagnose modal.
 */
export function registerHome(app: App, deps: HomeDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await publishHome(deps, event.user).catch((err: unknown) =>
      deps.log.warn({ user: event.user, err: errorMessage(err) }, 'home tab not published'),
    );
  });
  for (const [actionId, verb] of [
    [homeActionIds.approve, 'approve'],
    [homeActionIds.reject, 'reject'],
  ] as const) {
    app.action(actionId, async ({ ack, body }) => {
      await ack();
      await homeClick(deps, body, verb).catch((err: unknown) =>
        deps.log.error({ action: actionId, err: errorMessage(err) }, 'home click failed'),
      );
    });
  }
  app.action(homeActionIds.diagnose, async ({ ack, body }) => {
    await ack();
    const trigger = (body as { trigger_id?: unknown }).trigger_id;
    if (typeof trigger !== 'string') return;
    await deps.slack
      .openView(trigger, diagnoseModal(listTargets(deps.config)))
      .catch((err: unknown) => deps.log.warn({ err: errorMessage(err) }, 'diagnose modal could not open'));
  });
}
