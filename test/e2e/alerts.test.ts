import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab/lab.js';
import type { SlackSim } from '../../src/sim/slack-sim.js';
import { waitUntil } from '../support/helpers.js';
import {
  alertChannel,
  amNotification,
  hookToken,
  labAlertsConfig,
  postHook,
  scenario,
  startAlertBot,
  startLab,
  startSlackSim,
  type AlertBot,
} from './alerts-harness.js';

// The real bot in HTTP mode, on the test Redis, against the lab's simulated Harbor and cluster
// (a rollback below the database schema: core crash-loops) and a simulated Slack.
let slack: SlackSim;
let lab: Lab;
let bot: AlertBot;

const core = {
  alertname: 'KubePodCrashLooping',
  namespace: 'harbor',
  cluster: 'lab',
  container: 'core',
  reason: 'CrashLoopBackOff',
  severity: 'warning',
};
const roots = () =>
  slack.callsOf('chat.postMessage').filter((c) => c.args.channel === alertChannel && !c.args.thread_ts);
const inThread = (ts: unknown) => slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === ts);
const queued = async () => {
  const q = new Queue('alerts', { connection: bot.runtime.redis, prefix: bot.runtime.queues.checks.opts.prefix });
  const n = await q.count();
  await q.close();
  return n;
};
/** The ts of the incident root message whose text mentions `what`. */
const rootTsOf = (what: string) =>
  [...slack.state.messages.values()].find(
    (m) => m.channel === alertChannel && !m.thread_ts && String(m.text).includes(what),
  )?.ts;
/** Waits until no check or alert job is waiting, running or delayed, then for a note's window. */
const settle = async () => {
  const { checks, alerts } = bot.runtime.queues;
  const busy = async () => {
    const counts = await Promise.all(
      [checks, alerts].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
    );
    return counts.reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
  };
  await waitUntil('the queues idle', async () => (await busy()) === 0, 30_000);
  await new Promise((r) => setTimeout(r, 2500));
  await waitUntil('the queues idle', async () => (await busy()) === 0, 30_000);
};

beforeAll(async () => {
  slack = await startSlackSim();
  lab = await startLab({ scenario: scenario('downgrade') });
  const storm =
    '  routes:\n    - match: { alertname: HarborStormTest }\n      target: harbor/lab\n      checks: [harbor-health]\n';
  bot = await startAlertBot({ slack, config: labAlertsConfig(lab, storm) });
});

afterAll(async () => {
  await bot?.close();
  await Promise.all([slack?.close(), lab?.close()]);
});

describe('the alert hooks refuse what they must', () => {
  it('401 without or with a wrong bearer token, 413 over 1 MiB, 400 for bad bodies; nothing queued', async () => {
    const url = `${bot.url}/hooks/alertmanager`;
    const good = amNotification([{ ...core, pod: 'harbor-core-refused' }]);
    expect((await postHook(url, good, null)).status).toBe(401);
    expect((await postHook(url, good, 'Bearer wrong-token')).status).toBe(401);
    expect((await postHook(url, good, `Basic ${Buffer.from(`x:${hookToken}`).toString('base64')}`)).status).toBe(401);
    expect((await postHook(url, 'x'.repeat(1024 * 1024 + 10))).status).toBe(413);
    const notJson = await postHook(url, '{"version": "4",');
    expect(notJson).toEqual({ status: 400, text: 'body is not JSON' });
    const v3 = await postHook(url, { ...good, version: '3' });
    expect(v3.status).toBe(400);
    expect(v3.text).toMatch(/^version: /);
    const noAlerts = await postHook(`${bot.url}/hooks/harbor`, { type: 'REPLICATION' });
    expect(noAlerts.status).toBe(400);
    expect(await queued()).toBe(0);
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toMatch(/harbor_pilot_alerts_rejected_total\{source="alertmanager",reason="unauthorized"\} 3/);
    expect(bot.logs.join('')).not.toContain(hookToken);
  });
});

describe('a crash-loop alert', () => {
  let rootTs: unknown;

  it('opens one incident thread and ends with the cause in it', async () => {
    const res = await postHook(
      `${bot.url}/hooks/alertmanager`,
      amNotification([{ ...core, pod: 'harbor-core-7d4b9c-0' }]),
    );
    expect(res.status).toBe(202);
    await waitUntil('the incident root', () => roots().length === 1);
    const [root] = roots();
    rootTs = rootTsOf('KubePodCrashLooping');
    expect(String(root?.args.text)).toContain('KubePodCrashLooping');
    expect(JSON.stringify(root?.args.blocks)).toContain('runbooks.example.com');
    const cause = await waitUntil(
      'the schema finding in the thread',
      () => inThread(rootTs).find((c) => JSON.stringify(c.args.blocks).includes('schema-newer-than-binary')),
      30_000,
    );
    expect(String(cause.args.text)).toMatch(/^\[critical\]/);
  });

  it('repeats (a redelivery, an HA twin, the repeat interval) post nothing', async () => {
    await settle();
    const before = slack.callsOf('chat.postMessage').length;
    const again = amNotification([{ ...core, pod: 'harbor-core-7d4b9c-0' }], { reason: 'repeat interval elapsed' });
    for (let i = 0; i < 3; i++) expect((await postHook(`${bot.url}/hooks/alertmanager`, again)).status).toBe(202);
    await settle();
    expect(slack.callsOf('chat.postMessage').length).toBe(before);
  });

  it('a resolve edits the root message; no new root', async () => {
    const resolved = amNotification([{ ...core, pod: 'harbor-core-7d4b9c-0' }], {
      status: 'resolved',
      reason: 'all alerts resolved',
    });
    expect((await postHook(`${bot.url}/hooks/alertmanager`, resolved)).status).toBe(202);
    const update = await waitUntil('the root edited', () =>
      slack.callsOf('chat.update').find((c) => c.args.ts === rootTs && String(c.args.text).startsWith('Resolved')),
    );
    expect(String(update.args.text)).toContain('Resolved after 20 min');
    expect(roots()).toHaveLength(1);
  });
});

