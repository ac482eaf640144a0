import { inject } from 'vitest';
import { commands } from '../../commands/index.js';
import type { Registry } from '../../src/checks/registry.js';
import { readEnv, type Config } from '../../src/config.js';
import { startRuntime, type Mode, type Runtime } from '../../src/runtime.js';
import { memoryLogger, uniquePrefix } from './helpers.js';

/**
 * `harbor-pilot start` (or `bot`, or `worker`) in this process, on the test Redis under the prefix
 * HARBOR_PILOT_QUEUE_PREFIX or one of its own, logging at debug level into memory (so tests can
 * assert that nothing secret is logged even then).
 */
export async function startBot(o: {
  name: string;
  config: Config;
  registry: Registry;
  env: Record<string, string>;
  mode?: Mode;
}): Promise<{ runtime: Runtime; logs: string[] }> {
  const env = readEnv({
    REDIS_URL: inject('redisUrl'),
    HARBOR_PILOT_QUEUE_PREFIX: uniquePrefix(o.name),
    // Socket Mode listens on PORT too (the alert hooks): any free port unless the test picks one.
    PORT: '0',
    ...o.env,
  });
  const { log, lines } = memoryLogger('debug');
  const runtime = await startRuntime({
    mode: o.mode ?? 'start',
    config: o.config,
    env,
    registry: o.registry,
    commands,
    log,
  });
  return { runtime, logs: lines };
}
