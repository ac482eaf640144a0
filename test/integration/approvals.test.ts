import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { newApprovalId, type Approval } from '../../src/approvals/approval.js';
import { createApproverResolver, refuseApproval } from '../../src/approvals/authorize.js';
import type { ApprovalDeps } from '../../src/approvals/deps.js';
import { enqueueRemediation } from '../../src/approvals/job.js';
import { processRemediationJob } from '../../src/approvals/processor.js';
import { createRemediationBlocks } from '../../src/approvals/propose.js';
import { createApprovalStore } from '../../src/approvals/approval-store.js';
import { createAuditLog } from '../../src/audit-log.js';
import { createClientSet } from '../../src/checks/clients.js';
import { completeFinding } from '../../src/checks/runner.js';
import { parseConfig, slackConfigSchema } from '../../src/config.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { createSlackDoor } from '../../src/slack/slack-door.js';
import { queueNames } from '../../src/queues.js';
import { runAuditCommand } from '../../src/cli/audit-command.js';
import { widgetRegistry, widgetRoutes, widgetsOf } from '../fixtures/widgets.js';
import { captureStream, memoryLogger, uniquePrefix } from '../support/helpers.js';

const redisUrl = inject('redisUrl');
const redis = new Redis(redisUrl);
const prefix = uniquePrefix('approvals-int');
let slack: SlackSim;
let harbor: HarborSim;
let deps: ApprovalDeps;
let clock = Date.parse('2026-11-23T10:00:00Z');
const now = () => new Date(clock);
const thread = { channel: 'C0INCIDENT', threadTs: '1763900000.000101' };

beforeAll(async () => {
  slack = await startSlackSim();
  harbor = await startHarborSim({ routes: [widgetRoutes] });
  const config = parseConfig(
    `harbors:\n  - name: prod\n    url: ${harbor.url}\n    username: robot$pilot\n    password: \${HP_PW}\n    remediations: ["*"]\nslack:\n  approvers: [U0A]\n  approverGroups: [S0ONE, S0GONE]\n`,
    { HP_PW: 'pilot-secret' },
  );
  const { log } = memoryLogger('warn');
  const door = createSlackDoor({ token: 'xoxb-int', apiUrl: slack.apiUrl, retries: 0 });
  deps = {
    config,
    registry: widgetRegistry,
    clients: createClientSet(config, { log }),
    store: createApprovalStore(redis, prefix),
    audit: createAuditLog(redis, prefix, now),
    slack: door,
    log,
    now,
  };
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await Promise.all([slack.close(), harbor.close()]);
});
beforeEach(() => {
  widgetsOf(harbor).splice(0, Infinity, { id: 7, name: 'sprocket', status: 'jammed' });
  slack.clearFaults();
});

/** The fixture's finding: widget 7 jammed, proposing unjam-widget. */
function jammedWidget() {
  return completeFinding(
    'widget-jammed',
    { kind: 'harbor', name: 'prod', ref: 'harbor/prod' },
    {
      cause: 'component-unhealthy',
      title: 'Widget sprocket is jammed',
      summary: 'jammed',
      resource: { kind: 'HarborComponent', name: 'widget-7', namespace: null },
      remediations: [{ id: 'unjam-widget', title: 'Unjam', risk: 'low', params: { harbor: 'prod', widgetId: 7 } }],
    },
  );
}

/** Proposes the fixture's fixes through the real worker hook; returns the unjam approval. */
async function proposeUnjam(): Promise<Approval> {
  const finding = jammedWidget();
  const blocks = await createRemediationBlocks(deps)(finding, thread, {
    runId: 'r1',
    checkId: 'widget-jammed',
    target: 'harbor/prod',
    params: {},
    slack: thread,
    requestedBy: 'U0REQ',
  });
  const id = JSON.stringify(blocks).match(/"value":"(a[0-9a-f]{24})"/)?.[1] as string;
  return (await deps.store.get(id)) as Approval;
}

