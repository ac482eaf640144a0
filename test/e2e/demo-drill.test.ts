import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { createHarborClient } from '../../src/harbor/client.js';
import { captureStream, memoryLogger, tempFiles } from '../support/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 800; i++) {
    if (done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('harbor-pilot lab --drill', () => {
  it('breaks an incident, says when the trainee found it with `check` and when they fixed it, then ends', async () => {
    const { dir } = tempFiles({});
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/bin/harbor-pilot.ts',
        'lab',
        '--drill',
        '--scenarios',
        'replication-stuck',
        '--interval',
        '0.2',
        '--dir',
        dir,
      ],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    onTestFinished(() => void child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    await until(() => out.includes('Incident 1 of 1: users report:'), 'the first incident');
    expect(out).toContain('The drill starts now; Ctrl-C ends it.');
    const config = `${dir}/harbor-pilot.yaml`;
    const stdout = captureStream();
    await runCheckCommand(['--config', config], registry, {
      stdout,
      stderr: captureStream(),
      env: {},
      log: memoryLogger('error').log,
    });
    expect(stdout.text()).toContain('Replication execution 118 in progress');
    await until(() => out.includes('Found: A replication execution in progress for five hours'), 'found');

    const url = /Harbor API +(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
    await createHarborClient({
      baseUrl: url,
      auth: { username: 'robot$pilot', password: 'pilot-secret' },
    }).stopReplicationExecution(118);
    await until(() => out.includes('Drill complete: 1 incident found and fixed.'), 'the end of the drill');
    expect(out).toMatch(/Fixed: replication-stuck is no longer reported, \d+s after it broke\./);
    expect(await exited).toBe(0);
  }, 90_000);
});
