import { Command, CommanderError } from 'commander';
import type { Registry } from '../checks/registry.js';
import { ConfigError, UserInputError } from '../errors.js';
import type { FetchLike } from '../http.js';
import type { Logger } from '../log.js';
import { packageVersion } from '../version.js';

/** What a sub-command gets: its streams, the environment, a logger and the check registry. */
export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  log: Logger;
  registry: Registry;
  /** How the user runs harbor-pilot, for printed instructions (`npx harbor-pilot`). */
  cli?: string;
  fetch?: FetchLike;
  /** The exit status the sub-command's action set. */
  exitCode?: number;
}

/** Registers one sub-command on the program: `program.command('name')…action(act(ctx, fn))`. */
export type Subcommand = (program: Command, ctx: CliContext) => void;

/** Help lines are wrapped to this width when stdout is not a terminal (and in the README). */
export const helpWidth = 100;

/**
 * Wraps a sub-command's action: its result becomes the exit status, and bad input or configuration
 * (UserInputError, ConfigError) is printed as `harbor-pilot NAME: message` with exit status 2.
 */
export function act<A extends unknown[]>(ctx: CliContext, name: string, fn: (...args: A) => Promise<number>) {
  return async (...args: A): Promise<void> => {
    try {
      ctx.exitCode = await fn(...args);
    } catch (err) {
      if (!(err instanceof ConfigError || err instanceof UserInputError)) throw err;
      ctx.stderr.write(`harbor-pilot ${name}: ${err.message}\n`);
      ctx.exitCode = 2;
    }
  };
}

/** The program with every sub-command registered; output goes to ctx's streams, nothing exits. */
export function createProgram(ctx: CliContext, subcommands: readonly Subcommand[]): Command {
  const columns = (ctx.stdout as { columns?: number }).columns;
  const program = new Command('harbor-pilot')
    .description('Chat-ops incident response for Harbor and the Kubernetes clusters it runs on.')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .helpCommand('help [command]', 'print the help of a command')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      getOutHelpWidth: () => columns ?? helpWidth,
      getErrHelpWidth: () => helpWidth,
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      '\nConfiguration: --config FILE or HARBOR_PILOT_CONFIG. Exit status 2 means bad usage or configuration.',
    );
  for (const register of subcommands) register(program, ctx);
  return program;
}

/**
 * Parses `argv` (without node and script) and runs the sub-command. Returns the exit status:
 * 0 for --help and --version, 2 for bad usage (the message names the option), else the action's.
 */
export async function runProgram(argv: string[], ctx: CliContext, subcommands: readonly Subcommand[]): Promise<number> {
  const program = createProgram(ctx, subcommands);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode ?? 0;
  } catch (err) {
    // Help and version exit 0; every usage error (unknown option or command, bad value) exits 2.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
}
