import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createAuditLog } from '../../src/audit-log.js';
import { uniquePrefix } from '../support/helpers.js';

const redis = new Redis(inject('redisUrl'));
const prefix = uniquePrefix('audit');
afterAll(async () => {
  await redis.del(`${prefix}:audit`);
  await redis.quit();
});

describe('audit trail', () => {
  it('appends entries to a Redis stream and reads them newest first, without secrets', async () => {
    let t = Date.parse('2026-11-23T10:00:00Z');
    const audit = createAuditLog(redis, prefix, () => {
      t += 1000;
      return new Date(t);
    });
    await audit.append({
      actor: 'U1',
      action: 'remediation.proposed',
      remediation: 'rollout-restart',
      params: { cluster: 'prod', token: 'xoxb-nope' },
      outcome: 'pending',
    });
    await audit.append({ actor: 'U2', action: 'remediation.clicked', outcome: 'refused', detail: 'not an approver' });
    const entries = await audit.latest(10);
    expect(entries.map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['U2', 'remediation.clicked', 'refused'],
      ['U1', 'remediation.proposed', 'pending'],
    ]);
    expect(entries[1]?.params).toEqual({ cluster: 'prod', token: '[redacted]' });
    expect(entries[0]?.at).toBe('2026-11-23T10:00:02.000Z');
    expect(await redis.xlen(`${prefix}:audit`)).toBe(2);
  });
});
