import { Option, type Command } from 'commander';
import { createClientSet } from '../checks/clients.js';
import type { Registry } from '../checks/registry.js';
import { planChecks, runPlan } from '../checks/runner.js';
import { type Config, loadConfig } from '../config.js';
import { UserInputError } from '../errors.js';
import { anyAtOrAbove, type Severity } from '../findings/finding.js';
import type { FetchLike } from '../http.js';
import type { Logger } from '../log.js';
import { listTargets, parseTargetRef, type Target } from '../targets.js';
import { formatReport } from './findings-view.js';
import { act, type CliContext, runProgram } from './program.js';
import { configOption, outputOption, quietLogger, resolveOutput, serialize, terminalWidth } from './options.js';
import { createProgressLine } from './progress-line.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  log: Logger;
  fetch?: FetchLike;
}

interface CheckOptions {
  config?: string;
  harbor?: string;
  cluster?: string;
  output: string;
  json?: boolean;
  details?: boolean;
  failOn: Severity;
}

/** Selects targets from --harbor/--cluster; none given means every configured target. */
export function selectTargets(config: Config, harbor?: string, cluster?: string): Target[] | undefined {
  const picked: Target[] = [];
  if (harbor) picked.push(parseTargetRef(config, `harbor/${harbor}`));
  if (cluster) picked.push(parseTargetRef(config, `cluster/${cluster}`));
  return picked.length > 0 ? picked : undefined;
}

async function check(ids: string[], o: CheckOptions, ctx: CliContext): Promise<number> {
  const output = resolveOutput(o.output, o.json, o.details);
  const config = loadConfig({ env: ctx.env, path: o.config });
  const plan = planChecks(
    ctx.registry,
    config,
    { ids, targets: selectTargets(config, o.harbor, o.cluster) },
    listTargets(config),
  );
  if (plan.length === 0) throw new UserInputError('nothing to check: configure at least one harbor or cluster');
  const log = quietLogger(ctx);
  const clients = createClientSet(config, { log, fetch: ctx.fetch });
  const progress = createProgressLine(ctx.stderr);
  const { runs: _runs, ...doc } = await runPlan(plan, { config, clients, log }, undefined, progress?.update);
  progress?.clear();
  const text =
    output === 'table' || output === 'wide'
      ? formatReport(doc, { width: terminalWidth(ctx), details: output === 'wide' })
      : serialize(doc, output);
  ctx.stdout.write(text);
  return anyAtOrAbove(doc.findings, o.failOn) ? 1 : 0;
}

/** `harbor-pilot check`: runs checks once, in-process; exit status as CONTRACT.md says. */
export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .summary('run checks once, here, with no Slack and no Redis')
    .description(
      'Runs checks once against the configured targets and prints the findings.\nExit 0 when no finding is at or ' +
        'above --fail-on, 1 when one is, 2 on bad usage or configuration.',
    )
    .argument('[CHECK_ID...]', 'checks to run (default: every check that applies)')
    .addOption(configOption())
    .option('--harbor <NAME>', 'only this Harbor')
    .option('--cluster <NAME>', 'only this cluster')
    .addOption(outputOption(['table', 'wide', 'json', 'yaml']))
    .option('--json', 'the findings document as JSON (same as -o json)')
    .option('--details', 'every evidence line (same as -o wide)')
    .addOption(
      new Option('--fail-on <SEVERITY>', 'exit 1 when a finding is at or above this')
        .choices(['critical', 'warning', 'info'])
        .default('critical'),
    )
    .action(act(ctx, 'check', (ids: string[], o: CheckOptions) => check(ids, o, ctx)));
}

/** Runs `harbor-pilot check ARGV…` (tests and callers that hold an argv). */
export function runCheckCommand(argv: string[], registry: Registry, io: CliIo): Promise<number> {
  return runProgram(['check', ...argv], { ...io, registry }, [registerCheck]);
}
