import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runLabCommand } from '../../src/cli/lab-command.js';
import { parseConfig } from '../../src/config.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { captureStream, freePort, memoryLogger, waitUntil } from '../support/helpers.js';
import { hookToken, startAlertBot, type AlertBot } from './alerts-harness.js';

let slack: SlackSim | undefined;
let bot: AlertBot | undefined;

afterAll(async () => {
  await bot?.close();
  await slack?.close();
});

describe('lab --scenario NAME --alerts', () => {
  it("fires the scenario's natural alerts at the bot once it runs, and the incident thread opens", async () => {
    slack = await startSlackSim();
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'hp-lab-alerts-'));
    const stdout = captureStream();
    let stop = () => {};
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const argv = [
      '--scenario',
      'downgrade',
      '--alerts',
      '--bot',
      `http://127.0.0.1:${port}`,
      '--alert-channel',
      'C0LAB',
      '--dir',
      dir,
    ];
    const io = {
      stdout,
      stderr: captureStream(),
      env: { HARBOR_PILOT_HOOK_TOKEN: hookToken },
      log: memoryLogger().log,
      stopped,
    };
    const lab = runLabCommand(argv, registry, io);
    const configPath = join(dir, 'harbor-pilot.yaml');
    await waitUntil(
      'the lab config',
      () => existsSync(configPath) && readFileSync(configPath, 'utf8').includes('C0LAB'),
    );
    const config = parseConfig(readFileSync(configPath, 'utf8'), {});
    bot = await startAlertBot({ slack, config, extraEnv: { PORT: String(port) } });
    await waitUntil('the lines of the fired alerts', () => /sent {2}HarborDown/.test(stdout.text()), 20_000);
    expect(stdout.text()).toMatch(/sent {2}KubePodCrashLooping harbor\/harbor-core-/);
    const root = await waitUntil('the incident root', () =>
      slack?.callsOf('chat.postMessage').find((c) => c.args.channel === 'C0LAB' && !c.args.thread_ts),
    );
    expect(String(root.args.text)).toContain('cluster/lab');
    stop();
    expect(await lab).toBe(0);
  });
});
