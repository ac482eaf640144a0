import { parseArgs } from 'node:util';
import type { Registry } from '../checks/registry.js';
import { ConfigError, UserInputError } from '../errors.js';
import { runDemo } from '../lab/demo.js';
import { createDrill, runDrill } from '../lab/drill.js';
import { describeLab, startLab } from '../lab/lab.js';
import type { Scenario } from '../lab/scenario-schema.js';
import { loadScenarios, pickScenarios } from '../lab/scenarios.js';
import { createLogger } from '../log.js';
import type { CliIo } from './check-command.js';

export const labUsage = `usage:
       harbor-pilot lab [--scenario NAME] [--port N] [--dir DIR]   serve one scenario until Ctrl-C
       harbor-pilot lab --demo                                        every check against every scenario
       harbor-pilot lab --drill [--scenarios A,B] [--interval SECONDS] incidents one after another, for training
       harbor-pilot lab --list                                        the scenarios
       (all take --scenarios-dir DIR; default: the repository's scenarios/)`;

export interface LabIo extends CliIo {
  /** How the user runs harbor-pilot, for the printed instructions. */
  cli?: string;
  /** Resolves when the lab should stop (default: SIGINT or SIGTERM). */
  stopped?: Promise<void>;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

const options = {
  scenario: { type: 'string' },
  scenarios: { type: 'string' },
  'scenarios-dir': { type: 'string' },
  port: { type: 'string' },
  dir: { type: 'string' },
  interval: { type: 'string' },
  demo: { type: 'boolean' },
  drill: { type: 'boolean' },
  list: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; strict: true }>>['values'];

/** The drill: starts healthy, breaks the chosen (default: fixable) scenarios one after another. */
async function drillMode(
  values: Values,
  all: Scenario[],
  registry: Registry,
  io: LabIo & { cli: string; port?: number },
): Promise<number> {
  const chosen = values.scenarios
    ? pickScenarios(
        all,
        values.scenarios
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
    : all.filter((s) => s.drill);
  const interval = Number(values.interval ?? 5);
  if (!(interval > 0)) throw new UserInputError(`--interval ${values.interval}: expected seconds > 0`);
  const [healthy] = pickScenarios(all, ['healthy']);
  const lab = await startLab({ scenario: healthy as Scenario, port: io.port, dir: values.dir });
  io.stdout.write(describeLab(lab, io.cli).replace(/Press Ctrl-C.*\n/, 'The drill starts now; Ctrl-C ends it.\n'));
  const stop = new AbortController();
  void (io.stopped ?? untilSignal()).then(() => stop.abort());
  const drill = createDrill({ lab, scenarios: chosen, registry, log: io.log, cli: io.cli });
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
  try {
    await runDrill(drill, {
      intervalMs: interval * 1000,
      sleep,
      print: (l) => io.stdout.write(`\n${l}\n`),
      signal: stop.signal,
    });
  } finally {
    await lab.close();
  }
  return drill.done ? 0 : 1;
}

/** `harbor-pilot lab`: the incident lab (serve, demo, drill, list). */
export async function runLabCommand(argv: string[], registry: Registry, io: LabIo): Promise<number> {
  let values: Values;
  try {
    values = parseArgs({ args: argv, options, strict: true }).values;
  } catch (err) {
    io.stderr.write(`harbor-pilot lab: ${(err as Error).message}\n${labUsage}\n`);
    return 2;
  }
  // Check timings and expected faults would drown the tables; LOG_LEVEL brings them back.
  const log = io.env.LOG_LEVEL ? io.log : createLogger({ level: 'error' });
  const cli = io.cli ?? 'harbor-pilot';
  try {
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65535))
      throw new UserInputError(`--port ${values.port}: expected a port number`);
    const all = loadScenarios(values['scenarios-dir']);
    if (values.list) {
      io.stdout.write(`${all.map((s) => `${s.name.padEnd(28)} ${s.mode.padEnd(8)} ${s.title}`).join('\n')}\n`);
      return 0;
    }
    if (values.demo) return (await runDemo({ scenarios: all, registry, log, out: io.stdout, port })).exitCode;
    if (values.drill) return await drillMode(values, all, registry, { ...io, log, cli, port });
    const [scenario] = pickScenarios(all, [values.scenario ?? 'healthy']);
    const lab = await startLab({ scenario: scenario as Scenario, port, dir: values.dir });
    io.stdout.write(describeLab(lab, cli));
    await (io.stopped ?? untilSignal());
    await lab.close();
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UserInputError) {
      io.stderr.write(`harbor-pilot lab: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
