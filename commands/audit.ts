import type { KnownBlock } from '@slack/web-api';
import * as z from 'zod';
import { formatTime } from '../src/approvals/approval-blocks.js';
import { createAuditLog, type AuditEntry } from '../src/audit-log.js';
import { UserInputError } from '../src/errors.js';
import { defineCommand } from '../src/slack/command.js';
import { clip, code, escapeMrkdwn, mention } from '../src/slack/mrkdwn.js';

const argsSchema = z.union([z.tuple([]), z.tuple([z.coerce.number().int().min(1).max(50)])]);

/** One audit entry as a line of mrkdwn: everything in it is escaped. */
export function auditLine(e: AuditEntry): string {
  const what = [e.remediation && code(e.remediation), e.target && code(e.target)].filter(Boolean).join(' on ');
  const detail = e.detail ? ` — ${escapeMrkdwn(clip(e.detail, 200))}` : '';
  return (
    `• ${formatTime(e.at)} · ${mention(e.actor)} · ${code(e.action)}${what ? ` · ${what}` : ''} · ` +
    `*${escapeMrkdwn(e.outcome)}*${detail}`
  );
}

function sections(lines: string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines) {
    if (current && current.length + line.length + 1 > 2900) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
  return blocks.slice(0, 49);
}

export default defineCommand({
  name: 'audit',
  usage: 'audit [N]',
  summary: 'the last N entries of the audit trail (proposals, clicks, approvals, executions; default 10)',
  async run(ctx) {
    const parsed = argsSchema.safeParse(ctx.args);
    if (!parsed.success) throw new UserInputError(`usage: audit [N] with N from 1 to 50; got "${ctx.args.join(' ')}"`);
    const count = parsed.data[0] ?? 10;
    await ctx.ack();
    const audit = createAuditLog(ctx.redis, ctx.prefix, ctx.now);
    const entries = await audit.latest(count);
    if (entries.length === 0) return ctx.respond('The audit trail is empty.');
    const head = `*Audit trail*: the last ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, newest first`;
    await ctx.respond({
      text: head,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: head } }, ...sections(entries.map(auditLine))],
    });
  },
});
