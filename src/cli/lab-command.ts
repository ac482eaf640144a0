import { InvalidArgumentError, Option, type Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { fireWhenReady, naturalAlerts } from '../alerts/lab-alerts.js';
import type { Registry } from '../checks/registry.js';
import { runDemo } from '../lab/demo.js';
import { createDrill, runDrill } from '../lab/drill.js';
import { describeLab, type Lab, startLab } from '../lab/lab.js';
import type { Scenario } from '../lab/scenario-schema.js';
import { loadScenarios, pickScenarios } from '../lab/scenarios.js';
import { createLogger } from '../log.js';
import type { CliIo } from './check-command.js';
import { act, type CliContext, runProgram } from './program.js';

export interface LabIo extends CliIo {
  /** How the user runs harbor-pilot, for the printed instructions. */
  cli?: string;
  /** Resolves when the lab should stop (default: SIGINT or SIGTERM). */
  stopped?: Promise<void>;
}

interface LabOptions {
  scenario: string;
  scenarios?: string;
  scenariosDir?: string;
  port?: number;
  dir?: string;
  interval: number;
  demo?: boolean;
  drill?: boolean;
  list?: boolean;
  realRegistry?: boolean;
  alerts?: boolean;
  bot: string;
  alertChannel: string;
}

type LabContext = CliContext & LabIo & { cli: string; port?: number };

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** The drill: starts healthy, breaks the chosen (default: fixable) scenarios one after another. */
async function drillMode(o: LabOptions, all: Scenario[], ctx: LabContext): Promise<number> {
  const names = o.scenarios
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chosen = names ? pickScenarios(all, names) : all.filter((s) => s.drill);
  const [healthy] = pickScenarios(all, ['healthy']);
  const lab = await startLab({ scenario: healthy as Scenario, port: ctx.port, dir: o.dir });
  ctx.stdout.write(describeLab(lab, ctx.cli).replace(/Press Ctrl-C.*\n/, 'The drill starts now; Ctrl-C ends it.\n'));
  const stop = new AbortController();
  void (ctx.stopped ?? untilSignal()).then(() => stop.abort());
  const drill = createDrill({ lab, scenarios: chosen, registry: ctx.registry, log: ctx.log, cli: ctx.cli });
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
  const print = (l: string) => ctx.stdout.write(`\n${l}\n`);
  try {
    await runDrill(drill, { intervalMs: o.interval * 1000, sleep, print, signal: stop.signal });
  } finally {
    await lab.close();
  }
  return drill.done ? 0 : 1;
}

async function lab(o: LabOptions, base: CliContext & LabIo): Promise<number> {
  // Check timings and expected faults would drown the tables; LOG_LEVEL brings them back.
  const log = base.env.LOG_LEVEL ? base.log : createLogger({ level: 'error' });
  const ctx: LabContext = { ...base, log, cli: base.cli ?? 'npx harbor-pilot', port: o.port };
  const all = loadScenarios(o.scenariosDir);
  if (o.list) {
    ctx.stdout.write(`${all.map((s) => `${s.name.padEnd(28)} ${s.mode.padEnd(8)} ${s.title}`).join('\n')}\n`);
    return 0;
  }
  if (o.demo)
    return (await runDemo({ scenarios: all, registry: ctx.registry, log, out: ctx.stdout, port: o.port })).exitCode;
  if (o.drill) return await drillMode(o, all, ctx);
  const [scenario] = pickScenarios(all, [o.scenario]);
  const served = await startLab({
    scenario: scenario as Scenario,
    port: o.port,
    dir: o.dir,
    realRegistry: o.realRegistry,
  });
  const stopped = ctx.stopped ?? untilSignal();
  if (o.alerts) appendFileSync(served.configPath, `alerts:\n  channel: ${JSON.stringify(o.alertChannel)}\n`);
  ctx.stdout.write(describeLab(served, ctx.cli));
  if (o.alerts) await fireLabAlerts(served, o, ctx, stopped);
  await stopped;
  await served.close();
  return 0;
}

/** `--alerts`: the scenario's natural alerts, fired at the bot once it runs against this lab. */
async function fireLabAlerts(served: Lab, o: LabOptions, ctx: LabContext, stopped: Promise<void>): Promise<void> {
  const token = ctx.env.HARBOR_PILOT_HOOK_TOKEN || randomBytes(16).toString('hex');
  const tokenHint = ctx.env.HARBOR_PILOT_HOOK_TOKEN
    ? 'HARBOR_PILOT_HOOK_TOKEN from this shell'
    : `HARBOR_PILOT_HOOK_TOKEN=${token}`;
  ctx.stdout.write(
    `Alerts: start the bot with ${tokenHint} and PORT=${new URL(o.bot).port || 80}; incident threads open in ` +
      `${o.alertChannel}.\n`,
  );
  const pods = served.kube.state.objects.filter((x) => x.kind === 'Pod');
  const notifications = naturalAlerts(served.world, pods, 'lab');
  const print = (l: string) => ctx.stdout.write(`${l}\n`);
  await fireWhenReady({ bot: o.bot, token, notifications, print, stopped });
}

/** A number option's parser: commander names the option and the value when it throws. */
function numberWhere(ok: (n: number) => boolean, expected: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!ok(n)) throw new InvalidArgumentError(`expected ${expected}`);
    return n;
  };
}

