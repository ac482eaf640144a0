import type { KnownBlock } from '@slack/web-api';

/** What Slack accepts in a message or view (Block Kit reference; the total is Slack's observed limit). */
export const blockKitLimits = {
  messageBlocks: 50,
  viewBlocks: 100,
  /** Characters of all texts in a message's blocks together (`msg_blocks_too_long` above about 13,000). */
  totalText: 12_000,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  /** The top-level `text` (notification fallback). Slack cuts at 40,000; a notification needs far less. */
  messageText: 3000,
} as const;

/** A section shrunk to fit the total is never cut below this many characters. */
const shrinkFloor = 400;
/** Room kept for the "… N more" line when blocks are dropped. */
const overflowReserve = 200;

export interface FitOptions {
  /** `message` (50 blocks) or `view` (Home tab, modal: 100 blocks). */
  surface?: 'message' | 'view';
  /** The line that replaces dropped blocks; default "… N more not shown". */
  overflow?: (dropped: number) => string;
}

export interface FittedMessage {
  text: string;
  blocks: KnownBlock[];
  /** Blocks left out to fit. */
  dropped: number;
  /** Full texts of the sections that were cut, for a file attachment when the whole is needed. */
  cut: string[];
}

type Json = Record<string, unknown>;

/** The line that stands for findings left out of a list: where to see them all. */
export function moreFindingsLine(n: number, command = '/harbor'): string {
  return `… ${n} more finding${n === 1 ? '' : 's'}: see \`${command} findings\``;
}

function cutText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A text object with its `text` cut to `max`; a blank text becomes a dash (Slack wants at least one character). */
function fitTextObject(t: unknown, max: number, cut?: string[]): unknown {
  if (!t || typeof t !== 'object') return t;
  const obj = t as Json;
  const text = typeof obj.text === 'string' ? obj.text : '';
  if (text.length > max) cut?.push(text);
  return { ...obj, text: text.trim() === '' ? '-' : cutText(text, max) };
}

function fitConfirm(c: unknown): unknown {
  if (!c || typeof c !== 'object') return c;
  const o = c as Json;
  return {
    ...o,
    title: fitTextObject(o.title, blockKitLimits.confirmTitle),
    text: fitTextObject(o.text, blockKitLimits.confirmText),
    confirm: fitTextObject(o.confirm, 30),
    deny: fitTextObject(o.deny, 30),
  };
}

function fitElement(e: unknown): unknown {
  if (!e || typeof e !== 'object') return e;
  const el = e as Json;
  if (el.type !== 'button') return el;
  const out: Json = { ...el, text: fitTextObject(el.text, blockKitLimits.buttonText) };
  if (typeof el.value === 'string') out.value = el.value.slice(0, blockKitLimits.buttonValue);
  if (el.confirm) out.confirm = fitConfirm(el.confirm);
  return out;
}

/** One block within its own limits (text lengths, element counts). */
export function fitBlock(block: KnownBlock, cut?: string[]): KnownBlock {
  const b = block as unknown as Json;
  switch (b.type) {
    case 'section': {
      const out: Json = { ...b };
      if (b.text) out.text = fitTextObject(b.text, blockKitLimits.sectionText, cut);
      if (Array.isArray(b.fields)) {
        out.fields = b.fields
          .slice(0, blockKitLimits.sectionFields)
          .map((f) => fitTextObject(f, blockKitLimits.fieldText, cut));
      }
      if (b.accessory) out.accessory = fitElement(b.accessory);
      return out as unknown as KnownBlock;
    }
    case 'header':
      return { ...b, text: fitTextObject(b.text, blockKitLimits.headerText) } as unknown as KnownBlock;
    case 'context': {
      const elements = Array.isArray(b.elements) ? b.elements.slice(0, blockKitLimits.contextElements) : [];
      const fitted = elements.map((e) =>
        (e as Json).type === 'image' ? e : fitTextObject(e, blockKitLimits.contextText, cut),
      );
      return { ...b, elements: fitted } as unknown as KnownBlock;
    }
    case 'actions': {
      const elements = Array.isArray(b.elements) ? b.elements.slice(0, blockKitLimits.actionsElements) : [];
      return { ...b, elements: elements.map(fitElement) } as unknown as KnownBlock;
    }
    default:
      return block;
  }
}

