#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registry } from '../../jobs/index.js';
import { registerAlerts } from '../cli/alerts-command.js';
import { registerAudit } from '../cli/audit-command.js';
import { registerCheck } from '../cli/check-command.js';
import { registerCompletion } from '../cli/completion-command.js';
import { registerLab } from '../cli/lab-command.js';
import { registerPreflight } from '../cli/preflight-command.js';
import { runProgram, type Subcommand } from '../cli/program.js';
import { serveCommand } from '../cli/serve-command.js';
import { createLogger, isLogLevel } from '../log.js';

/**
 * Every sub-command, in the order `harbor-pilot --help` lists them. A new sub-command is a
 * `registerX(program, ctx)` function in src/cli/ added to this list: nothing else registers one.
 */
export const subcommands: readonly Subcommand[] = [
  serveCommand('start'),
  serveCommand('bot'),
  serveCommand('worker'),
  registerCheck,
  registerPreflight,
  registerLab,
  registerAudit,
  registerAlerts,
  registerCompletion,
];

async function main(argv: string[]): Promise<number> {
  const level = process.env.LOG_LEVEL || 'info';
  if (!isLogLevel(level)) {
    process.stderr.write(
      `harbor-pilot: env LOG_LEVEL: "${level}" is not one of fatal, error, warn, info, debug, trace, silent\n`,
    );
    return 2;
  }
  const log = createLogger({ level });
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  try {
    return await runProgram(argv, { ...io, log, registry, cli: 'npx harbor-pilot' }, subcommands);
  } catch (err) {
    log.fatal({ err }, 'unexpected error');
    return 1;
  }
}

/** True when this file is the program node runs (not a module imported by the docs generator). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return !!entry && realpathSync(entry) === fileURLToPath(import.meta.url);
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`harbor-pilot: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
