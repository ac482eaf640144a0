import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { loadConfig } from '../config.js';
import { ConfigError, UserInputError } from '../errors.js';
import { anyAtOrAbove, severitySchema } from '../findings/finding.js';
import type { FetchLike } from '../http.js';
import type { Logger } from '../log.js';
import { createClientSet } from '../checks/clients.js';
import type { Registry } from '../checks/registry.js';
import { planChecks, runPlan } from '../checks/runner.js';
import { listTargets, parseTargetRef, type Target } from '../targets.js';
import { createProgressLine } from './progress-line.js';
import { formatReport } from './table.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  log: Logger;
  fetch?: FetchLike;
}

export const checkUsage =
  `usage: harbor-pilot check [CHECK_ID ...] [--config FILE] [--harbor NAME] [--cluster ` +
  `NAME] [--json] [--fail-on critical|warning|info]`;

/** Selects targets from --harbor/--cluster; none given means every configured target. */
export function selectTargets(config: Config, harbor?: string, cluster?: string): Target[] | undefined {
  const picked: Target[] = [];
  if (harbor) picked.push(parseTargetRef(config, `harbor/${harbor}`));
  if (cluster) picked.push(parseTargetRef(config, `cluster/${cluster}`));
  return picked.length > 0 ? picked : undefined;
}

/** `harbor-pilot check`: runs checks once, in-process; returns the exit status of CONTRACT.md. */
export async function runCheckCommand(argv: string[], registry: Registry, io: CliIo): Promise<number> {
  let config: Config;
  let values: { config?: string; harbor?: string; cluster?: string; json?: boolean; 'fail-on'?: string };
  let ids: string[];
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        harbor: { type: 'string' },
        cluster: { type: 'string' },
        json: { type: 'boolean' },
        'fail-on': { type: 'string' },
      },
    });
    values = parsed.values;
    ids = parsed.positionals;
  } catch (err) {
    io.stderr.write(`harbor-pilot check: ${(err as Error).message}\n${checkUsage}\n`);
    return 2;
  }
  const failOn = severitySchema.safeParse(values['fail-on'] ?? 'critical');
  if (!failOn.success) {
    io.stderr.write(
      `harbor-pilot check: --fail-on must be one of critical, warning, info (got "${values['fail-on']}")\n`,
    );
    return 2;
  }
  try {
    config = loadConfig({ env: io.env, path: values.config });
    const targets = selectTargets(config, values.harbor, values.cluster);
    const plan = planChecks(registry, config, { ids, targets }, listTargets(config));
    if (plan.length === 0) throw new UserInputError('nothing to check: configure at least one harbor or cluster');
    const clients = createClientSet(config, { log: io.log, fetch: io.fetch });
    const progress = createProgressLine(io.stderr);
    const report = await runPlan(plan, { config, clients, log: io.log }, undefined, progress?.update);
    progress?.clear();
    const { runs: _runs, ...doc } = report;
    io.stdout.write(values.json ? `${JSON.stringify(doc, null, 2)}\n` : formatReport(doc));
    return anyAtOrAbove(doc.findings, failOn.data) ? 1 : 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UserInputError) {
      io.stderr.write(`harbor-pilot check: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
