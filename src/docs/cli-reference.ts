import { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Registry } from '../checks/registry.js';
import { createProgram, type Subcommand } from '../cli/program.js';
import { createLogger } from '../log.js';

/**
 * The README's command line reference: `harbor-pilot --help` and each sub-command's `--help`, exactly
 * as the program prints them (100 columns), so the README cannot drift from the definitions.
 */
export function cliReference(subcommands: readonly Subcommand[], registry: Registry): string {
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const ctx = { stdout: sink, stderr: sink, env: {}, log: createLogger({ level: 'silent' }), registry };
  const program = createProgram(ctx, subcommands);
  const block = (title: string, help: string) => ['```text', `$ ${title} --help`, help.trimEnd(), '```'].join('\n');
  const blocks: string[] = [];
  const walk = (cmd: Command, path: string) => {
    blocks.push(block(path, cmd.helpInformation()));
    for (const sub of cmd.commands) walk(sub, `${path} ${sub.name()}`);
  };
  walk(program, 'harbor-pilot');
  return blocks.join('\n\n');
}
