import type { KnownBlock } from '@slack/web-api';
import type { Approval, ApprovalState } from '../approvals/approval.js';
import type { Severity } from '../findings/finding.js';
import type { Silence } from '../findings/silences.js';
import type { FindingRecord } from '../findings/finding-record.js';
import { fitMessage } from './block-limits.js';
import { severityIcon } from './messages.js';
import { cronInWords } from './cron-words.js';
import { code, escapeMrkdwn, mention, slackTime } from './mrkdwn.js';

export const homeActionIds = { approve: 'home:approve', reject: 'home:reject', diagnose: 'home:diagnose' } as const;

/** A digest or watch schedule, with its next run when the scheduler knows it. */
export interface HomeSchedule {
  kind: 'digest' | 'watch';
  channel: string;
  pattern: string;
  timezone: string;
  next?: number;
}

/** What one user's Home tab shows. */
export interface HomeData {
  user: string;
  waiting: { approval: Approval; state: ApprovalState }[];
  open: FindingRecord[];
  silences: Silence[];
  schedules: HomeSchedule[];
  now: Date;
  command: string;
}

const severities: Severity[] = ['critical', 'warning', 'info'];
const maxApprovals = 10;
const maxTargets = 15;

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function header(text: string): KnownBlock {
  return { type: 'header', text: { type: 'plain_text', text } };
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Record<string, unknown> {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text },
    value,
    ...(style ? { style } : {}),
  };
}

function approvalBlocks(a: Approval, s: ApprovalState, now: Date): KnownBlock[] {
  const so = s.approvers.length > 0 ? ` · approved so far by ${s.approvers.map(mention).join(', ')}` : '';
  const text =
    `*${escapeMrkdwn(a.title)}* · ${code(a.remediation)} on ${code(a.target)} · risk *${a.risk}*\n` +
    `${escapeMrkdwn(a.plan.summary)}\nProposed in <#${a.thread.channel}> · expires ${slackTime(a.expiresAt, now)}${so}`;
  const actions = [
    button('Approve', homeActionIds.approve, a.id, 'primary'),
    button('Reject', homeActionIds.reject, a.id),
  ];
  return [section(text), { type: 'actions', block_id: `home-${a.id}`, elements: actions } as unknown as KnownBlock];
}

function waitingBlocks(d: HomeData): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Waiting on you')];
  if (d.waiting.length === 0) return [...blocks, section('No fixes wait on your approval.')];
  for (const w of d.waiting.slice(0, maxApprovals)) blocks.push(...approvalBlocks(w.approval, w.state, d.now));
  if (d.waiting.length > maxApprovals) blocks.push(section(`… ${d.waiting.length - maxApprovals} more waiting.`));
  return blocks;
}

function findingBlocks(d: HomeData): KnownBlock[] {
  const open = d.open.filter((r) => r.status === 'open');
  const blocks: KnownBlock[] = [header('Open findings')];
  if (open.length === 0) return [...blocks, section(':white_check_mark: Nothing is open.')];
  const byTarget = new Map<string, FindingRecord[]>();
  for (const r of open) byTarget.set(r.finding.target, [...(byTarget.get(r.finding.target) ?? []), r]);
  const targets = [...byTarget.keys()].sort();
  for (const target of targets.slice(0, maxTargets)) {
    const records = byTarget.get(target) ?? [];
    const counts = severities.map((s) => `${records.filter((r) => r.finding.severity === s).length} ${s}`).join(' · ');
    const worst = [...records].sort(
      (a, b) => severities.indexOf(a.finding.severity) - severities.indexOf(b.finding.severity),
    );
    const lines = worst.slice(0, 5).map((r) => `${severityIcon[r.finding.severity]} ${escapeMrkdwn(r.finding.title)}`);
    const more = records.length > 5 ? `\n… ${records.length - 5} more: \`${d.command} findings\`` : '';
    blocks.push(section(`*${escapeMrkdwn(target)}* · ${counts}\n${lines.join('\n')}${more}`));
  }
  if (targets.length > maxTargets)
    blocks.push(section(`… ${targets.length - maxTargets} more targets: \`${d.command} findings\``));
  return blocks;
}

function silenceBlocks(d: HomeData): KnownBlock[] {
  if (d.silences.length === 0) return [header('Silences'), section('No finding is silenced.')];
  const lines = d.silences.slice(0, 20).map((s) => {
    const why = s.reason ? `: ${escapeMrkdwn(s.reason)}` : '';
    return `• ${code(s.fingerprint)} by ${mention(s.by)} until ${slackTime(s.until, d.now)}${why}`;
  });
  if (d.silences.length > 20) lines.push(`… ${d.silences.length - 20} more: \`${d.command} findings\``);
  return [header('Silences'), section(lines.join('\n'))];
}

function scheduleBlocks(d: HomeData): KnownBlock[] {
  if (d.schedules.length === 0) return [header('Schedules'), section('No digests or watches are configured.')];
  const lines = d.schedules.map((s) => {
    const next = s.next ? `; next ${slackTime(new Date(s.next).toISOString(), d.now)}` : '';
    const kind = s.kind === 'digest' ? 'Digest' : 'Watch';
    return `• ${kind} in <#${s.channel}>: ${cronInWords(s.pattern, s.timezone)}${next}`;
  });
  return [header('Schedules'), section(lines.join('\n'))];
}

/** The Home tab of one user (`views.publish`): what waits on them, what is open, what is quiet, what is next. */
export function homeView(d: HomeData): { type: 'home'; blocks: KnownBlock[] } {
  const intro = {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `*harbor-pilot* for ${mention(d.user)}, as of ${slackTime(d.now.toISOString(), d.now)}.`,
    },
    accessory: button('Run diagnosis', homeActionIds.diagnose, 'open', 'primary'),
  } as unknown as KnownBlock;
  const blocks = [intro, ...waitingBlocks(d), ...findingBlocks(d), ...silenceBlocks(d), ...scheduleBlocks(d)];
  return { type: 'home', blocks: fitMessage({ text: 'home', blocks }, { surface: 'view' }).blocks };
}
