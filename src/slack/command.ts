import type { RedisClient } from '../redis/connection.js';
import type { Registry } from '../checks/registry.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Queues } from '../queues.js';
import type { MessageBody } from './messages.js';
import { stripInvisible } from './mrkdwn.js';

/** Everything a slash subcommand may use. Slow work goes to a queue after `ack`. */
export interface CommandContext {
  /** Words after the subcommand, as typed. */
  args: string[];
  user: string;
  channel: string;
  config: Config;
  registry: Registry;
  queues: Queues;
  /** The bot's Redis connection and key prefix (findings store, silences, audit trail). */
  redis: RedisClient;
  prefix: string;
  /** Sub-commands listed by `help`. */
  commands: readonly CommandDefinition[];
  log: Logger;
  now(): Date;
  /** Acknowledge within Slack's 3 s; the body, if any, is shown to the caller only. */
  ack(body?: MessageBody | string): Promise<void>;
  /** An ephemeral answer after the ack. */
  respond(body: MessageBody | string): Promise<void>;
}

export interface CommandDefinition {
  name: string;
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<void>;
}

export function defineCommand(def: CommandDefinition): CommandDefinition {
  return Object.freeze(def);
}

/** The longest command text read: longer text is refused before any parsing. */
export const maxCommandTextLength = 4000;

/**
 * Splits a slash command's text into words, in one pass over the text. Slack sends `<`, `>` and
 * `&` escaped and links or mentions as `<target|label>` or `<target>`; those are unwrapped to their
 * label (or target). Bidi and zero-width control characters are dropped: they can make a word read
 * as another when echoed.
 */
export function tokenize(text: string): string[] {
  return decodeEntities(unwrapLinks(stripInvisible(text)))
    .split(/\s+/)
    .filter(Boolean);
}

/** `<target|label>` → label, `<target>` → target; linear (every search starts past the last). */
function unwrapLinks(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const open = text.indexOf('<', at);
    const close = open < 0 ? -1 : text.indexOf('>', open + 1);
    if (close < 0) return out + text.slice(at);
    const inner = text.slice(open + 1, close);
    out += text.slice(at, open) + inner.slice(inner.indexOf('|') + 1);
    at = close + 1;
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** `key=value` words as params: numbers and booleans typed, the rest strings. */
export function parseParamWords(words: string[]): { params: Record<string, string | number | boolean>; bad: string[] } {
  const params: Record<string, string | number | boolean> = {};
  const bad: string[] = [];
  for (const w of words) {
    const m = /^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$/.exec(w);
    if (!m) {
      bad.push(w);
      continue;
    }
    const v = m[2] as string;
    params[m[1] as string] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
  }
  return { params, bad };
}
