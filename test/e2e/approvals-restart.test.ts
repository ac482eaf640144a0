import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'bullmq';
import type { RedisClient } from '../../src/redis/connection.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApprovals } from '../../src/approvals/approvals.js';
import { createRedisFactory } from '../../src/redis/connection.js';
import { createSlackDoor } from '../../src/slack/slack-door.js';
import { startDiagnosisWorkers, type Workers } from '../../src/diagnosis/diagnosis-workers.js';
import { createPublisher } from '../../src/diagnosis/publisher.js';
import { createFindingServices } from '../../src/findings/services.js';
import {
  auditTrail,
  click,
  harborPassword,
  runWidgetCheck,
  startApprovalHarness,
  waitUntil,
  widgetWrites,
  type Harness,
} from '../support/approvals-harness.js';
import { widgetRegistry } from '../fixtures/widgets.js';
import { memoryLogger } from '../support/helpers.js';

const redisUrl = inject('redisUrl');
const lockDuration = 1000;
let h: Harness;
let checkWorkers: Workers;
let successor: Worker | undefined;
const connections: RedisClient[] = [];
let child: ChildProcess | undefined;

/** Approvals wired as a worker process wires them: its own Redis connection, the same prefix. */
function approvalsOnOwnConnection() {
  const redis = createRedisFactory({
    REDIS_URL: redisUrl,
    HARBOR_PILOT_QUEUE_PREFIX: h.env.HARBOR_PILOT_QUEUE_PREFIX,
  }).connect('approvals-restart-test');
  connections.push(redis);
  const slack = createSlackDoor({ token: 'xoxb-test-worker', apiUrl: h.slack.apiUrl, retries: 0 });
  const { log } = memoryLogger('info');
  const approvals = createApprovals({
    config: h.config,
    registry: widgetRegistry,
    clients: h.runtime.clients,
    redis,
    prefix: h.env.HARBOR_PILOT_QUEUE_PREFIX,
    slack,
    log,
    now: h.now,
  });
  return { approvals, settings: { connection: redis, prefix: h.env.HARBOR_PILOT_QUEUE_PREFIX }, slack, log };
}

/** A remediation worker in a separate process; resolves once it takes jobs. */
function startChildWorker(): Promise<ChildProcess> {
  const file = fileURLToPath(new URL('../fixtures/remediation-worker-child.ts', import.meta.url));
  const input = {
    redisUrl,
    prefix: h.env.HARBOR_PILOT_QUEUE_PREFIX,
    configYaml: h.configYaml,
    slackApiUrl: h.slack.apiUrl,
    lockDuration,
  };
  const proc = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, HP_CHILD: JSON.stringify(input), HP_PW: harborPassword },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      if (String(d).includes('ready')) resolve(proc);
    });
    proc.on('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

beforeAll(async () => {
  h = await startApprovalHarness({ redisUrl, name: 'approvals-restart', mode: 'bot' });
  const { approvals, settings, slack, log } = approvalsOnOwnConnection();
  const findings = createFindingServices(settings.connection, settings.prefix, h.now);
  const publisher = createPublisher({
    store: findings.store,
    silences: findings.silences,
    slack,
    log,
    now: h.now,
    remediationBlocks: approvals.remediationBlocks,
  });
  checkWorkers = startDiagnosisWorkers(settings, {
    config: h.config,
    registry: widgetRegistry,
    clients: h.runtime.clients,
    slack,
    log,
    now: h.now,
    publisher,
  });
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all([checkWorkers?.close(), successor?.close()]);
  await Promise.all(connections.map((c) => c.quit()));
  await h?.close();
});

describe('a remediation worker killed during execution', () => {
  it('is replaced by a new worker that verifies instead of executing again: exactly one upstream call', async () => {
    child = await startChildWorker();
    // A slow Harbor: the request arrives, the change lands 400 ms later, after the worker is dead.
    h.harbor.fault({ method: 'POST', path: /\/fixture\/widgets\/7\/unjam$/, delayMs: 400 });
    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    await click(h, p, 'U0APPROVER2', 'approve', id);

    await waitUntil('the execution request at Harbor', () => widgetWrites(h).length === 1);
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    const orphaned = await h.store.state(id);
    expect(orphaned).toMatchObject({ state: 'executing', claim: expect.stringContaining(`rem-${id}`) });
    expect(orphaned?.execution).toBeUndefined();

    const restarted = approvalsOnOwnConnection();
    successor = restarted.approvals.startWorker(restarted.settings, { lockDuration, stalledInterval: 300 });
    const result = await waitUntil('the result in the thread', () =>
      h.slack
        .callsOf('chat.postMessage')
        .find((c) => c.args.thread_ts === p.threadTs && String(c.args.text).startsWith('unjam-widget on ')),
    );
    expect(String(result.args.text)).toContain('done and verified');
    expect(JSON.stringify(result.args.blocks)).toContain('interrupted during execution; it was not run again');
    expect(widgetWrites(h)).toEqual(['POST /api/v2.0/fixture/widgets/7/unjam']);
    const trail = await auditTrail(h, id);
    expect(trail.filter((e) => e === 'remediation.executing:started')).toHaveLength(1);
    expect(trail.at(-1)).toBe('remediation.verified:ok');
    expect(JSON.stringify(h.slack.state.messages.get(`${p.channel}/${p.ts}`)?.blocks)).toContain(
      ':white_check_mark: Approved by <@U0APPROVER2>',
    );
  }, 30_000);
});