describe('approval store', () => {
  it('keeps a pending approval for exactly the configured TTL and survives a new store instance', async () => {
    const a = await proposeUnjam();
    const ttl = await redis.pttl(`${prefix}:approval:${a.id}:pending`);
    expect(ttl).toBeGreaterThan(59 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000);
    expect(a.expiresAt).toBe('2026-11-23T11:00:00.000Z');
    expect((await createApprovalStore(redis, prefix).state(a.id))?.state).toBe('pending');
  });

  it('lets exactly one of many concurrent approvals through, and counts two distinct approvers', async () => {
    const a = await proposeUnjam();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => deps.store.approve(a.id, `U${i % 3}`, 1, now().toISOString())),
    );
    expect(results.filter((r) => r.result === 'approved')).toHaveLength(1);
    expect(results.filter((r) => r.result === 'decided')).toHaveLength(19);

    const b = await proposeUnjam();
    expect((await deps.store.approve(b.id, 'U1', 2, now().toISOString())).result).toBe('recorded');
    expect((await deps.store.approve(b.id, 'U1', 2, now().toISOString())).result).toBe('duplicate');
    expect(await deps.store.approve(b.id, 'U2', 2, now().toISOString())).toEqual({
      result: 'approved',
      approvers: ['U1', 'U2'],
    });
  });

  it('refuses once the Redis TTL has run out, and claims an execution once', async () => {
    const a = await proposeUnjam();
    await redis.del(`${prefix}:approval:${a.id}:pending`);
    expect((await deps.store.approve(a.id, 'U0A', 1, now().toISOString())).result).toBe('expired');
    expect(await deps.store.claim(a.id, 'first')).toBe(true);
    expect(await deps.store.claim(a.id, 'second')).toBe(false);
    expect((await deps.store.state(a.id))?.claim).toBe('first');
  });
});

describe('approver resolution', () => {
  it('reads a user group once for a burst of clicks, again after the cache expires; an unreadable group grants nothing', async () => {
    slack.state.userGroups.S0ONE = ['U0MEMBER'];
    const resolver = createApproverResolver(
      slackConfigSchema.parse({ approvers: ['U0A'], approverGroups: ['S0GONE', 'S0ONE'] }),
      deps.slack,
      deps.log,
      now,
    );
    const before = slack.callsOf('usergroups.users.list').length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => resolver.isApprover('U0MEMBER')));
    expect(answers.every(Boolean)).toBe(true);
    expect(await resolver.isApprover('U0A')).toBe(true);
    expect(await resolver.isApprover('U0NOBODY')).toBe(false);
    // Who is refused is told which group could not be read, and why.
    expect(await resolver.resolve('U0NOBODY')).toEqual({ approver: false, unreadable: ['S0GONE (no_such_subteam)'] });
    const refusal = await refuseApproval(
      { requestedBy: 'U0REQ' } as Approval,
      'U0NOBODY',
      slackConfigSchema.parse({ approverGroups: ['S0GONE'] }),
      resolver,
    );
    expect(refusal?.message).toContain(
      'The approver group S0GONE (no_such_subteam) could not be read, so membership there was not checked',
    );
    const calls = () =>
      slack
        .callsOf('usergroups.users.list')
        .slice(before)
        .map((c) => c.args.usergroup);
    expect(calls().filter((g) => g === 'S0ONE')).toHaveLength(1);
    slack.state.userGroups.S0ONE = [];
    clock += 61_000;
    expect(await resolver.isApprover('U0MEMBER')).toBe(false);
    expect(calls().filter((g) => g === 'S0ONE')).toHaveLength(2);
  });
});

