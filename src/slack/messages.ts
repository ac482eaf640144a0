import type { KnownBlock } from '@slack/web-api';
import type { Finding, Severity } from '../findings/finding.js';
import { clip, code, escapeMrkdwn } from './mrkdwn.js';

export const severityIcon: Record<Severity, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

const sectionMax = 3000;
const evidenceLines = 15;
const evidenceLineMax = 400;

export interface MessageBody {
  text: string;
  blocks: KnownBlock[];
  /**
   * All of what the blocks shortened, as plain text, when the builder shortened something: the
   * door shares it as a file in the message's thread (as it does when Slack's limits cut a message).
   */
  whole?: string;
}

function resourceLabel(f: Finding): string {
  return `${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`;
}

/**
 * A threaded finding: severity, title, summary, evidence, proposed remediations. `remediationBlocks`
 * (plans and approval buttons) replace the plain list of proposed fixes when given.
 */
export function findingMessage(f: Finding, remediationBlocks?: KnownBlock[]): MessageBody {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `${severityIcon[f.severity]} *${f.severity.toUpperCase()}* · *${escapeMrkdwn(f.title)}*`,
          sectionMax,
        ),
      },
    },
  ];
  if (f.summary)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(f.summary), sectionMax) } });
  if (f.evidence.length > 0) {
    const lines = f.evidence
      .slice(0, evidenceLines)
      .map((e) => `• ${escapeMrkdwn(clip(e.replace(/`/g, "'"), evidenceLineMax))}`);
    if (f.evidence.length > evidenceLines) lines.push(`• … ${f.evidence.length - evidenceLines} more`);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Evidence*\n${lines.join('\n')}`, sectionMax) },
    });
  }
  if (f.remediations.length > 0) {
    if (remediationBlocks) blocks.push(...remediationBlocks);
    else {
      const lines = f.remediations.map((r) => `• ${code(r.id)} ${escapeMrkdwn(r.title)} (risk ${r.risk})`);
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: clip(`*Proposed fixes*\n${lines.join('\n')}`, sectionMax) },
      });
    }
  }
  blocks.push(findingButtons(f));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: clip(
          `${escapeMrkdwn(f.target)} · ${escapeMrkdwn(resourceLabel(f))} · ${code(f.cause)} · check ` +
            `${code(f.check)} · fingerprint ${code(f.fingerprint)}`,
          sectionMax,
        ),
      },
    ],
  });
  const body: MessageBody = { text: clip(`[${f.severity}] ${f.title}`, 300), blocks: blocks.slice(0, 50) };
  return shortened(f) ? { ...body, whole: findingAsText(f) } : body;
}

/** Whether the finding's message leaves out part of its evidence or summary (or its title's end). */
function shortened(f: Finding): boolean {
  return (
    f.evidence.length > evidenceLines ||
    f.evidence.some((e) => e.length > evidenceLineMax) ||
    f.summary.length > sectionMax - 100 ||
    f.title.length > 200
  );
}

/** A finding in plain text, all of it: what its Slack message shortened. */
export function findingAsText(f: Finding): string {
  const lines = [
    `[${f.severity.toUpperCase()}] ${f.title}`,
    `${f.target} · ${resourceLabel(f)} · cause ${f.cause} · check ${f.check} · fingerprint ${f.fingerprint}`,
  ];
  if (f.summary) lines.push('', f.summary);
  if (f.evidence.length > 0) lines.push('', `Evidence (${f.evidence.length})`, ...f.evidence.map((e) => `- ${e}`));
  if (f.remediations.length > 0)
    lines.push('', 'Proposed fixes', ...f.remediations.map((r) => `- ${r.id}: ${r.title} (risk ${r.risk})`));
  return `${lines.join('\n')}\n`;
}

/** Silence… and Re-run… open a modal (src/slack/modal-handlers.ts) instead of asking for typed syntax. */
function findingButtons(f: Finding): KnownBlock {
  const button = (text: string, actionId: string, value: string) => ({
    type: 'button' as const,
    action_id: actionId,
    text: { type: 'plain_text' as const, text },
    value,
  });
  const rerun = JSON.stringify({ check: f.check, target: f.target });
  return {
    type: 'actions',
    block_id: `finding-${f.fingerprint}`,
    elements: [button('Silence…', 'finding:silence', f.fingerprint), button('Re-run…', 'finding:rerun', rerun)],
  };
}

/** A plain ephemeral/text answer. */
export function textMessage(text: string): MessageBody {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, sectionMax) } }] };
}
