#!/usr/bin/env node
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../cli/check-command.js';
import { runLabCommand } from '../cli/lab-command.js';
import { runPreflightCommand } from '../cli/preflight-command.js';
import { readEnv } from '../config.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';

const usage = `harbor-pilot: chat-ops incident response for Harbor and its Kubernetes clusters

usage:
  harbor-pilot start                 Slack bot and workers in one process
  harbor-pilot bot                   the Slack bot only (enqueues checks)
  harbor-pilot worker                the workers only (run checks and remediations)
  harbor-pilot check [CHECK_ID ...] [--config FILE] [--harbor NAME] [--cluster NAME] [--json]
                     [--fail-on critical|warning|info]
  harbor-pilot preflight --to VERSION [--harbor NAME] [--cluster NAME] [--config FILE] [--json]
                                     gates before an upgrade; exits 1 when one fails
  harbor-pilot lab [--scenario NAME] [--port N] [--dir DIR] | --demo | --drill | --list
                                     the incident lab: simulated Harbor and Kubernetes on 127.0.0.1
  harbor-pilot audit [--json] [--count N]   the newest audit entries (REDIS_URL)

Configuration: --config FILE or HARBOR_PILOT_CONFIG. See README.md.
`;

type Sub = (argv: string[]) => Promise<number>;

async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  let env: ReturnType<typeof readEnv>;
  try {
    env = readEnv(process.env);
  } catch (err) {
    process.stderr.write(`harbor-pilot: ${(err as Error).message}\n`);
    return 2;
  }
  const log = createLogger({ level: env.LOG_LEVEL });
  const subs: Record<string, Sub> = {
    check: (a) =>
      runCheckCommand(a, registry, { stdout: process.stdout, stderr: process.stderr, env: process.env, log }),
    preflight: (a) => runPreflightCommand(a, { stdout: process.stdout, stderr: process.stderr, env: process.env, log }),
    lab: (a) =>
      runLabCommand(a, registry, {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
        log,
        cli: process.argv[1]?.endsWith('.ts') ? 'npx tsx src/bin/harbor-pilot.ts' : 'harbor-pilot',
      }),
    start: async (a) => (await import('./serve.js')).serve('start', a, env, log),
    bot: async (a) => (await import('./serve.js')).serve('bot', a, env, log),
    worker: async (a) => (await import('./serve.js')).serve('worker', a, env, log),
    audit: async (a) =>
      (await import('../cli/audit-command.js')).runAuditCommand(a, {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
      }),
  };
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(usage);
    return sub ? 0 : 2;
  }
  const run = subs[sub];
  if (!run) {
    process.stderr.write(`harbor-pilot: unknown command "${sub}"; valid: ${Object.keys(subs).join(', ')}\n\n${usage}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`harbor-pilot ${sub}: ${err.message}\n`);
      return 2;
    }
    log.fatal({ err }, 'unexpected error');
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`harbor-pilot: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  },
);
