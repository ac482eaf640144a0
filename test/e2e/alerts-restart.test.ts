import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab/lab.js';
import type { SlackSim } from '../../src/sim/slack-sim.js';
import { attachSocketMode } from '../../src/sim/socket-mode-sim.js';
import { uniquePrefix, waitUntil } from '../support/helpers.js';
import {
  alertChannel,
  amNotification,
  labAlertsConfig,
  postHook,
  scenario,
  startAlertBot,
  startLab,
  startSlackSim,
} from './alerts-harness.js';

// The bot and the workers as separate processes' runtimes on one Redis: a notification accepted while
// no worker runs is diagnosed once one starts. Also: Socket Mode serves the hooks on PORT, and no
// token means no hooks.
let slack: SlackSim;
let lab: Lab;

beforeAll(async () => {
  slack = await startSlackSim();
  lab = await startLab({ scenario: scenario('replication-tag-race') });
});

afterAll(async () => {
  await Promise.all([slack?.close(), lab?.close()]);
});

const replicationError = () => ({
  type: 'REPLICATION',
  occur_at: Math.floor(Date.now() / 1000),
  operator: 'MANUAL',
  event_data: {
    replication: {
      harbor_hostname: lab.world.release.options.host,
      job_status: 'Error',
      execution_id: 131,
      task_id: 1302,
      failed_artifact: [{ type: 'image', status: 'failed', name_tag: 'library/app:v2.4.1' }],
    },
  },
});

describe('a worker restart between receipt and diagnosis', () => {
  it('loses nothing: the accepted notification is diagnosed by the next worker', async () => {
    const prefix = uniquePrefix('alerts-restart');
    const config = labAlertsConfig(lab);
    const first = await startAlertBot({ slack, config, prefix, mode: 'worker' });
    await first.close();
    const bot = await startAlertBot({ slack, config, prefix, mode: 'bot' });
    try {
      expect((await postHook(`${bot.url}/hooks/harbor`, replicationError())).status).toBe(202);
      expect(await bot.runtime.queues.alerts.getJobCounts('waiting')).toEqual({ waiting: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === alertChannel)).toHaveLength(0);
      const worker = await startAlertBot({ slack, config, prefix, mode: 'worker' });
      try {
        const root = await waitUntil('the root', () =>
          slack.callsOf('chat.postMessage').find((c) => c.args.channel === alertChannel && !c.args.thread_ts),
        );
        expect(String(root.args.text)).toContain('REPLICATION');
        await waitUntil(
          'the race in the thread',
          () =>
            slack
              .callsOf('chat.postMessage')
              .some((c) => c.args.thread_ts && JSON.stringify(c.args.blocks).includes('replication-tag-unknown-race')),
          30_000,
        );
      } finally {
        await worker.close();
      }
    } finally {
      await bot.close();
    }
  });
});

describe('where the hooks listen', () => {
  it('Socket Mode serves them (and /healthz) on PORT', async () => {
    attachSocketMode(slack);
    const bot = await startAlertBot({
      slack,
      config: labAlertsConfig(lab),
      extraEnv: { SLACK_APP_TOKEN: 'xapp-1-alerts-socket' },
    });
    try {
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      expect((await postHook(`${bot.url}/hooks/alertmanager`, amNotification([]), 'Bearer nope')).status).toBe(401);
      const ok = await postHook(`${bot.url}/hooks/alertmanager`, amNotification([{ alertname: 'Nowhere' }]));
      expect(ok).toEqual({ status: 202, text: 'accepted; nothing to do' });
    } finally {
      await bot.close();
    }
  });

  it('without HARBOR_PILOT_HOOK_TOKEN they answer 404', async () => {
    const bot = await startAlertBot({ slack, config: labAlertsConfig(lab), token: '', mode: 'bot' });
    try {
      expect((await postHook(`${bot.url}/hooks/alertmanager`, amNotification([]))).status).toBe(404);
      expect((await postHook(`${bot.url}/hooks/harbor`, replicationError())).status).toBe(404);
    } finally {
      await bot.close();
    }
  });
});