/** `harbor-pilot lab`: the incident lab (serve one scenario, demo, drill, list). */
export function registerLab(program: Command, ctx: CliContext & LabIo): void {
  const modes = ['demo', 'drill', 'list'];
  const port = numberWhere((n) => Number.isInteger(n) && n > 0 && n < 65535, 'a port number');
  const interval = numberWhere((n) => n > 0, 'seconds > 0');
  program
    .command('lab')
    .summary('the incident lab: simulated Harbor and Kubernetes on 127.0.0.1')
    .description(
      'Serves an incident scenario from a simulated Harbor and Kubernetes API until Ctrl-C, and prints how\nto ' +
        'point check, preflight, kubectl or Slack at it. Its temp directory is removed on exit (not --dir).',
    )
    .option('--scenario <NAME>', 'the scenario to serve (see --list)', 'healthy')
    .option('--port <N>', 'Harbor on N, the Kubernetes API on N+1 (default: free ports)', port)
    .option('--dir <DIR>', 'write the config and kubeconfig here, and keep them (default: a temp directory)')
    .addOption(
      new Option('--demo', 'run every check against every scenario, print the findings').conflicts(
        modes.filter((m) => m !== 'demo'),
      ),
    )
    .addOption(new Option('--drill', 'training: incidents one after another').conflicts(['list']))
    .option('--scenarios <A,B>', "the drill's scenarios (default: those fixable in the lab)")
    .option('--interval <SECONDS>', "the drill's pause between incidents", interval, 5)
    .option('--list', 'list the scenarios')
    .addOption(
      new Option(
        '--real-registry',
        "serve /v2/ from a real docker-registry (apt-get install -y docker-registry) holding the scenario's " +
          'artifacts, its storage broken the same way: the storage-loss scenarios as production shows them',
      ).conflicts(modes),
    )
    .addOption(new Option('--alerts', "also fire the scenario's natural alerts at a running bot").conflicts(modes))
    .option('--bot <URL>', 'where --alerts finds the bot', 'http://127.0.0.1:3000')
    .option('--alert-channel <CHANNEL>', "the lab configuration's alerts.channel (with --alerts)", '#harbor-lab')
    .option('--scenarios-dir <DIR>', "where the scenarios are (default: the repository's scenarios/)")
    .action(act(ctx, 'lab', (o: LabOptions) => lab(o, ctx)));
}

/** Runs `harbor-pilot lab ARGV…`. */
export function runLabCommand(argv: string[], registry: Registry, io: LabIo): Promise<number> {
  return runProgram(['lab', ...argv], { ...io, registry }, [registerLab]);
}
