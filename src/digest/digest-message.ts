import type { KnownBlock } from '@slack/web-api';
import type { Severity } from '../findings/finding.js';
import type { FindingRecord } from '../findings/finding-record.js';
import { severityIcon, type MessageBody } from '../slack/messages.js';
import { clip, code, escapeMrkdwn, mention } from '../slack/mrkdwn.js';
import type { Digest } from './assemble.js';
import type { TrendDay } from './trend.js';

const severities: Severity[] = ['critical', 'warning', 'info'];
const listMax = 10;

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } };
}

/** `Mon, Nov 23, 09:00` in the digest's timezone. */
export function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

function counts(c: Record<Severity, number>): string {
  const parts = severities.filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function tally(list: FindingRecord[]): Record<Severity, number> {
  const c: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const r of list) c[r.finding.severity] += 1;
  return c;
}

/** One line per severity, a bar of ▁…█ per day: the trend for readers without the image. */
export function sparkline(days: readonly TrendDay[], sev: Severity): string {
  const bars = '▁▂▃▄▅▆▇█';
  const max = Math.max(...days.map((d) => d[sev]), 0);
  if (max === 0) return '';
  const line = days.map((d) => (d[sev] === 0 ? ' ' : bars[Math.min(7, Math.floor((d[sev] / max) * 7))])).join('');
  return `${sev} \`${line}\` now ${days.at(-1)?.[sev] ?? 0}, peak ${max}`;
}

function findingList(title: string, list: FindingRecord[], note: (r: FindingRecord) => string): string | undefined {
  if (list.length === 0) return undefined;
  const lines = list
    .slice(0, listMax)
    .map(
      (r) =>
        `• ${severityIcon[r.finding.severity]} *${escapeMrkdwn(r.finding.target)}* ` +
        `${escapeMrkdwn(r.finding.title)} · ${note(r)} · ${code(r.fingerprint)}`,
    );
  if (list.length > listMax) lines.push(`• … ${list.length - listMax} more (\`/harbor findings\` lists them all)`);
  return `*${title}*\n${lines.join('\n')}`;
}

/** The digest as a Slack message that reads well on its own (the chart only repeats the trend). */
export function digestMessage(d: Digest): MessageBody {
  const tz = d.timezone;
  const scope = d.targets ? d.targets.map(escapeMrkdwn).join(', ') : 'all targets';
  const r = d.remediations;
  const summary = [
    `*${d.newFindings.length} new* (${counts(tally(d.newFindings))})`,
    `*${d.stillOpen.length} still open*`,
    `*${d.resolved.length} resolved*`,
    `remediations: ${r.approved} approved, ${r.rejected} rejected, ${r.executed} executed`,
    `${d.silences.length} silence${d.silences.length === 1 ? '' : 's'} active`,
    `${d.failedChecks.length} check${d.failedChecks.length === 1 ? '' : 's'} could not run`,
  ].join(' · ');
  const parts: (string | undefined)[] = [
    `:newspaper: *Harbor digest* for ${scope} · ${localTime(d.until, tz)} (${escapeMrkdwn(tz)}), since ` +
      `${localTime(d.since, tz)}\n${summary}`,
    d.byTarget.length > 0
      ? `*By target*\n${d.byTarget.map(targetLine).join('\n')}`
      : ':white_check_mark: A quiet period: no findings new, open or resolved.',
    findingList('New', d.newFindings, (x) =>
      x.status === 'open'
        ? `first seen ${localTime(x.openedAt, tz)}`
        : `came and went by ${localTime(x.resolvedAt ?? d.until, tz)}`,
    ),
    findingList('Still open', d.stillOpen, (x) => `open since ${localTime(x.openedAt, tz)}, seen ${x.timesSeen} times`),
    findingList('Resolved', d.resolved, (x) => `resolved ${localTime(x.resolvedAt ?? d.until, tz)}`),
    d.silences.length > 0 ? `*Silences active*\n${d.silences.map((s) => silenceLine(s, tz)).join('\n')}` : undefined,
    d.failedChecks.length > 0
      ? `*Checks that could not run*\n${d.failedChecks.map((c) => failedCheckLine(c, tz)).join('\n')}`
      : undefined,
    trendText(d.trend),
  ];
  const blocks = parts.filter((p): p is string => p !== undefined).map(section);
  const text =
    `Harbor digest: ${d.newFindings.length} new, ${d.stillOpen.length} still open, ` +
    `${d.resolved.length} resolved; remediations ${r.approved} approved, ${r.rejected} rejected, ${r.executed} ` +
    `executed`;
  return { text, blocks: blocks.slice(0, 50) };
}

function targetLine(t: Digest['byTarget'][number]): string {
  return (
    `• *${escapeMrkdwn(t.target)}*: new ${counts(t.new)} · open ${counts(t.open)} · ` + `resolved ${counts(t.resolved)}`
  );
}

function silenceLine(s: Digest['silences'][number], tz: string): string {
  const reason = s.reason ? `: ${escapeMrkdwn(s.reason)}` : '';
  return `• ${code(s.fingerprint)} by ${mention(s.by)} until ${localTime(s.until, tz)}${reason}`;
}

function failedCheckLine(c: Digest['failedChecks'][number], tz: string): string {
  const error = c.error ? `: ${escapeMrkdwn(clip(c.error, 200))}` : '';
  return `• ${code(c.check)} on ${escapeMrkdwn(c.target)} (${localTime(c.at, tz)})${error}`;
}

function trendText(days: readonly TrendDay[]): string {
  const lines = severities.map((s) => sparkline(days, s)).filter(Boolean);
  return `*Open findings, last ${days.length} days*\n${lines.length > 0 ? lines.join('\n') : 'none open on any day'}`;
}

/** The chart's alt text: what it shows, in words. */
export function chartAltText(days: readonly TrendDay[]): string {
  const today = days.at(-1);
  const now = today ? `${today.critical} critical, ${today.warning} warning, ${today.info} info open today` : 'no data';
  return `Open findings by severity per day over the last ${days.length} days; ${now}.`;
}
