import { parseArgs } from 'node:util';
import { createClientSet } from '../checks/clients.js';
import { loadConfig, type Config } from '../config.js';
import { ConfigError, UserInputError } from '../errors.js';
import { formatPreflight, runPreflight } from '../preflight/run-preflight.js';
import type { CliIo } from './check-command.js';

export const preflightUsage =
  'usage: harbor-pilot preflight --to VERSION [--harbor NAME] [--cluster NAME] [--config FILE] [--json]';

/** The only configured name, when --NAME is not given. */
function only(kind: 'harbor' | 'cluster', names: string[], given?: string): string {
  if (given) return given;
  if (names.length === 1) return names[0] as string;
  throw new UserInputError(`--${kind} NAME is required (configured: ${names.join(', ') || 'none'})`);
}

/**
 * `harbor-pilot preflight`: the gates before an upgrade, one line each (or the findings JSON).
 * Exit 0 when every gate passes, 1 when one fails, 2 on bad usage or configuration.
 */
export async function runPreflightCommand(argv: string[], io: CliIo): Promise<number> {
  let values: { config?: string; harbor?: string; cluster?: string; to?: string; json?: boolean };
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        config: { type: 'string' },
        harbor: { type: 'string' },
        cluster: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    io.stderr.write(`harbor-pilot preflight: ${(err as Error).message}\n${preflightUsage}\n`);
    return 2;
  }
  try {
    if (!values.to) throw new UserInputError(`--to VERSION is required\n${preflightUsage}`);
    const config: Config = loadConfig({ env: io.env, path: values.config });
    const harbor = only(
      'harbor',
      config.harbors.map((h) => h.name),
      values.harbor,
    );
    const cluster = only(
      'cluster',
      config.clusters.map((c) => c.name),
      values.cluster,
    );
    const clients = createClientSet(config, { log: io.log, fetch: io.fetch });
    const result = await runPreflight({ config, clients, log: io.log }, { harbor, cluster, to: values.to });
    io.stdout.write(
      values.json
        ? `${JSON.stringify(result.report, null, 2)}\n`
        : formatPreflight(result, { harbor, cluster, to: values.to }),
    );
    return result.gates.every((g) => g.pass) ? 0 : 1;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UserInputError) {
      io.stderr.write(`harbor-pilot preflight: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
