import type { KnownBlock } from '@slack/web-api';
import type { Finding, Severity } from '../findings/finding.js';
import type { Silence } from '../findings/silences.js';
import type { FindingRecord } from '../findings/finding-record.js';
import { severityIcon, type MessageBody } from './messages.js';
import { linesWithin } from './block-limits.js';
import { clip, code, escapeMrkdwn, mention, plainTime, slackTime } from './mrkdwn.js';

const sectionMax = 3000;

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, sectionMax) } };
}

function seenLine(r: FindingRecord, now: Date, time: (iso: string, now: Date) => string): string {
  return `seen ${r.timesSeen} time${r.timesSeen === 1 ? '' : 's'} since ${time(r.openedAt, now)}`;
}

/** The one message per (check, target) in a thread that re-runs keep up to date. */
export function stillPresentMessage(
  run: { id: string; target: string },
  records: FindingRecord[],
  now: Date,
): MessageBody {
  const head =
    `:repeat: ${code(run.id)} on ${escapeMrkdwn(run.target)} re-ran at ` +
    `${slackTime(now.toISOString(), now)}: ${records.length} finding${records.length === 1 ? '' : 's'} above ` +
    `still present`;
  const lines = records.map(
    (r) =>
      `• ${severityIcon[r.finding.severity]} ${escapeMrkdwn(clip(r.finding.title, 300))}: still present, ` +
      `${seenLine(r, now, slackTime)}`,
  );
  const list = linesWithin(lines, sectionMax - head.length - 1, (n) => `• … ${n} more`);
  const text =
    `${run.id} on ${run.target}: ` +
    `${records.map((r) => `${r.finding.title} still present, ${seenLine(r, now, plainTime)}`).join('; ')}`;
  return { text: clip(text, 300), blocks: [section(`${head}\n${list}`)] };
}

/** Told in a finding's thread when a later run of its check no longer sees it. */
export function resolvedMessage(r: FindingRecord, now: Date): MessageBody {
  const f = r.finding;
  const at = r.resolvedAt ?? now.toISOString();
  const text =
    `:white_check_mark: *Resolved:* ${escapeMrkdwn(f.title)}. ${code(f.check)} on ` +
    `${escapeMrkdwn(f.target)} no longer sees it (${slackTime(at, now)}); it was ${seenLine(r, now, slackTime)}.`;
  return {
    text: clip(`Resolved: ${f.title} (${f.target}); ${seenLine(r, now, plainTime)}`, 300),
    blocks: [
      section(text),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `fingerprint ${code(r.fingerprint)}` }] },
    ],
  };
}

/** The channel message a watch's new incident threads under. */
export function incidentRootMessage(target: string, findings: Finding[], now: Date): MessageBody {
  const n = findings.length;
  // "critical" when all are, as before; a watch with a lower minSeverity says which it found.
  const severities = new Set(findings.map((f) => f.severity));
  const what = `New ${severities.size === 1 ? `${[...severities][0]} ` : ''}finding${n === 1 ? '' : 's'}`;
  const head = `:rotating_light: *${what} on ${escapeMrkdwn(target)}* (${slackTime(now.toISOString(), now)})`;
  const lines = findings.map((f) => `• ${severityIcon[f.severity]} ${escapeMrkdwn(clip(f.title, 300))}`);
  const list = linesWithin(lines, 2500, (k) => `• … ${k} more`);
  const text = `${what} on ${target}: ${findings.map((f) => f.title).join('; ')}`;
  return {
    text: clip(text, 300),
    blocks: [section(`${head}\n${list}\nDetails in the thread; I will say here when they resolve.`)],
  };
}

const order: Severity[] = ['critical', 'warning', 'info'];

/** `/harbor findings`: open findings by severity and target, silenced ones marked. */
export function openFindingsMessage(records: FindingRecord[], silences: Silence[], now: Date): MessageBody {
  const silenced = new Map(silences.map((s) => [s.fingerprint, s]));
  const open = records.filter((r) => r.status === 'open');
  if (open.length === 0)
    return { text: 'No open findings.', blocks: [section(':white_check_mark: No open findings.')] };
  const blocks: KnownBlock[] = [
    section(
      `*Open findings:* ${order.map((s) => `${open.filter((r) => r.finding.severity === s).length} ${s}`).join(' · ')}`,
    ),
  ];
  for (const sev of order) {
    const ofSev = open
      .filter((r) => r.finding.severity === sev)
      .sort(
        (a, b) => a.finding.target.localeCompare(b.finding.target) || a.finding.title.localeCompare(b.finding.title),
      );
    if (ofSev.length === 0) continue;
    const lines = ofSev.map((r) => findingLine(r, silenced.get(r.fingerprint), now));
    const head = `${severityIcon[sev]} *${sev}*`;
    blocks.push(section(`${head}\n${linesWithin(lines, sectionMax - head.length - 1, (n) => `… ${n} more ${sev}`)}`));
  }
  return { text: `${open.length} open finding${open.length === 1 ? '' : 's'}`, blocks: blocks.slice(0, 50) };
}

function findingLine(r: FindingRecord, s: Silence | undefined, now: Date): string {
  const quiet = s ? ` · :zipper_mouth_face: silenced by ${mention(s.by)} until ${slackTime(s.until, now)}` : '';
  return (
    `• *${escapeMrkdwn(r.finding.target)}* ${escapeMrkdwn(clip(r.finding.title, 300))} · ` +
    `${seenLine(r, now, slackTime)} · ${code(r.fingerprint)}${quiet}`
  );
}
