import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commands } from '../../commands/index.js';
import digest from '../../jobs/digest.js';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig, readEnv } from '../../src/config.js';
import { fingerprintOf } from '../../src/findings/finding.js';
import { createFindingServices } from '../../src/findings/services.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, memoryLogger, postSigned, slashBody, uniquePrefix } from '../support/helpers.js';

const registry = createRegistry([harborHealth]);
const secret = 'e2e-findings-secret';
const fp = fingerprintOf({
  check: 'harbor-health',
  cause: 'component-unhealthy',
  target: 'harbor/prod',
  resource: { kind: 'HarborComponent', name: 'registry', namespace: null },
});
let slack: SlackSim;
let harbor: HarborSim;
let runtime: Runtime;
let events: string;
let prefix: string;
let n = 0;

/** Sends `/harbor <text>`; returns the immediate ack body and, when `follow` is set, the response_url answer. */
async function slash(text: string, follow = false): Promise<{ ack: Record<string, unknown>; reply?: string }> {
  const id = `r${++n}`;
  const res = await postSigned(events, slashBody({ text, responseUrl: slack.responseUrl(id) }), secret);
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3000);
  const ack = res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {};
  if (!follow) return { ack };
  for (let i = 0; i < 100 && !slack.responses.some((r) => r.id === id); i++)
    await new Promise((r) => setTimeout(r, 50));
  const reply = slack.responses.find((r) => r.id === id)?.body;
  return { ack, reply: JSON.stringify(reply) };
}

beforeAll(async () => {
  slack = await startSlackSim();
  harbor = await startHarborSim();
  harbor.state.health = {
    status: 'unhealthy',
    components: [
      { name: 'core', status: 'healthy' },
      { name: 'registry', status: 'unhealthy' },
    ],
  };
  const port = await freePort();
  events = `http://127.0.0.1:${port}/slack/events`;
  prefix = uniquePrefix('e2e-findings');
  const config = parseConfig(
    `harbors:\n  - name: prod\n    url: ${harbor.url}\n    username: robot$pilot\n    password: pilot-secret\n`,
    {},
  );
  const env = readEnv({
    REDIS_URL: inject('redisUrl'),
    SLACK_BOT_TOKEN: 'xoxb-e2e',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    HARBOR_PILOT_QUEUE_PREFIX: prefix,
  });
  runtime = await startRuntime({
    mode: 'start',
    config,
    env,
    registry,
    commands,
    log: memoryLogger('warn').log,
    scheduledJobs: [digest],
  });
  await slash('check harbor-health harbor/prod');
  await slack.waitFor('chat.update', 1, 15_000);
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([slack?.close(), harbor?.close()]);
});

describe('/harbor findings, silence, unsilence, digest end to end', () => {
  it('lists open findings by severity with their fingerprints', async () => {
    const { reply } = await slash('findings', true);
    expect(reply).toContain('*Open findings:* 1 critical · 0 warning · 0 info');
    expect(reply).toContain('*harbor/prod* Harbor component registry is unhealthy · seen 1 time since');
    expect(reply).toContain(fp);
  });

  it('silences and unsilences a finding, recorded in the audit trail', async () => {
    const { reply } = await slash(`silence ${fp} 2h registry <!channel> maintenance`, true);
    expect(reply).toContain(`Silenced \`${fp}\` (Harbor component registry is unhealthy) until <!date^`);
    expect((await slash('findings', true)).reply).toContain('silenced by <@U0RESPONDER> until');
    const audit = createFindingServices(runtime.redis, prefix, () => new Date()).audit;
    expect((await audit.latest(1))[0]).toMatchObject({
      actor: 'U0RESPONDER',
      action: 'finding.silenced',
      fingerprint: fp,
      detail: 'registry !channel maintenance',
    });

    expect((await slash(`unsilence ${fp}`, true)).reply).toContain('is no longer silenced');
    expect((await audit.latest(1))[0]).toMatchObject({ action: 'finding.unsilenced', fingerprint: fp });
    expect((await slash(`unsilence ${fp}`, true)).reply).toContain('is not silenced');
  });

  it('answers bad silences with an ephemeral message', async () => {
    expect(String((await slash('silence')).ack.text)).toContain('usage: silence FINGERPRINT DURATION [reason]');
    expect(String((await slash('silence nothex 2h')).ack.text)).toContain('a fingerprint is 16 hex digits');
    expect(String((await slash(`silence ${fp} 45x`)).ack.text)).toContain('"45x" is not a duration');
    expect(String((await slash(`silence ${fp} 31d`)).ack.text)).toContain('at most 30 days');
    expect((await slash('silence 0123456789abcdef 1h', true)).reply).toContain(
      'no finding has fingerprint 0123456789abcdef',
    );
  });

  it('posts a digest in the channel on /harbor digest', async () => {
    const { ack } = await slash('digest');
    expect(String(ack.text)).toContain('Posting a digest in this channel');
    const [done] = await slack.waitFor('files.completeUploadExternal', 1, 15_000);
    expect(done?.args.channel_id).toBe('C0INCIDENT');
    const blocks = JSON.stringify(done?.args.blocks);
    expect(blocks).toContain('*1 new* (1 critical)');
    expect(blocks).toContain('Harbor component registry is unhealthy');
  });
});
