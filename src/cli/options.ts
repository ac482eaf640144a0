import { Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import type { Logger } from '../log.js';
import type { CliContext } from './program.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

export const configOption = () => new Option('--config <FILE>', 'configuration file (default: $HARBOR_PILOT_CONFIG)');

export function outputOption(formats: readonly OutputFormat[]): Option {
  return new Option('-o, --output <FORMAT>', 'output format').choices(formats).default('table');
}

/** `--json` and `--details` are older spellings of `-o json` and `-o wide`. */
export function resolveOutput(output: string, json?: boolean, details?: boolean): OutputFormat {
  if (json) return 'json';
  if (details && output === 'table') return 'wide';
  return output as OutputFormat;
}

/** A document as JSON or YAML, ending in a newline. */
export function serialize(doc: unknown, format: 'json' | 'yaml' | OutputFormat): string {
  return format === 'yaml' ? toYaml(doc, { lineWidth: 0 }) : `${JSON.stringify(doc, null, 2)}\n`;
}

const isTerminal = (s: NodeJS.WritableStream) => (s as { isTTY?: boolean }).isTTY === true;

/** Columns to wrap at: the terminal's, else $COLUMNS, else 100. */
export function terminalWidth(ctx: Pick<CliContext, 'stdout' | 'env'>): number {
  return (ctx.stdout as { columns?: number }).columns || Number(ctx.env.COLUMNS) || 100;
}

/**
 * The logger of a one-shot command: when stdout is a terminal, only warnings and errors reach stderr
 * (the report says the rest), unless LOG_LEVEL asks for more.
 */
export function quietLogger(ctx: Pick<CliContext, 'stdout' | 'env' | 'log'>): Logger {
  return ctx.env.LOG_LEVEL || !isTerminal(ctx.stdout) ? ctx.log : ctx.log.child({}, { level: 'warn' });
}
