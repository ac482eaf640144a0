import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import harborHealth from '../../jobs/harbor-health.js';
import { createRegistry } from '../../src/checks/registry.js';
import { parseConfig } from '../../src/config.js';
import type { Runtime } from '../../src/runtime.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, postSigned, slashBody, waitUntil } from '../support/helpers.js';
import { startBot } from '../support/bot-harness.js';

// Only harbor-health: this test is about the Slack and queue machinery, not the catalog of checks.
const registry = createRegistry([harborHealth]);
const secret = 'e2e-signing-secret';
let slack: SlackSim;
let harbor: HarborSim;
let runtime: Runtime;
let events: string;
let logs: string[];

beforeAll(async () => {
  slack = await startSlackSim();
  harbor = await startHarborSim();
  harbor.state.health = {
    status: 'unhealthy',
    components: [
      { name: 'core', status: 'healthy' },
      { name: 'registry', status: 'unhealthy', error: 'dial tcp: connection refused' },
      { name: 'trivy', status: 'unhealthy', error: 'timeout <!channel>' },
    ],
  };
  const port = await freePort();
  const deadPort = await freePort();
  events = `http://127.0.0.1:${port}/slack/events`;
  const config = parseConfig(
    `harbors:\n  - name: prod\n    url: ${harbor.url}\n    username: robot$pilot\n    password: \${HP_PW}\n  - name: down\n    url: http://127.0.0.1:${deadPort}\n    timeoutMs: 300\n`,
    { HP_PW: 'pilot-secret' },
  );
  ({ runtime, logs } = await startBot({
    name: 'e2e',
    config,
    registry,
    env: {
      SLACK_BOT_TOKEN: 'xoxb-e2e-bot-token',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
    },
  }));
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([slack?.close(), harbor?.close()]);
});

