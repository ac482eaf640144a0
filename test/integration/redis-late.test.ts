import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, memoryLogger, startRedisServer, waitUntil } from '../support/helpers.js';

// Kubernetes may start the bot before its Redis: it must stay alive (or the liveness probe restarts
// it in a loop), say it is not ready and why, and become ready by itself once Redis answers.
const dir = mkdtempSync(join(tmpdir(), 'hp-redis-late-'));
let redisProc: ChildProcess | undefined;
let runtime: Runtime | undefined;
let slack: SlackSim | undefined;

afterAll(async () => {
  await runtime?.close();
  await slack?.close();
  redisProc?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('a bot started before Redis is up', () => {
  it('is alive but not ready, says why, and becomes ready once Redis answers', async () => {
    slack = await startSlackSim();
    const [redisPort, httpPort, opsPort] = [await freePort(), await freePort(), await freePort()];
    const env = readEnv({
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SLACK_BOT_TOKEN: 'xoxb-late',
      SLACK_SIGNING_SECRET: 'late',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(httpPort),
      OPS_PORT: String(opsPort),
      HARBOR_PILOT_QUEUE_PREFIX: 'hp-late',
    });
    const { log, lines } = memoryLogger('warn');
    const config = parseConfig('harbors:\n  - name: prod\n    url: http://127.0.0.1:9\n', {});
    const starting = startRuntime({
      mode: 'start',
      config,
      env,
      registry: createRegistry([harborHealth]),
      commands,
      log,
    });
    const ops = (path: string) =>
      fetch(`http://127.0.0.1:${opsPort}${path}`, { signal: AbortSignal.timeout(2000) }).then(
        async (r) => `${r.status} ${(await r.text()).trim()}`,
      );

    expect(await waitUntil('/healthz', () => ops('/healthz').catch(() => undefined))).toBe('200 ok');
    expect(await ops('/readyz')).toMatch(/^503 not ready: redis \(connection [a-z]+\), slack$/);
    const metrics = await ops('/metrics');
    expect(metrics).toContain('harbor_pilot_redis_up 0');
    expect(metrics).not.toContain('harbor_pilot_queue_depth{');
    expect(lines.join('')).toContain('redis connection error');

    redisProc = await startRedisServer(redisPort, dir);
    runtime = await starting;
    await waitUntil('ready', async () => (await ops('/readyz')) === '200 ready');
    expect(await ops('/metrics')).toContain('harbor_pilot_redis_up 1');
  });
});
