import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { registry } from '../../jobs/index.js';
import { createClientSet } from '../../src/checks/clients.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createFindingServices, type FindingServices } from '../../src/findings/services.js';
import type { SlackThread } from '../../src/slack/slack-thread.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { rootMessage, type RootStatus } from '../../src/diagnosis/root-message.js';
import { createSlackDoor } from '../../src/slack/slack-door.js';
import { processCheckJob } from '../../src/diagnosis/check-job.js';
import { createPublisher } from '../../src/diagnosis/publisher.js';
import type { ScheduledContext } from '../../src/worker/scheduled-worker.js';
import { memoryLogger, uniquePrefix } from './helpers.js';

/** A clock tests set and move; nothing sleeps. */
export function testClock(start: string) {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set(iso: string) {
      t = Date.parse(iso);
    },
    advance(ms: number) {
      t += ms;
    },
  };
}

export interface FindingsHarness {
  harbor: HarborSim;
  slack: SlackSim;
  redis: Redis;
  prefix: string;
  config: Config;
  clock: ReturnType<typeof testClock>;
  findings: FindingServices;
  ctx: ScheduledContext;
  /** What the context's logger wrote (warn and above). */
  logs: string[];
  /** Makes exactly these Harbor components unhealthy (none: all healthy). */
  unhealthy(...names: string[]): void;
  /** Runs harbor-health on harbor/prod as a check job posting in `thread`. */
  runIn(thread: SlackThread): ReturnType<typeof processCheckJob>;
  /** Top-level posts and replies of a thread, as the Slack sim received them. */
  postsIn(thread: SlackThread): string[];
  /** Posts a diagnosis' root message, as the `open` job does; returns its thread. */
  postRoot(channel: string, status: RootStatus): Promise<SlackThread>;
  close(): Promise<void>;
}

/** A real Redis, a simulated Harbor and Slack, the real store, silences and publisher, one clock. */
export async function startFindingsHarness(
  name: string,
  options: { start?: string; extra?: string } = {},
): Promise<FindingsHarness> {
  const harbor = await startHarborSim();
  const slack = await startSlackSim();
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  const prefix = uniquePrefix(name);
  const clock = testClock(options.start ?? '2026-11-23T09:12:00Z');
  const config = parseConfig(
    `harbors:\n  - name: prod\n    url: ${harbor.url}\n    username: robot$pilot\n    password: pilot-secret\n    timeoutMs: 2000\n${options.extra ?? ''}`,
    {},
  );
  const { log, lines } = memoryLogger('warn');
  const door = createSlackDoor({ token: 'xoxb-test', apiUrl: slack.apiUrl, retries: 0 });
  const findings = createFindingServices(redis, prefix, clock.now);
  const publisher = createPublisher({
    store: findings.store,
    silences: findings.silences,
    slack: door,
    log,
    now: clock.now,
  });
  const clients = createClientSet(config, { log });
  const ctx: ScheduledContext = {
    config,
    registry,
    clients,
    slack: door,
    log,
    now: clock.now,
    findings,
    publisher,
  };
  return {
    harbor,
    slack,
    redis,
    prefix,
    config,
    clock,
    findings,
    ctx,
    logs: lines,
    unhealthy(...names) {
      harbor.state.health = {
        status: names.length > 0 ? 'unhealthy' : 'healthy',
        components: ['core', 'database', 'registry', 'trivy', 'jobservice'].map((n) => ({
          name: n,
          status: names.includes(n) ? 'unhealthy' : 'healthy',
        })),
      };
    },
    runIn(thread) {
      return processCheckJob(
        { runId: 'run1', checkId: 'harbor-health', target: 'harbor/prod', params: {}, slack: thread },
        ctx,
      );
    },
    async postRoot(channel, status) {
      return { channel, threadTs: await door.post(channel, rootMessage(status)) };
    },
    postsIn(thread) {
      return slack
        .callsOf('chat.postMessage')
        .filter((c) => c.args.channel === thread.channel && c.args.thread_ts === thread.threadTs)
        .map((c) => String(c.args.text));
    },
    async close() {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await Promise.all([harbor.close(), slack.close()]);
    },
  };
}
