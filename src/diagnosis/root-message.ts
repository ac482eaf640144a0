import * as z from 'zod';
import type { MessageBody } from '../slack/messages.js';
import { escapeMrkdwn, mention, slackTime } from '../slack/mrkdwn.js';

/** What the root message of a diagnosis shows; kept in Redis once the run is summarized. */
export const rootStatusSchema = z.object({
  label: z.string(),
  requestedBy: z.string().optional(),
  planned: z.number(),
  startedAt: z.string().optional(),
  done: z
    .object({
      critical: z.number(),
      warning: z.number(),
      info: z.number(),
      errors: z.number(),
      durationMs: z.number(),
      checks: z.number(),
    })
    .optional(),
  /** Set when every finding posted in the thread has since resolved: when the last one did. */
  resolvedAt: z.string().optional(),
});
export type RootStatus = z.infer<typeof rootStatusSchema>;

/** The channel message a diagnosis threads under: queued, then its summary. */
export function rootMessage(s: RootStatus): MessageBody {
  const who = s.requestedBy ? ` for ${mention(s.requestedBy)}` : '';
  if (!s.done) {
    const text =
      `:mag: Diagnosing ${escapeMrkdwn(s.label)}${who}: ${s.planned} ` +
      `check${s.planned === 1 ? '' : 's'} queued. Findings follow in this thread.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const d = s.done;
  const total = d.critical + d.warning + d.info;
  const icon =
    s.resolvedAt || (d.critical === 0 && d.warning === 0)
      ? ':white_check_mark:'
      : d.critical > 0
        ? ':red_circle:'
        : ':large_orange_circle:';
  const counts = `${d.critical} critical · ${d.warning} warning · ${d.info} info`;
  const errors = d.errors > 0 ? ` · ${d.errors} check${d.errors === 1 ? '' : 's'} could not complete` : '';
  const head = `${icon} Diagnosis of ${escapeMrkdwn(s.label)}${who} finished in ${(d.durationMs / 1000).toFixed(1)} s`;
  const found =
    total === 0 && d.errors === 0
      ? `${d.checks} checks ran; nothing found.`
      : `${counts}${errors} (${d.checks} check${d.checks === 1 ? '' : 's'}). Details in the thread.`;
  // The date shows when the resolution came on another day than the diagnosis.
  const resolved = s.resolvedAt
    ? `Everything reported in this thread has resolved since, the last at ` +
      `${slackTime(s.resolvedAt, new Date(s.startedAt ?? s.resolvedAt))}.`
    : '';
  const body = resolved ? `${found}\n${resolved}` : found;
  return {
    text: `${head}: ${counts}${errors}${s.resolvedAt ? '; all resolved since' : ''}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${head}\n${body}` } }],
  };
}