describe('remediation job', () => {
  it('executes once: a repeated job and a retry after a Slack failure only report', async () => {
    const a = await proposeUnjam();
    await deps.store.approve(a.id, 'U0A', 1, now().toISOString());
    slack.fault({ path: /chat\.postMessage$/, status: 500, times: 1 });
    const job = { id: `rem-${a.id}`, attempt: 1, maxAttempts: 3 };
    await expect(processRemediationJob({ approvalId: a.id }, deps, job)).rejects.toThrow();
    expect((await deps.store.state(a.id))?.state).toBe('done');
    expect(await processRemediationJob({ approvalId: a.id }, deps, { ...job, attempt: 2 })).toEqual({ state: 'done' });
    expect(await processRemediationJob({ approvalId: a.id }, deps, { ...job, attempt: 3 })).toEqual({ state: 'done' });
    expect(harbor.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/widgets/7/unjam`))).toHaveLength(1);
    const posted = slack
      .callsOf('chat.postMessage')
      .filter((c) => String(c.args.text).startsWith('unjam-widget on harbor/prod'));
    expect(posted.length).toBeGreaterThanOrEqual(1);
    expect((await deps.store.state(a.id))?.reported).toBe(true);
  });

  it('is enqueued under one deterministic job id however often it is added', async () => {
    const a = await proposeUnjam();
    const queue = new Queue(queueNames.remediations, { connection: redis, prefix });
    const ids = await Promise.all(Array.from({ length: 10 }, () => enqueueRemediation(queue, a)));
    expect(new Set(ids)).toEqual(new Set([`rem-${a.id}`]));
    expect(await queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    expect((await queue.getJob(`rem-${a.id}`))?.data).toEqual({ approvalId: a.id });
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('fails an unknown approval without retry and never runs a pending one', async () => {
    await expect(
      processRemediationJob({ approvalId: newApprovalId() }, deps, { id: 'x', attempt: 1, maxAttempts: 3 }),
    ).rejects.toThrow(/no longer exists/);
    const a = await proposeUnjam();
    await expect(
      processRemediationJob({ approvalId: a.id }, deps, { id: 'x', attempt: 1, maxAttempts: 3 }),
    ).rejects.toThrow(/is pending, not approved/);
  });
});

describe('harbor-pilot audit', () => {
  it('exports the audit trail as JSON and refuses bad usage with exit 2', async () => {
    await deps.audit.append({
      actor: 'U0A',
      action: 'remediation.approved',
      remediation: 'unjam-widget',
      target: 'harbor/prod',
      params: { harbor: 'prod', password: 'nope' },
      outcome: 'approved',
    });
    const out = captureStream();
    const err = captureStream();
    const env = { REDIS_URL: redisUrl, HARBOR_PILOT_QUEUE_PREFIX: prefix };
    expect(await runAuditCommand(['--json', '--count', '5'], { stdout: out, stderr: err, env })).toBe(0);
    const doc = JSON.parse(out.text()) as {
      version: number;
      entries: { action: string; params?: Record<string, unknown> }[];
    };
    expect(doc.version).toBe(1);
    expect(doc.entries[0]).toMatchObject({
      action: 'remediation.approved',
      params: { harbor: 'prod', password: '[redacted]' },
    });
    expect(doc.entries.length).toBeLessThanOrEqual(5);
    expect(await runAuditCommand(['--count', 'lots'], { stdout: out, stderr: err, env })).toBe(2);
    expect(err.text()).toContain(
      "option '--count <N>' argument 'lots' is invalid. expected a whole number from 1 to 1000",
    );
  });

  it('runs through the real entry point', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/harbor-pilot.ts', 'audit', '--json'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl, HARBOR_PILOT_QUEUE_PREFIX: prefix },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(out).entries.some((e: { action: string }) => e.action === 'remediation.proposed')).toBe(true);
  });
});

describe('proposals without approvers', () => {
  it('show advice without buttons when neither slack.approvers nor slack.approverGroups is set', async () => {
    const config = parseConfig(`harbors:\n  - name: prod\n    url: ${harbor.url}\n    remediations: ["*"]\n`, {});
    const finding = jammedWidget();
    const blocks = JSON.stringify(
      await createRemediationBlocks({ ...deps, config })(finding, thread, {
        runId: 'r2',
        checkId: 'widget-jammed',
        target: 'harbor/prod',
        params: {},
      }),
    );
    expect(blocks).toContain('nobody may approve fixes here');
    expect(blocks).not.toContain('remediation:approve');
  });
});
