import type { KnownBlock } from '@slack/web-api';

type Json = Record<string, unknown>;

const textOf = (t: unknown): string =>
  t && typeof t === 'object' && typeof (t as Json).text === 'string' ? ((t as Json).text as string) : '';

/**
 * A message as plain text, block by block: what a reader needs when Slack's limits cut the message
 * (headers, sections with their fields, context lines; buttons left out, they act only in Slack).
 */
export function messageAsText(body: { text: string; blocks: KnownBlock[] }): string {
  const parts: string[] = [];
  for (const block of body.blocks as unknown as Json[]) {
    switch (block.type) {
      case 'header':
      case 'section': {
        const fields = Array.isArray(block.fields) ? block.fields.map(textOf).filter(Boolean) : [];
        const text = [textOf(block.text), ...fields].filter(Boolean).join('\n');
        if (text) parts.push(text);
        break;
      }
      case 'context': {
        const elements = Array.isArray(block.elements) ? block.elements.map(textOf).filter(Boolean) : [];
        if (elements.length > 0) parts.push(elements.join('  '));
        break;
      }
      case 'divider':
        parts.push('---');
        break;
      default:
        break;
    }
  }
  return `${parts.length > 0 ? parts.join('\n\n') : body.text}\n`;
}
