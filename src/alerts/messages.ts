import type { KnownBlock } from '@slack/web-api';
import type { MessageBody } from '../slack/messages.js';
import { clip, escapeMrkdwn, slackTime } from '../slack/mrkdwn.js';
import type { AlertRecord, Incident, PendingNote } from './incident-store.js';

const shown = 5;
const sectionMax = 3000;

function alertLine(a: AlertRecord, now: Date): string {
  const links = a.links.map((l) => `<${l.url.replace(/[<>|]/g, '')}|${l.label}>`).join(' · ');
  const since = Number.isNaN(Date.parse(a.startsAt))
    ? ''
    : ` since ${slackTime(new Date(a.startsAt).toISOString(), now)}`;
  return `• *${escapeMrkdwn(a.name)}* ${escapeMrkdwn(clip(a.summary, 300))}${since}${links ? ` · ${links}` : ''}`;
}

function alertLines(alerts: AlertRecord[], now: Date): string {
  const lines = alerts.slice(0, shown).map((a) => alertLine(a, now));
  if (alerts.length > shown) lines.push(`• … and ${alerts.length - shown} more`);
  return clip(lines.join('\n'), sectionMax);
}

function names(alerts: AlertRecord[]): string {
  const unique = [...new Set(alerts.map((a) => a.name))];
  return unique.length <= 3 ? unique.join(', ') : `${unique.slice(0, 3).join(', ')} and ${unique.length - 3} more`;
}

function formatDuration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 1) return 'under a minute';
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  return `${h} h ${min % 60} min`;
}

/** The root message of an incident thread: what fired, on what, since when, with its links. */
export function incidentRootMessage(i: Incident, alerts: AlertRecord[], checks: string[], now: Date): MessageBody {
  const head = `:rotating_light: *${escapeMrkdwn(names(alerts))}* on ${escapeMrkdwn(i.target)}`;
  const ran =
    checks.length > 0
      ? `Running ${checks.map((c) => `\`${c}\``).join(', ')}; findings follow in this thread.`
      : 'No check applies; nothing will run.';
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`${head}\n${alertLines(alerts, now)}`, sectionMax) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(`${ran} Later alerts for ${escapeMrkdwn(i.target)} join this thread.`, sectionMax),
        },
      ],
    },
  ];
  return { text: clip(`Alert: ${names(alerts)} on ${i.target}`, 300), blocks };
}

/** The root message once every alert has resolved: edited in place, with how long it lasted. */
export function resolvedRootMessage(i: Incident, alerts: AlertRecord[], resolvedAt: Date, now: Date): MessageBody {
  const lasted = formatDuration(resolvedAt.getTime() - Date.parse(i.openedAt));
  const head =
    `:white_check_mark: *Resolved* after ${lasted}: ${escapeMrkdwn(names(alerts))} on ` + `${escapeMrkdwn(i.target)}`;
  const when = `Fired ${slackTime(i.openedAt, now)}, all resolved ${slackTime(resolvedAt.toISOString(), now)}.`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`${head}\n${alertLines(alerts, now)}`, sectionMax) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: when }] },
  ];
  return { text: clip(`Resolved after ${lasted}: ${names(alerts)} on ${i.target}`, 300), blocks };
}

/** One note for the alerts that joined or resolved since the last one. */
export function incidentNote(notes: PendingNote[], ran: string[], skipped: string[]): MessageBody {
  const joined = notes.filter((n) => n.kind === 'joined');
  const resolved = notes.filter((n) => n.kind === 'resolved');
  const line = (n: PendingNote) => `• *${escapeMrkdwn(n.name)}* ${escapeMrkdwn(clip(n.summary, 200))}`;
  const part = (title: string, list: PendingNote[]) =>
    list.length === 0
      ? []
      : [
          title,
          ...list.slice(0, shown).map(line),
          ...(list.length > shown ? [`• … and ${list.length - shown} more`] : []),
        ];
  const lines = [
    ...part(`:heavy_plus_sign: ${joined.length} more alert${joined.length === 1 ? '' : 's'} fired:`, joined),
    ...part(`:heavy_check_mark: ${resolved.length} resolved:`, resolved),
  ];
  if (ran.length > 0) lines.push(`Running ${ran.map((c) => `\`${c}\``).join(', ')}.`);
  if (skipped.length > 0) lines.push(`Not re-run yet (cooldown): ${skipped.map((c) => `\`${c}\``).join(', ')}.`);
  const text = clip(lines.join('\n'), sectionMax);
  return {
    text: clip(`${joined.length} more alerts, ${resolved.length} resolved`, 300),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}
