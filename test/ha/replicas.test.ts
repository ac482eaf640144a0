import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { widgetRegistry, widgetsOf } from '../fixtures/widgets.js';
import {
  auditTrail,
  click,
  clickBody,
  harborPassword,
  runWidgetCheck,
  secret,
  startApprovalHarness,
  waitUntil,
  widgetWrites,
  type Harness,
} from '../support/approvals-harness.js';
import { freePort, memoryLogger, postSigned, slashBody } from '../support/helpers.js';

// Two bots and three workers on one Redis, sharing nothing else: bot A (the harness), bot B, two
// workers in this process and one in a process of its own, which a test SIGKILLs mid-check.
const handoffMs = 1500;
const watch =
  'watches:\n  - cron: "*/2 * * * * *"\n    targets: [harbor/locked]\n    checks: [widget-jammed]\n    channel: C0WATCH\n';
let h: Harness;
let botB: Runtime;
let botBEvents: string;
const workers: Runtime[] = [];
let child: ChildProcess | undefined;

function startChildWorker(): Promise<ChildProcess> {
  const file = fileURLToPath(new URL('../fixtures/worker-child.ts', import.meta.url));
  const env = {
    REDIS_URL: inject('redisUrl'),
    SLACK_BOT_TOKEN: 'xoxb-child',
    SLACK_API_URL: h.slack.apiUrl,
    HARBOR_PILOT_QUEUE_PREFIX: h.env.HARBOR_PILOT_QUEUE_PREFIX,
    PORT: '0',
  };
  const input = JSON.stringify({ env, configYaml: h.configYaml });
  const proc = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, HP_CHILD: input, HP_PW: harborPassword },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => String(d).includes('ready') && resolve(proc));
    proc.on('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

beforeAll(async () => {
  h = await startApprovalHarness({
    redisUrl: inject('redisUrl'),
    name: 'replicas',
    mode: 'bot',
    extraYaml: `runner:\n  handoffMs: ${handoffMs}\n${watch}`,
  });
  const { log } = memoryLogger('warn');
  const port = await freePort();
  botBEvents = `http://127.0.0.1:${port}/slack/events`;
  const start = (mode: 'bot' | 'worker', p: number) =>
    startRuntime({
      mode,
      config: h.config,
      env: { ...h.env, PORT: p },
      registry: widgetRegistry,
      commands,
      log,
      now: h.now,
    });
  botB = await start('bot', port);
  for (let i = 0; i < 2; i++) workers.push(await start('worker', 0));
  child = await startChildWorker();
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all([botB?.close(), ...workers.map((w) => w.close())]);
  await h?.close();
});

describe('two bots and three workers', () => {
  it('run an approval exactly once when the two clicks reach different bots', async () => {
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const low = p.approvals['unjam-widget'] as string;
    const high = p.approvals['replace-widget'] as string;
    const onB = (user: string, id: string) => postSigned(botBEvents, clickBody(p, user, 'approve', id), secret);
    await Promise.all([click(h, p, 'U0APPROVER1', 'approve', low), onB('U0APPROVER2', low)]);
    await waitUntil('the low-risk fix to finish', async () => (await h.store.state(low))?.state === 'done');
    (widgetsOf(h.harbor)[0] as { status: string }).status = 'jammed';
    // The two-person rule: the first approval on bot A, the second on bot B.
    await click(h, p, 'U0APPROVER1', 'approve', high);
    await onB('U0APPROVER2', high);
    await waitUntil('the high-risk fix to finish', async () => (await h.store.state(high))?.state === 'done');
    expect(widgetWrites(h)).toEqual([
      'POST /api/v2.0/fixture/widgets/7/unjam',
      'POST /api/v2.0/fixture/widgets/7/replace',
    ]);
    for (const id of [low, high])
      expect((await auditTrail(h, id)).filter((t) => t === 'remediation.executed:ok')).toHaveLength(1);
  });

  it('fire each job scheduler once per tick, however many replicas upserted it', async () => {
    const scheduled = h.runtime.queues.scheduled;
    expect(await scheduled.getJobSchedulersCount()).toBe(1);
    const ticks = async () => (await scheduled.getCompleted()).filter((j) => j.name === 'watch');
    await waitUntil('three watch ticks', async () => (await ticks()).length >= 3, 15_000);
    const at = (await ticks()).map((j) => Number(String(j.id).split(':').at(-1))).sort();
    expect(new Set(at).size).toBe(at.length);
    for (const t of at) expect(t % 2000).toBe(0);
    const announced = h.slack
      .callsOf('chat.postMessage')
      .filter((c) => c.args.channel === 'C0WATCH' && !c.args.thread_ts);
    expect(announced).toHaveLength(1);
    const [s] = await scheduled.getJobSchedulers(0, -1);
    await scheduled.removeJobScheduler(String(s?.key ?? s?.id));
  }, 30_000);

  it('hand a check from a worker killed mid-check to another: posted once, run twice at most', async () => {
    for (const w of workers) await Promise.all((w.workers?.workers ?? []).map((x) => x.pause()));
    const reads = () =>
      h.harbor.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/fixture/widgets')).length;
    await new Promise((r) => setTimeout(r, 2500)); // a watch tick already queued runs out
    (widgetsOf(h.harbor)[0] as { status: string }).status = 'jammed';
    const before = reads();
    h.harbor.fault({ path: /\/fixture\/widgets$/, delayMs: 5000, times: 1 });
    const posts = h.slack.callsOf('chat.postMessage').length;
    const known = new Set(h.slack.state.messages.keys());
    await postSigned(
      h.events,
      slashBody({ text: 'check widget-jammed harbor/prod', responseUrl: h.slack.responseUrl('k') }),
      secret,
    );
    await waitUntil('the child worker to start the check', () => reads() > before);
    child?.kill('SIGKILL');
    for (const w of workers) for (const x of w.workers?.workers ?? []) x.resume();

    const root = await waitUntil(
      'the root message',
      () => [...h.slack.state.messages.entries()].find(([k, m]) => !known.has(k) && !m.thread_ts)?.[1],
    );
    const summary = await waitUntil(
      'the summary',
      () =>
        h.slack.callsOf('chat.update').find((c) => c.args.ts === root.ts && String(c.args.text).includes('critical')),
      20_000,
    );
    expect(String(summary.args.text)).toContain('1 critical');
    const threaded = h.slack
      .callsOf('chat.postMessage')
      .slice(posts)
      .filter((c) => c.args.thread_ts === summary.args.ts);
    expect(threaded).toHaveLength(1);
    expect(reads() - before).toBe(2);
  }, 40_000);
});
