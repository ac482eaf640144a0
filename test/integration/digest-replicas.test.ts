import { afterAll, describe, expect, inject, it } from 'vitest';
import { commands } from '../../commands/index.js';
import digest from '../../jobs/digest.js';
import { registry } from '../../jobs/index.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, memoryLogger, uniquePrefix } from '../support/helpers.js';

let slack: SlackSim;
const runtimes: Runtime[] = [];

afterAll(async () => {
  await runtimes[0]?.queues.scheduled.obliterate({ force: true });
  for (const r of runtimes) await r.close();
  await slack?.close();
});

/** A six-field (with seconds) cron pattern that fires once a day, `inMs` from now, in UTC. */
function onceSoon(inMs: number): { pattern: string; at: number } {
  const at = Math.ceil((Date.now() + inMs) / 1000) * 1000;
  const d = new Date(at);
  return { pattern: `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} * * *`, at };
}

describe('two replicas', () => {
  it('share one digest scheduler and post one digest when it fires', async () => {
    slack = await startSlackSim();
    const prefix = uniquePrefix('digest-replicas');
    const { pattern, at } = onceSoon(4000);
    const config = parseConfig(`digests:\n  - channel: C0DIGEST\n    cron: "${pattern}"\n    timezone: UTC\n`, {});
    const { log } = memoryLogger('warn');
    for (let i = 0; i < 2; i++) {
      const env = readEnv({
        REDIS_URL: inject('redisUrl'),
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: slack.apiUrl,
        PORT: String(await freePort()),
        HARBOR_PILOT_QUEUE_PREFIX: prefix,
      });
      runtimes.push(
        await startRuntime({ mode: 'start', config, env, registry, commands, log, scheduledJobs: [digest] }),
      );
    }
    const queue = runtimes[0]?.queues.scheduled;
    expect(await queue?.getJobSchedulersCount()).toBe(1);
    expect(Date.now()).toBeLessThan(at);

    await slack.waitFor('files.completeUploadExternal', 1, 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(slack.callsOf('files.completeUploadExternal')).toHaveLength(1);
    expect(slack.callsOf('files.completeUploadExternal')[0]?.args.channel_id).toBe('C0DIGEST');
    expect(slack.uploads).toHaveLength(1);
    const completed = await queue?.getCompleted();
    expect(completed?.map((j) => j.id)).toEqual([
      expect.stringMatching(new RegExp(`^repeat:digest-[0-9a-f]{12}:${at}$`)),
    ]);
    const [scheduler] = (await queue?.getJobSchedulers(0, -1)) ?? [];
    expect(scheduler?.next).toBe(at + 24 * 3600_000);
  });
});
