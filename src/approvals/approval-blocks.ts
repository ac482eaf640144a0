import type { KnownBlock } from '@slack/web-api';
import type { ProposedRemediation } from '../findings/finding.js';
import { clip, code, escapeMrkdwn, mention } from '../slack/mrkdwn.js';
import type { Approval, ApprovalState, ProposalGroup } from './approval.js';

export const actionIds = {
  approve: 'remediation:approve',
  reject: 'remediation:reject',
  rerun: 'remediation:rerun',
} as const;

const sectionMax = 3000;

/** `2026-11-23 10:05 UTC`: one unambiguous time for everyone in the channel. */
export function formatTime(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : 'an unknown time';
}

function fence(lines: string[]): string {
  return `\`\`\`${escapeMrkdwn(lines.join('\n').replace(/```/g, "'''"))}\`\`\``;
}

/** What a remediation will do: its plan summary, the exact requests, and the diff. */
export function planText(a: Approval): string {
  const head = `*${escapeMrkdwn(a.title)}* · ${code(a.remediation)} · risk *${a.risk}* · on ${code(a.target)}`;
  const parts = [head, escapeMrkdwn(a.plan.summary)];
  if (a.plan.requests.length > 0) parts.push(`Requests:\n${fence(a.plan.requests.slice(0, 20))}`);
  if (a.plan.diff) parts.push(`Change:\n${fence(a.plan.diff.split('\n').slice(0, 40))}`);
  return clip(parts.join('\n'), sectionMax);
}

function buttons(a: Approval): KnownBlock {
  const approve: Record<string, unknown> = {
    type: 'button',
    action_id: actionIds.approve,
    text: { type: 'plain_text', text: 'Approve' },
    style: 'primary',
    value: a.id,
  };
  if (a.risk !== 'low') {
    approve.confirm = {
      title: { type: 'plain_text', text: clip(`Run ${a.remediation}?`, 100) },
      text: { type: 'plain_text', text: clip(`Risk ${a.risk} on ${a.target}: ${a.plan.summary}`, 300) },
      confirm: { type: 'plain_text', text: 'Run it' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    };
  }
  const reject = {
    type: 'button',
    action_id: actionIds.reject,
    text: { type: 'plain_text', text: 'Reject' },
    value: a.id,
  };
  return { type: 'actions', block_id: `remediation-${a.id}`, elements: [approve, reject] } as KnownBlock;
}

function who(users: string[]): string {
  return users.map(mention).join(' and ');
}

/** One line on where an approval stands; for pending ones, who may approve and until when. */
export function statusLine(a: Approval, s: ApprovalState): string {
  const approvedBy = `Approved by ${who(s.approvers)} at ${formatTime(s.decidedAt)}`;
  const outcome = (o: { ok: boolean; detail: string } | undefined, label: string) =>
    o ? ` ${label}: ${escapeMrkdwn(o.detail)}.` : '';
  switch (s.state) {
    case 'pending': {
      const more =
        s.approvers.length > 0 ? ` Approved so far by ${who(s.approvers)}; needs one more distinct approver.` : '';
      return (
        `:lock: Needs ${a.needed === 2 ? 'two distinct approvers' : 'an approver'}; expires ` +
        `${formatTime(a.expiresAt)}.${more}`
      );
    }
    case 'approved':
    case 'executing':
      return `:hourglass_flowing_sand: ${approvedBy}: running.`;
    case 'done':
      return (
        `${s.verification?.ok ? ':white_check_mark:' : ':warning:'} ` +
        `${approvedBy}.${outcome(s.execution, 'Executed')}` +
        `${outcome(s.verification, s.verification?.ok ? 'Verified' : 'Not verified')}`
      );
    case 'failed':
      return (
        `:x: ${approvedBy}. Failed: ` +
        `${escapeMrkdwn(s.reason ?? s.execution?.detail ?? 'unknown error')}.${outcome(s.verification, 'Verification')}`
      );
    case 'refused':
      return `:no_entry: ${approvedBy}, but refused: ${escapeMrkdwn(s.reason ?? '')}. Nothing was changed.`;
    case 'rejected':
      return (
        `:no_entry_sign: Rejected by ${who(s.decidedBy ? [s.decidedBy] : [])} at ` +
        `${formatTime(s.decidedAt)}. Nothing was changed.`
      );
    case 'expired':
      return (
        `:hourglass: Expired at ${formatTime(a.expiresAt)}; nothing was changed. Re-run the check for a ` +
        `fresh proposal (button below).`
      );
  }
}

/** The blocks of one approval: its plan, then buttons while it is pending, then its status. */
export function approvalBlocks(a: Approval, s: ApprovalState): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: planText(a) } }];
  if (s.state === 'pending') blocks.push(buttons(a));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(statusLine(a, s), sectionMax) }] });
  return blocks;
}

/** A proposed fix shown as advice only: not enabled on its target, or no plan could be made. */
export function adviceBlocks(r: ProposedRemediation, reason: string): KnownBlock[] {
  const text = `*${escapeMrkdwn(r.title)}* · ${code(r.id)} · risk *${r.risk}*\n_Advice only: ${escapeMrkdwn(reason)}_`;
  return [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, sectionMax) } }];
}

/** Every remediation block under a finding, in proposal order, from the current stored states. */
export function groupBlocks(
  group: ProposalGroup,
  approvals: Map<string, { approval: Approval; state: ApprovalState }>,
): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: '*Proposed fixes*' } }];
  for (const item of group.items) {
    if (item.kind === 'advice') {
      const r = group.finding.remediations[item.index];
      if (r) blocks.push(...adviceBlocks(r, item.reason));
      continue;
    }
    const found = approvals.get(item.approvalId);
    if (found) blocks.push(...approvalBlocks(found.approval, found.state));
  }
  const expired = [...approvals.values()].find((f) => f.state.state === 'expired');
  if (expired) blocks.push(rerunButton(expired.approval));
  return blocks;
}

/** Under a proposal that expired: runs its check again in a new thread, for a fresh plan and buttons. */
function rerunButton(a: Approval): KnownBlock {
  const button = {
    type: 'button',
    action_id: actionIds.rerun,
    text: { type: 'plain_text', text: 'Re-run the check' },
    value: a.id,
  };
  return { type: 'actions', block_id: `rerun-${a.groupId}`, elements: [button] } as KnownBlock;
}
