import type { Command } from 'commander';
import { createClientSet } from '../checks/clients.js';
import { createRegistry } from '../checks/registry.js';
import { loadConfig } from '../config.js';
import { UserInputError } from '../errors.js';
import { runPreflight } from '../preflight/run-preflight.js';
import type { CliIo } from './check-command.js';
import { configOption, outputOption, quietLogger, resolveOutput, serialize, terminalWidth } from './options.js';
import { formatPreflight } from './preflight-view.js';
import { act, type CliContext, runProgram } from './program.js';

interface PreflightOptions {
  to: string;
  harbor?: string;
  cluster?: string;
  config?: string;
  output: string;
  json?: boolean;
}

/** The only configured name, when --NAME is not given. */
function only(kind: 'harbor' | 'cluster', names: string[], given?: string): string {
  if (given) return given;
  if (names.length === 1) return names[0] as string;
  throw new UserInputError(`--${kind} NAME is required (configured: ${names.join(', ') || 'none'})`);
}

async function preflight(o: PreflightOptions, ctx: CliContext): Promise<number> {
  const output = resolveOutput(o.output, o.json);
  const config = loadConfig({ env: ctx.env, path: o.config });
  const harbor = only(
    'harbor',
    config.harbors.map((h) => h.name),
    o.harbor,
  );
  const cluster = only(
    'cluster',
    config.clusters.map((c) => c.name),
    o.cluster,
  );
  const log = quietLogger(ctx);
  const clients = createClientSet(config, { log, fetch: ctx.fetch });
  const result = await runPreflight({ config, clients, log }, { harbor, cluster, to: o.to });
  const request = { harbor, cluster, to: o.to };
  ctx.stdout.write(
    output === 'table' ? formatPreflight(result, request, terminalWidth(ctx)) : serialize(result.report, output),
  );
  return result.gates.every((g) => g.pass) ? 0 : 1;
}

/** `harbor-pilot preflight`: the gates before an upgrade. Exit 0 when all pass, 1 when one fails, 2 on bad usage. */
export function registerPreflight(program: Command, ctx: CliContext): void {
  program
    .command('preflight')
    .summary('the gates before an upgrade; exits 1 when one fails')
    .description(
      'Checks whether upgrading a Harbor to VERSION would break it; one PASS or FAIL line per gate.\nExit 0 when ' +
        'every gate passes, 1 when one fails, 2 on bad usage or configuration.',
    )
    .requiredOption('--to <VERSION>', 'the Harbor version of the upgrade, e.g. 2.11.0')
    .option('--harbor <NAME>', 'the Harbor (default: the only one configured)')
    .option('--cluster <NAME>', 'the cluster it runs on (default: the only one configured)')
    .addOption(configOption())
    .addOption(outputOption(['table', 'json', 'yaml']))
    .option('--json', 'the findings document as JSON (same as -o json)')
    .action(act(ctx, 'preflight', (o: PreflightOptions) => preflight(o, ctx)));
}

/** Runs `harbor-pilot preflight ARGV…`. */
export function runPreflightCommand(argv: string[], io: CliIo): Promise<number> {
  return runProgram(['preflight', ...argv], { ...io, registry: createRegistry([]) }, [registerPreflight]);
}
