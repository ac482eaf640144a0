import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, tempFiles, uniquePrefix } from '../support/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = 'src/bin/harbor-pilot.ts';

interface Proc {
  code: Promise<number | null>;
  out: () => string;
  err: () => string;
  kill(signal: NodeJS.Signals): void;
}

function run(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return {
    code: new Promise((r) => child.on('exit', (c) => r(c))),
    out: () => out,
    err: () => err,
    kill: (s) => child.kill(s),
  };
}

let harbor: HarborSim;
let slack: SlackSim;
beforeAll(async () => {
  harbor = await startHarborSim();
  slack = await startSlackSim();
});
afterAll(async () => {
  await Promise.all([harbor.close(), slack.close()]);
});

describe('harbor-pilot processes', () => {
  it('check exits 1 on an unhealthy component and 2 on bad configuration', async () => {
    harbor.state.health = { status: 'unhealthy', components: [{ name: 'core', status: 'unhealthy' }] };
    const good = tempFiles({ 'c.yaml': `harbors:\n  - name: prod\n    url: ${harbor.url}\n` });
    const p = run(['check', 'harbor-health', '--config', good['c.yaml'] as string, '--json'], {});
    expect(await p.code).toBe(1);
    expect(JSON.parse(p.out()).findings[0]).toMatchObject({ cause: 'component-unhealthy', resource: { name: 'core' } });
    const bad = tempFiles({ 'c.yaml': 'harbors:\n  - name: prod\n    url: ftp://x\n    extra: 1\n' });
    const b = run(['check', '--config', bad['c.yaml'] as string], {});
    expect(await b.code).toBe(2);
    expect(b.err()).toContain('harbors[0].url');
    expect(b.err()).toContain('unknown key "extra"');
  });

  it('start serves until SIGTERM, then shuts down cleanly with exit 0', async () => {
    const cfg = tempFiles({ 'c.yaml': `harbors:\n  - name: prod\n    url: ${harbor.url}\n` });
    const port = await freePort();
    const p = run(['start', '--config', cfg['c.yaml'] as string], {
      REDIS_URL: inject('redisUrl'),
      SLACK_BOT_TOKEN: 'xoxb-proc',
      SLACK_SIGNING_SECRET: 'proc-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      HARBOR_PILOT_QUEUE_PREFIX: uniquePrefix('proc'),
    });
    for (let i = 0; i < 100 && !p.err().includes('harbor-pilot started'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(p.err()).toContain('harbor-pilot started');
    expect(p.err()).toContain('persistence is off');
    const probe = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: 'x' });
    expect(probe.status).toBe(401);
    p.kill('SIGTERM');
    expect(await p.code).toBe(0);
    expect(p.err()).toContain('harbor-pilot stopped');
    expect(p.err()).not.toContain('xoxb-proc');
  });

  it('start exits non-zero, not half-alive, when its Slack port is taken', async () => {
    const cfg = tempFiles({ 'c.yaml': `harbors:\n  - name: prod\n    url: ${harbor.url}\n` });
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const opsPort = await freePort();
    const p = run(['start', '--config', cfg['c.yaml'] as string], {
      REDIS_URL: inject('redisUrl'),
      SLACK_BOT_TOKEN: 'xoxb-proc',
      SLACK_SIGNING_SECRET: 'proc-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: String((taken.address() as AddressInfo).port),
      OPS_PORT: String(opsPort),
      HARBOR_PILOT_QUEUE_PREFIX: uniquePrefix('proc'),
    });
    const code = await Promise.race([
      p.code,
      new Promise<string>((r) => setTimeout(() => r('still running after 20 s'), 20_000)),
    ]);
    if (code === 'still running after 20 s') p.kill('SIGKILL');
    taken.close();
    expect(code).toBe(1);
    expect(p.err()).toContain('EADDRINUSE');
  });

  it('refuses to start without a Slack token, naming it', async () => {
    const cfg = tempFiles({ 'c.yaml': 'harbors: []\n' });
    const p = run(['start', '--config', cfg['c.yaml'] as string], { REDIS_URL: inject('redisUrl') });
    expect(await p.code).toBe(2);
    expect(p.err()).toContain('SLACK_BOT_TOKEN');
  });
});
