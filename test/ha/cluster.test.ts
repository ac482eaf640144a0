import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditTrail,
  click,
  runWidgetCheck,
  secret,
  startApprovalHarness,
  waitUntil,
  widgetWrites,
  type Harness,
} from '../support/approvals-harness.js';
import { postSigned, slashBody } from '../support/helpers.js';
import { startRedisCluster, topologyPassword, type RedisClusterSet } from '../support/redis-topologies.js';

// A three-master Redis Cluster made with `redis-cli --cluster create`: the whole Slack journey runs
// on it, and every key the bot writes shares one hash slot (multi-key commands and Lua need that).
let cluster: RedisClusterSet;
let h: Harness;

beforeAll(async () => {
  cluster = await startRedisCluster();
  h = await startApprovalHarness({ redisUrl: 'redis://127.0.0.1:6379', name: 'cluster', redisEnv: cluster.env });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await cluster?.close();
});

async function slash(text: string, id: string): Promise<string> {
  const res = await postSigned(
    h.events,
    slashBody({ text, user: 'U0RESPONDER', responseUrl: h.slack.responseUrl(id) }),
    secret,
  );
  expect(res.status).toBe(200);
  return JSON.stringify(await waitUntil(`the reply to ${text}`, () => h.slack.responses.find((r) => r.id === id)));
}

describe('Redis Cluster', () => {
  it('says so at start-up, with the hash-tagged prefix and without the password', () => {
    const line = h.logs.find((l) => l.includes('"topology":"cluster"'));
    expect(line).toContain(`keys under hash tag {${h.env.HARBOR_PILOT_QUEUE_PREFIX}}`);
    expect(h.runtime.prefix).toBe(`{${h.env.HARBOR_PILOT_QUEUE_PREFIX}}`);
    expect(h.logs.join('\n')).not.toContain(topologyPassword);
  });

  it('runs the Slack journey: diagnose, propose, approve exactly once, findings, audit', async () => {
    await postSigned(h.events, slashBody({ text: 'diagnose', responseUrl: h.slack.responseUrl('diag') }), secret);
    const summary = await waitUntil('the diagnosis summary', () =>
      h.slack.callsOf('chat.update').find((c) => String(c.args.text).includes('critical')),
    );
    expect(String(summary.args.text)).toMatch(/Diagnosis/);

    const p = await runWidgetCheck(h, 'U0RESPONDER');
    const id = p.approvals['unjam-widget'] as string;
    await Promise.all([click(h, p, 'U0APPROVER1', 'approve', id), click(h, p, 'U0APPROVER2', 'approve', id)]);
    await waitUntil('the fix to be verified', async () => (await h.store.state(id))?.state === 'done');
    expect(widgetWrites(h)).toEqual(['POST /api/v2.0/fixture/widgets/7/unjam']);
    expect(await auditTrail(h, id)).toContain('remediation.verified:ok');

    expect(await slash('findings', 'findings')).toContain('harbor/');
    expect(await slash('audit 5', 'audit')).toContain('unjam-widget');
  });

  it('keeps every key it wrote in the one hash slot of its prefix', async () => {
    const slots = new Map<number, number>();
    for (const port of cluster.ports) {
      const node = cluster.node(port);
      const keys = (await node.keys('*')) as string[];
      for (const key of keys) {
        const slot = Number(await node.call('CLUSTER', 'KEYSLOT', key));
        slots.set(slot, (slots.get(slot) ?? 0) + 1);
      }
    }
    const [[, count] = [0, 0]] = [...slots];
    expect(count).toBeGreaterThan(20);
    expect(slots.size).toBe(1);
  });
});