/** Characters of every `text` string in the blocks, the measure of Slack's total limit. */
export function blocksTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + blocksTextLength(v), 0);
  if (!value || typeof value !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value))
    n += k === 'text' && typeof v === 'string' ? v.length : blocksTextLength(v);
  return n;
}

function sectionText(b: KnownBlock | undefined): string | undefined {
  const block = b as { type?: string; text?: { text?: unknown } } | undefined;
  const t = block?.type === 'section' ? block.text?.text : undefined;
  return typeof t === 'string' ? t : undefined;
}

/** Cuts the longest section texts until the blocks fit `budget` characters or none is above the floor. */
function shrinkSections(blocks: KnownBlock[], budget: number, cut: string[]): KnownBlock[] {
  const out = [...blocks];
  let excess = blocksTextLength(out) - budget;
  while (excess > 0) {
    let longest = -1;
    for (let i = 0; i < out.length; i++) {
      const len = sectionText(out[i])?.length ?? 0;
      if (len > shrinkFloor && len > (sectionText(out[longest])?.length ?? 0)) longest = i;
    }
    if (longest < 0) break;
    const block = out[longest] as unknown as { text: { type: string; text: string } };
    const text = block.text.text;
    const keep = Math.max(shrinkFloor, text.length - excess);
    if (!cut.includes(text)) cut.push(text);
    out[longest] = { ...block, text: { ...block.text, text: cutText(text, keep) } } as unknown as KnownBlock;
    excess -= text.length - keep;
  }
  return out;
}

function overflowBlock(line: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: cutText(line, blockKitLimits.contextText) }] };
}

/**
 * Fits a message (or view) within Block Kit's limits, so Slack never rejects it: every block within
 * its own limits; long sections cut (longest first) until the whole fits the total; blocks beyond
 * the count or the total left out, with one line saying how many. Pure: the same input always
 * gives the same output, and a message within the limits comes back unchanged.
 */
export function fitMessage(body: { text: string; blocks: KnownBlock[] }, options: FitOptions = {}): FittedMessage {
  const cut: string[] = [];
  const maxBlocks = options.surface === 'view' ? blockKitLimits.viewBlocks : blockKitLimits.messageBlocks;
  const overflow = options.overflow ?? ((n: number) => `… ${n} more not shown`);
  let blocks = body.blocks.map((b) => fitBlock(b, cut));
  const text = cutText(body.text, blockKitLimits.messageText);
  if (blocks.length <= maxBlocks && blocksTextLength(blocks) <= blockKitLimits.totalText)
    return { text, blocks, dropped: 0, cut };
  const total = blocks.length;
  if (blocks.length > maxBlocks) blocks = blocks.slice(0, maxBlocks - 1);
  const budget = blockKitLimits.totalText - overflowReserve;
  blocks = shrinkSections(blocks, budget, cut);
  while (blocks.length > 0 && blocksTextLength(blocks) > budget) blocks.pop();
  const dropped = total - blocks.length;
  if (dropped > 0) blocks.push(overflowBlock(overflow(dropped)));
  return { text, blocks, dropped, cut };
}

/** Slack answers these when a payload breaks a Block Kit limit: the same payload would fail again. */
export const rejectedBlocksErrors: ReadonlySet<string> = new Set([
  'invalid_blocks',
  'msg_blocks_too_long',
  'msg_too_long',
  'invalid_blocks_format',
]);

/** The plainest form of a message, posted instead when Slack rejected its blocks. */
export function plainFallback(body: { text: string }): { text: string; blocks: KnownBlock[] } {
  const text = cutText(body.text, blockKitLimits.sectionText);
  const note = 'This message was too large for Slack to show in full. `/harbor findings` lists what is open.';
  return {
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.trim() === '' ? '-' : text } }, overflowBlock(note)],
  };
}

/**
 * Joins list lines into one section text of at most `max` characters: whole lines while they fit,
 * then `more(n)` for the n left out (a cut mid-line would hide how many there are).
 */
export function linesWithin(lines: string[], max: number, more: (n: number) => string): string {
  const kept: string[] = [];
  let used = 0;
  for (const [i, line] of lines.entries()) {
    const tail = i < lines.length - 1 ? more(lines.length - i - 1).length + 1 : 0;
    if (used + line.length + 1 + tail > max) {
      kept.push(more(lines.length - i));
      return kept.join('\n');
    }
    kept.push(line);
    used += line.length + 1;
  }
  return kept.join('\n');
}
