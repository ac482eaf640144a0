/**
 * What the real Slack rejects in a message or view, so the simulator fails a test where Slack would
 * fail the bot. Written from Slack's Block Kit reference, independently of the bot's own fitting
 * (src/slack/block-limits.ts), so a regression there is caught here.
 */

type Json = Record<string, unknown>;

/** Slack's answer to a rejected payload: the error code and its `response_metadata.messages`. */
export interface SlackRejection {
  error: string;
  messages: string[];
}

function textOf(t: unknown): string | undefined {
  return t && typeof t === 'object' && typeof (t as Json).text === 'string' ? ((t as Json).text as string) : undefined;
}

function tooLong(problems: string[], t: unknown, max: number, pointer: string): void {
  const text = textOf(t);
  if (text !== undefined && text.length > max)
    problems.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${pointer}/text]`);
  if (text !== undefined && text.length === 0)
    problems.push(`[ERROR] must be more than 0 characters [json-pointer:${pointer}/text]`);
}

function tooMany(problems: string[], list: unknown, max: number, pointer: string): void {
  if (Array.isArray(list) && list.length > max)
    problems.push(`[ERROR] no more than ${max} items allowed [json-pointer:${pointer}]`);
}

function elementProblems(problems: string[], e: unknown, at: string): void {
  const el = (e ?? {}) as Json;
  if (el.type !== 'button') return;
  tooLong(problems, el.text, 75, `${at}/text`);
  if (typeof el.value === 'string' && el.value.length > 2000)
    problems.push(`[ERROR] must be less than 2001 characters [json-pointer:${at}/value]`);
  const confirm = el.confirm as Json | undefined;
  if (confirm) {
    tooLong(problems, confirm.title, 100, `${at}/confirm/title`);
    tooLong(problems, confirm.text, 300, `${at}/confirm/text`);
  }
}

function blockProblems(problems: string[], block: unknown, at: string): void {
  const b = (block ?? {}) as Json;
  if (b.type === 'section') {
    if (b.text === undefined && b.fields === undefined)
      problems.push(`[ERROR] must provide either text or fields [json-pointer:${at}]`);
    if (b.text !== undefined) tooLong(problems, b.text, 3000, `${at}/text`);
    tooMany(problems, b.fields, 10, `${at}/fields`);
    if (Array.isArray(b.fields)) {
      for (const [i, f] of b.fields.entries()) tooLong(problems, f, 2000, `${at}/fields/${i}`);
    }
    if (b.accessory) elementProblems(problems, b.accessory, `${at}/accessory`);
  } else if (b.type === 'header') {
    tooLong(problems, b.text, 150, `${at}/text`);
  } else if (b.type === 'context') {
    tooMany(problems, b.elements, 10, `${at}/elements`);
  } else if (b.type === 'actions') {
    tooMany(problems, b.elements, 25, `${at}/elements`);
    if (Array.isArray(b.elements)) {
      for (const [i, e] of b.elements.entries()) elementProblems(problems, e, `${at}/elements/${i}`);
    }
  }
}

/** Characters of every `text` string, as Slack sums them for its total limit. */
function textChars(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + textChars(v), 0);
  if (!value || typeof value !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value)) n += k === 'text' && typeof v === 'string' ? v.length : textChars(v);
  return n;
}

/** Why Slack would reject these blocks, or undefined when it would take them. */
export function blockKitRejection(
  blocks: unknown,
  surface: 'message' | 'view' = 'message',
): SlackRejection | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks))
    return { error: 'invalid_blocks_format', messages: ['[ERROR] must be an array [json-pointer:/blocks]'] };
  const problems: string[] = [];
  tooMany(problems, blocks, surface === 'view' ? 100 : 50, '/blocks');
  for (const [i, b] of blocks.entries()) blockProblems(problems, b, `/blocks/${i}`);
  if (problems.length > 0)
    return { error: surface === 'view' ? 'invalid_arguments' : 'invalid_blocks', messages: problems };
  if (surface === 'message' && textChars(blocks) > 12_000) return { error: 'msg_blocks_too_long', messages: [] };
  return undefined;
}

const messageMethods = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'chat.scheduleMessage']);
const viewMethods = new Set(['views.publish', 'views.open', 'views.update', 'views.push']);

function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Why Slack would reject this Web API call's payload, or undefined. */
export function payloadRejection(method: string, args: Record<string, unknown>): SlackRejection | undefined {
  if (messageMethods.has(method)) {
    if (typeof args.text === 'string' && args.text.length > 40_000) return { error: 'msg_too_long', messages: [] };
    return blockKitRejection(parsed(args.blocks), 'message');
  }
  if (viewMethods.has(method)) {
    const view = parsed(args.view) as Json | undefined;
    return blockKitRejection(view?.blocks ?? [], 'view');
  }
  return undefined;
}
