import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import digest from '../../jobs/digest.js';
import { registry } from '../../jobs/index.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { startRuntime } from '../../src/runtime.js';
import { syncSchedules } from '../../src/schedules.js';
import { memoryLogger, uniquePrefix } from '../support/helpers.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
const { log } = memoryLogger('warn');
let prefix: string;
let queue: Queue;

async function dropQueue(): Promise<void> {
  await queue?.obliterate({ force: true });
  await queue?.close();
}

beforeEach(async () => {
  await dropQueue();
  prefix = uniquePrefix('schedules');
  queue = new Queue('scheduled', { connection: redis, prefix });
});
afterAll(async () => {
  await dropQueue();
  await redis.quit();
});

const configA = parseConfig(
  `slack:\n  alertChannel: C0ALERTS\ndigests:\n  - channel: C0DIGEST\n    cron: "0 9 * * 1-5"\n    timezone: Europe/Berlin\nwatches:\n  - cron: "*/5 * * * *"\n    checks: [harbor-health]\n`,
  {},
);
const configB = parseConfig(
  `digests:\n  - channel: C0DIGEST\n    cron: "30 8 * * *"\n    timezone: America/New_York\n    targets: [harbor/prod]\n`,
  {},
);

function berlin(ms: number) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Berlin',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

describe('job schedulers from the configuration', () => {
  it('creates one scheduler per digest and watch, the digest next firing at 09:00 on a weekday in Berlin', async () => {
    const { upserted } = await syncSchedules(queue, configA, log, ['watch', 'digest']);
    expect(upserted).toHaveLength(2);
    const [digestId, watchId] = upserted as [string, string];
    expect(digestId).toMatch(/^digest-[0-9a-f]{12}$/);
    const s = await queue.getJobScheduler(digestId);
    expect(s).toMatchObject({
      name: 'digest',
      pattern: '0 9 * * 1-5',
      tz: 'Europe/Berlin',
      template: { data: { channel: 'C0DIGEST', timezone: 'Europe/Berlin' } },
    });
    const next = s?.next as number;
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(3 * 24 * 3600_000 + 3600_000);
    expect(berlin(next)).toMatchObject({ hour: '09', minute: '00' });
    expect(['Sat', 'Sun']).not.toContain(berlin(next).weekday);
    expect(await queue.getJobScheduler(watchId)).toMatchObject({
      name: 'watch',
      pattern: '*/5 * * * *',
      template: { data: { channel: 'C0ALERTS', checks: ['harbor-health'] } },
    });

    // A second replica syncing the same configuration changes nothing.
    await syncSchedules(queue, configA, log, ['watch', 'digest']);
    expect(await queue.getJobSchedulersCount()).toBe(2);
    expect(await queue.getDelayedCount()).toBe(2);
  });

  it('applies a changed configuration at restart: the stale schedulers and their next jobs are gone', async () => {
    await queue.upsertJobScheduler('someone-elses', { every: 3600_000 }, { name: 'other' });
    const env = readEnv({
      REDIS_URL: inject('redisUrl'),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      HARBOR_PILOT_QUEUE_PREFIX: prefix,
    });
    const first = await startRuntime({
      mode: 'worker',
      config: configA,
      env,
      registry,
      commands: [],
      log,
      scheduledJobs: [digest],
    });
    await first.close();
    const before = (await queue.getJobSchedulers(0, -1)).map((s) => s.key);
    expect(before).toHaveLength(3);

    const second = await startRuntime({
      mode: 'worker',
      config: configB,
      env,
      registry,
      commands: [],
      log,
      scheduledJobs: [digest],
    });
    await second.close();
    const after = await queue.getJobSchedulers(0, -1);
    expect(after.map((s) => s.key).sort()).toEqual([expect.stringMatching(/^digest-/), 'someone-elses'].sort());
    const current = after.find((s) => s.key.startsWith('digest-'));
    expect(current).toMatchObject({
      pattern: '30 8 * * *',
      tz: 'America/New_York',
      template: { data: { targets: ['harbor/prod'] } },
    });
    expect(before).not.toContain(current?.key);
    const ours = (await queue.getDelayed()).filter((j) => j.name !== 'other');
    expect(ours.map((j) => j.id)).toEqual([expect.stringContaining(`repeat:${current?.key}:`)]);
  });

  it('refuses a bad timezone, a bad cron, a watch with nowhere to post and a job this build cannot run', async () => {
    const bad = (yaml: string) => syncSchedules(queue, parseConfig(yaml, {}), log, ['watch', 'digest']);
    // A bad time zone or cron pattern is refused when the configuration loads, before any scheduler.
    expect(() =>
      parseConfig('digests:\n  - channel: C1\n    cron: "0 9 * * *"\n    timezone: Mars/Olympus\n', {}),
    ).toThrow(/digests\[0\]\.timezone: "Mars\/Olympus" is not a known time zone/);
    expect(() => parseConfig('digests:\n  - channel: C1\n    cron: "0 25 * * *"\n', {})).toThrow(
      /digests\[0\]\.cron: "0 25 \* \* \*" is not a valid cron expression/,
    );
    await expect(bad('watches:\n  - cron: "*/5 * * * *"\n')).rejects.toThrow(
      /watches\[0\]\.channel: not set, and slack\.alertChannel is not set either/,
    );
    const noDigestJob = syncSchedules(queue, configA, log, ['watch']);
    await expect(noDigestJob).rejects.toBeInstanceOf(ConfigError);
    await expect(noDigestJob).rejects.toThrow(/digests\[0\]: this build has no "digest" job/);
  });
});
