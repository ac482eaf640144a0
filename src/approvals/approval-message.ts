import type { SlackDoor } from '../slack/slack-door.js';
import { findingMessage, type MessageBody } from '../slack/messages.js';
import { clip, code } from '../slack/mrkdwn.js';
import type { Approval, ApprovalState } from './approval.js';
import { groupBlocks, statusLine } from './approval-blocks.js';
import type { ApprovalStore } from './approval-store.js';

/**
 * Rebuilds a finding's message from the stored states of all its proposals and replaces it
 * (`chat.update` with `blocks`, so decided buttons disappear and pending siblings keep theirs).
 */
export async function updateApprovalMessage(
  store: ApprovalStore,
  slack: SlackDoor,
  approval: Approval,
  messageTs: string,
): Promise<void> {
  const group = await store.group(approval.groupId);
  if (!group) return;
  const approvals = new Map<string, { approval: Approval; state: ApprovalState }>();
  for (const item of group.items) {
    if (item.kind !== 'approval') continue;
    const [a, s] = await Promise.all([store.get(item.approvalId), store.state(item.approvalId)]);
    if (a && s) approvals.set(a.id, { approval: a, state: s });
  }
  const body = findingMessage(group.finding, groupBlocks(group, approvals));
  await slack.update(group.thread.channel, messageTs, body);
}

/** The thread reply that says how an approved remediation ended. */
export function resultMessage(a: Approval, s: ApprovalState): MessageBody {
  const icon =
    s.state === 'done'
      ? s.verification?.ok
        ? ':white_check_mark:'
        : ':warning:'
      : s.state === 'refused'
        ? ':no_entry:'
        : ':x:';
  const word = s.state === 'done' ? (s.verification?.ok ? 'done and verified' : 'executed, not verified') : s.state;
  const head = `${icon} ${code(a.remediation)} on ${code(a.target)}: ${word}`;
  const text = `${head}\n${statusLine(a, s)}`;
  return {
    text: clip(`${a.remediation} on ${a.target}: ${word}`, 300),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } }],
  };
}

/** Says in the thread what happened, then updates the buttons' message when its ts is known. */
export async function reportOutcome(
  store: ApprovalStore,
  slack: SlackDoor,
  a: Approval,
  s: ApprovalState,
): Promise<void> {
  const body = resultMessage(a, s);
  if (s.messageTs) await updateApprovalMessage(store, slack, a, s.messageTs);
  await slack.post(a.thread.channel, body, a.thread.threadTs);
}