describe('/harbor diagnose end to end', () => {
  it('acks at once, posts a root message, threads findings and updates the summary', async () => {
    const body = slashBody({ text: 'diagnose', responseUrl: slack.responseUrl('diag') });
    const res = await postSigned(events, body, secret);
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    expect(JSON.parse(res.text)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('2 checks queued'),
    });

    const [root] = await slack.waitFor('chat.postMessage', 1);
    expect(root?.args.channel).toBe('C0INCIDENT');
    expect(root?.args.thread_ts).toBeUndefined();
    expect(root?.token).toBe('xoxb-e2e-bot-token');
    const [update] = await slack.waitFor('chat.update', 1, 15_000);
    const rootTs = slack.state.messages.get(`C0INCIDENT/${update?.args.ts}`)?.ts;
    expect(rootTs).toBeDefined();

    const threaded = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === update?.args.ts);
    const texts = threaded.map((c) => String(c.args.text));
    expect(texts).toEqual(
      expect.arrayContaining([
        '[critical] Harbor component registry is unhealthy',
        '[warning] Harbor component trivy is unhealthy',
        expect.stringMatching(/^\[critical\] Harbor component health: cannot reach harbor of harbor\/down/),
      ]),
    );
    expect(threaded).toHaveLength(3);
    const blocksJson = JSON.stringify(threaded.map((c) => c.args.blocks));
    expect(blocksJson).toContain('connection refused');
    expect(blocksJson).toContain('connection failed (ECONNREFUSED)');
    expect(blocksJson).not.toContain('<!channel>');
    expect(blocksJson).toContain('&lt;!channel&gt;');
    expect(String(update?.args.text)).toMatch(/2 critical, 1 warning|2 critical · 1 warning/);
    expect(String(update?.args.text)).toContain('1 check could not complete');
  });

  it('answers bad input with an ephemeral message and enqueues nothing', async () => {
    const before = slack.callsOf('chat.postMessage').length;
    const unknown = await postSigned(
      events,
      slashBody({ text: 'check no-such-check', responseUrl: slack.responseUrl('bad') }),
      secret,
    );
    expect(unknown.status).toBe(200);
    expect(JSON.parse(unknown.text).text).toContain('valid check ids: harbor-health');
    const target = await postSigned(
      events,
      slashBody({ text: 'diagnose harbor/nope', responseUrl: slack.responseUrl('bad2') }),
      secret,
    );
    expect(JSON.parse(target.text).text).toContain('valid targets: harbor/prod, harbor/down');
    const junk = await postSigned(
      events,
      slashBody({ text: 'diagnose <!channel> extra', responseUrl: slack.responseUrl('bad3') }),
      secret,
    );
    expect(JSON.parse(junk.text).text).toContain('usage: diagnose');
    const sub = await postSigned(
      events,
      slashBody({ text: 'frobnicate', responseUrl: slack.responseUrl('bad4') }),
      secret,
    );
    expect(JSON.parse(sub.text).text).toContain('unknown sub-command "frobnicate"');
    expect(await runtime.queues.checks.getJobCounts('waiting', 'active')).toEqual({ waiting: 0, active: 0 });
    expect(slack.callsOf('chat.postMessage').length).toBe(before);
  });

  it('runs one check on one target with /harbor check', async () => {
    const before = slack.callsOf('chat.update').length;
    const res = await postSigned(
      events,
      slashBody({ text: 'check harbor-health harbor/prod', responseUrl: slack.responseUrl('one') }),
      secret,
    );
    expect(JSON.parse(res.text).text).toContain('1 check queued');
    const updates = await slack.waitFor('chat.update', before + 1, 15_000);
    expect(String(updates.at(-1)?.args.text)).toContain('1 critical · 1 warning');
  });

  it('tells the requester in a direct message when it may not post in the channel, and does not retry', async () => {
    slack.answers['chat.postMessage'] = (call) =>
      call.args.channel === 'C0PRIVATE' ? { ok: false, error: 'not_in_channel' } : undefined;
    try {
      const res = await postSigned(
        events,
        slashBody({
          text: 'check harbor-health harbor/prod',
          channel: 'C0PRIVATE',
          user: 'U0ASKER',
          responseUrl: slack.responseUrl('private'),
        }),
        secret,
      );
      expect(JSON.parse(res.text).text).toContain('1 check queued');
      const dm = await waitUntil('the direct message', () =>
        slack.callsOf('chat.postMessage').find((c) => c.args.channel === 'U0ASKER'),
      );
      expect(String(dm.args.text)).toContain(
        'I could not post the diagnosis of harbor-health on harbor/prod in <#C0PRIVATE> (Slack said `not_in_channel`)',
      );
      expect(String(dm.args.text)).toContain('/invite @harbor-pilot');
      await new Promise((r) => setTimeout(r, 1500));
      expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0PRIVATE')).toHaveLength(1);
    } finally {
      delete slack.answers['chat.postMessage'];
    }
  });

  it('shows help generated from the registries', async () => {
    const res = await postSigned(events, slashBody({ text: 'help', responseUrl: slack.responseUrl('help') }), secret);
    const text = JSON.stringify(JSON.parse(res.text).blocks);
    expect(text).toContain('harbor-health');
    expect(text).toContain('/harbor diagnose');
  });

  it('rejects a bad signature and a stale timestamp with 401', async () => {
    const body = slashBody({ text: 'diagnose', responseUrl: slack.responseUrl('x') });
    expect((await postSigned(events, body, 'wrong-secret')).status).toBe(401);
    expect((await postSigned(events, body, secret, { ts: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
  });

  it('serves /healthz, /readyz and /metrics beside the Slack endpoint', async () => {
    const base = events.replace('/slack/events', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /harbor_pilot_check_duration_seconds_count\{check="harbor-health",status="findings"\} [1-9]/,
    );
    expect(metrics).toMatch(/harbor_pilot_check_duration_seconds_count\{check="harbor-health",status="error"\} 1/);
    expect(metrics).toMatch(/harbor_pilot_findings_total\{severity="critical"\} [3-9]/);
    expect(metrics).toMatch(/harbor_pilot_queue_depth\{queue="checks",state="waiting"\} 0/);
    expect(metrics).toContain('harbor_pilot_job_latency_seconds_bucket');
  });

  it('names its metrics as Prometheus users expect: standard process metrics, build info, open findings', async () => {
    const metrics = await (await fetch(events.replace('/slack/events', '/metrics'))).text();
    const names = new Set([...metrics.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    // Stock Node.js dashboards read these unprefixed names.
    for (const n of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds'])
      expect(names).toContain(n);
    expect(
      [...names].filter((n) => n?.startsWith('harbor_pilot_process') || n?.startsWith('harbor_pilot_nodejs')),
    ).toEqual([]);
    expect(metrics).toMatch(/^harbor_pilot_build_info\{version="0\.\d+\.\d+",node="[\d.]+"\} 1$/m);
    // What the diagnosis above left open: registry (critical) and trivy (warning) on harbor/prod, and the
    // unreachable Harbor.
    expect(metrics).toMatch(/^harbor_pilot_open_findings\{severity="critical",target="harbor\/prod"\} 1$/m);
    expect(metrics).toMatch(/^harbor_pilot_open_findings\{severity="warning",target="harbor\/prod"\} 1$/m);
    expect(metrics).toMatch(/^harbor_pilot_open_findings\{severity="critical",target="harbor\/down"\} [1-9]$/m);
    // Every metric of our own carries the prefix, and seconds/bytes/total suffixes where they apply.
    for (const n of names) if (!/^(process|nodejs)_/.test(n ?? '')) expect(n).toMatch(/^harbor_pilot_/);
  });

  it('never logs or posts a secret', () => {
    const all = `${logs.join('')}${JSON.stringify(slack.calls.map(({ args: { token: _sentToSlack, ...rest } }) => rest))}`;
    // legacy-token: the verification token Slack still puts in every slash-command payload.
    for (const s of ['pilot-secret', 'xoxb-e2e-bot-token', secret, 'legacy-token']) expect(all).not.toContain(s);
  });
});
