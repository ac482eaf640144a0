import { parseArgs } from 'node:util';
import { commands } from '../../commands/index.js';
import digest from '../../jobs/digest.js';
import { registry } from '../../jobs/index.js';
import { loadConfig, type Env } from '../config.js';
import type { Logger } from '../log.js';
import { startRuntime, type Mode } from '../runtime.js';

/** `harbor-pilot start|bot|worker`: runs until SIGTERM/SIGINT, then shuts down gracefully. */
export async function serve(mode: Mode, argv: string[], env: Env, log: Logger): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } }, strict: true });
  const config = loadConfig({ env: process.env, path: values.config });
  const runtime = await startRuntime({ mode, config, env, registry, commands, log, scheduledJobs: [digest] });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        log.error('shutdown took longer than 30 s; exiting');
        process.exit(1);
      }, 30_000);
      force.unref();
      runtime.close().then(resolve, (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
