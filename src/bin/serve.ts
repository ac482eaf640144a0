import { commands } from '../../commands/index.js';
import digest from '../../jobs/digest.js';
import { loadConfig, readEnv } from '../config.js';
import type { CliContext } from '../cli/program.js';
import { startRuntime, type Mode } from '../runtime.js';

/** `harbor-pilot start|bot|worker`: runs until SIGTERM/SIGINT, then shuts down gracefully. */
export async function serve(
  mode: Mode,
  configPath: string | undefined,
  ctx: Pick<CliContext, 'env' | 'log' | 'registry'>,
): Promise<number> {
  const { log, registry } = ctx;
  const env = readEnv(ctx.env);
  const config = loadConfig({ env: ctx.env, path: configPath });
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
