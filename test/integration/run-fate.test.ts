import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../commands/check.js';
import { commands } from '../../commands/index.js';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { abandonRun, claimRun } from '../../src/diagnosis/run-fate.js';
import { createQueues, type Queues } from '../../src/queues.js';
import { startRuntime } from '../../src/runtime.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import type { CommandContext } from '../../src/slack/command.js';
import { freePort, memoryLogger, startRedisServer, waitUntil } from '../support/helpers.js';

// Redis pauses after the front door let a command in: the enqueue does not answer in time, the
// requester hears "not queued", and when the job lands anyway a worker drops it instead of running
// a diagnosis nobody is waiting for. On a redis-server of its own, since the test pauses it.
const prefix = 'hp-fate';
const registry = createRegistry([harborHealth]);
const config = parseConfig('harbors:\n  - name: prod\n    url: http://127.0.0.1:9\n', {});
let dir: string;
let port: number;
let server: ChildProcess | undefined;
let redis: Redis;
let queues: Queues;
let slack: SlackSim;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hp-run-fate-'));
  port = await freePort();
  server = await startRedisServer(port, dir);
  redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null });
  queues = createQueues({ connection: redis, prefix });
  slack = await startSlackSim();
});
afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  server?.kill('SIGKILL');
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What `/harbor check` gets from the dispatcher, answers recorded instead of sent. */
function commandContext(answers: string[]): CommandContext {
  return {
    args: ['harbor-health', 'harbor/prod'],
    user: 'U0RESPONDER',
    channel: 'C0INCIDENT',
    config,
    registry,
    queues,
    redis,
    prefix,
    commands,
    web: {} as WebClient,
    log: memoryLogger('fatal').log,
    now: () => new Date(),
    ack: async (body) => void answers.push(String(typeof body === 'object' ? body.text : body)),
    respond: async (body) => void answers.push(String(typeof body === 'object' ? body.text : body)),
  };
}

describe('a command whose enqueue Redis does not confirm in time', () => {
  it('is answered "not queued" within Slack\'s 3 s, and its job never runs when it lands later', async () => {
    const admin = new Redis(port, '127.0.0.1');
    await admin.client('PAUSE', 3000);
    const answers: string[] = [];
    const started = performance.now();
    await check.run(commandContext(answers));
    expect(performance.now() - started).toBeLessThan(2500);
    expect(answers).toEqual([expect.stringContaining('Not queued')]);

    const runId = await waitUntil('the run abandoned', async () => {
      const [key] = await admin.keys(`${prefix}:run-fate:*`);
      return key && (await admin.get(key)) === 'abandoned' ? key.split(':').at(-1) : undefined;
    });
    expect((await queues.diagnoses.getJob(`open-${runId}`))?.name).toBe('open');

    const env = readEnv({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      SLACK_BOT_TOKEN: 'xoxb-fate',
      SLACK_API_URL: slack.apiUrl,
      HARBOR_PILOT_QUEUE_PREFIX: prefix,
    });
    const worker = await startRuntime({
      mode: 'worker',
      config,
      env,
      registry,
      commands,
      log: memoryLogger('fatal').log,
    });
    try {
      await waitUntil(
        'the job settled',
        async () => (await queues.diagnoses.getJobState(`open-${runId}`)) === 'completed',
      );
      expect((await queues.diagnoses.getJob(`open-${runId}`))?.returnvalue).toEqual({ abandoned: true });
      expect(slack.callsOf('chat.postMessage')).toEqual([]);
    } finally {
      await worker.close();
      admin.disconnect();
    }
  }, 30_000);

  it('tells whichever side comes second that it lost', async () => {
    expect(await claimRun(redis, prefix, 'run-first-claimed')).toBe(true);
    expect(await claimRun(redis, prefix, 'run-first-claimed')).toBe(true);
    expect(await abandonRun(redis, prefix, 'run-first-claimed')).toBe('started');
    expect(await abandonRun(redis, prefix, 'run-first-abandoned')).toBe('abandoned');
    expect(await claimRun(redis, prefix, 'run-first-abandoned')).toBe(false);
  });
});