describe('an alert storm', () => {
  it('50 alerts for one target in a second: one root message, a bounded number of thread posts', async () => {
    const before = roots().length;
    const alerts = Array.from({ length: 50 }, (_, i) => ({
      alertname: 'HarborStormTest',
      instance: `10.0.0.${i}:9090`,
      severity: 'critical',
    }));
    const answers = await Promise.all(
      alerts.map((a) => postHook(`${bot.url}/hooks/alertmanager`, amNotification([a]))),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await waitUntil('the storm root', () => roots().length === before + 1);
    await settle();
    const root = roots()[before];
    const rootTs = rootTsOf('HarborStormTest');
    expect(root).toBeDefined();
    expect(roots()).toHaveLength(before + 1);
    const posts = inThread(rootTs);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.length).toBeLessThanOrEqual(6);
    const resolveAll = amNotification(alerts, { status: 'resolved' });
    expect((await postHook(`${bot.url}/hooks/alertmanager`, resolveAll)).status).toBe(202);
    await waitUntil('the storm resolved', () =>
      slack.callsOf('chat.update').some((c) => c.args.ts === rootTs && String(c.args.text).startsWith('Resolved')),
    );
  });
});

describe('a Harbor event', () => {
  it('never resolves by itself: its incident resolves when its hour is up, by editing the root', async () => {
    const before = roots().length;
    // Delivered when it occurred, 1 h minus 3 s ago: the incident counts it as firing for 3 s more.
    const occurred = Math.floor(Date.now() / 1000) - 3600 + 3;
    const event = {
      type: 'QUOTA_WARNING',
      occur_at: occurred,
      operator: 'admin',
      event_data: {
        resources: [{ digest: 'sha256:aa', tag: 'v1', resource_url: `${lab.world.release.options.host}/team/app:v1` }],
        repository: { name: 'app', namespace: 'team', repo_full_name: 'team/app', repo_type: 'private' },
        custom_attributes: { Details: 'quota usage reach 85%: resource storage used 8.6 GiB of 10.0 GiB' },
      },
    };
    expect((await postHook(`${bot.url}/hooks/harbor`, event)).status).toBe(202);
    await waitUntil('the quota root', () => roots().length === before + 1);
    const rootTs = rootTsOf('QUOTA_WARNING');
    expect(rootTs).toBeDefined();
    expect(
      slack.callsOf('chat.update').some((c) => c.args.ts === rootTs && String(c.args.text).startsWith('Resolved')),
    ).toBe(false);
    const update = await waitUntil(
      'the root edited when the hour is up',
      () =>
        slack.callsOf('chat.update').find((c) => c.args.ts === rootTs && String(c.args.text).startsWith('Resolved')),
      20_000,
    );
    expect(String(update.args.text)).toContain('Resolved after 60 min');
    expect(roots()).toHaveLength(before + 1);
  });
});

describe('a Harbor replication webhook', () => {
  it('names the tag race in the thread', async () => {
    lab.load(scenario('replication-tag-race'));
    const before = roots().length;
    const event = {
      type: 'REPLICATION',
      occur_at: Math.floor(Date.now() / 1000),
      operator: 'MANUAL',
      event_data: {
        replication: {
          harbor_hostname: lab.world.release.options.host,
          job_status: 'Error',
          trigger_type: 'EVENT',
          execution_id: 131,
          task_id: 1302,
          failed_artifact: [{ type: 'image', status: 'failed', name_tag: 'library/app:v2.4.1' }],
        },
      },
    };
    expect((await postHook(`${bot.url}/hooks/harbor`, event)).status).toBe(202);
    expect(
      (
        await postHook(`${bot.url}/hooks/harbor`, {
          ...event,
          event_data: { replication: { ...event.event_data.replication, task_id: 1303 } },
        })
      ).status,
    ).toBe(202);
    await waitUntil('the replication root', () => roots().length === before + 1);
    const rootTs = rootTsOf('REPLICATION');
    await waitUntil(
      'the race finding',
      () => inThread(rootTs).some((c) => JSON.stringify(c.args.blocks).includes('replication-tag-unknown-race')),
      30_000,
    );
    expect(roots()).toHaveLength(before + 1);
  });
});
