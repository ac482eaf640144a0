import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/findings/finding.js';
import { startFindingsHarness, type FindingsHarness } from '../support/findings-harness.js';

let h: FindingsHarness;
const fp = fingerprintOf({
  check: 'harbor-health',
  cause: 'component-unhealthy',
  target: 'harbor/prod',
  resource: { kind: 'HarborComponent', name: 'registry', namespace: null },
});
const thread = (n: number) => ({ channel: 'C0INC', threadTs: `1763900000.00000${n}` });

beforeEach(async () => {
  h = await startFindingsHarness('findings-silence', { start: '2026-11-23T10:00:00Z' });
  h.unhealthy('registry', 'trivy');
  await h.runIn(thread(0));
});
afterEach(async () => {
  await h.close();
});

describe('silences', () => {
  it('records and counts a silenced finding but does not announce it until the silence expires', async () => {
    const s = await h.findings.silences.silence({
      fingerprint: fp,
      by: 'U0ALICE',
      reason: 'registry maintenance',
      durationMs: 2 * 3600_000,
    });
    expect(s.until).toBe('2026-11-23T12:00:00.000Z');

    h.clock.set('2026-11-23T11:59:00Z');
    const result = await h.runIn(thread(1));
    expect(result.counts).toEqual({ critical: 1, warning: 1, info: 0 });
    expect(h.postsIn(thread(1))).toEqual(['[warning] Harbor component trivy is unhealthy']);
    expect(await h.findings.store.get(fp)).toMatchObject({ status: 'open', timesSeen: 2 });
    expect(await h.findings.silences.list()).toHaveLength(1);

    h.clock.set('2026-11-23T12:00:01Z');
    expect(await h.findings.silences.active(fp)).toBeUndefined();
    await h.runIn(thread(2));
    expect(h.postsIn(thread(2))).toContain('[critical] Harbor component registry is unhealthy');
    expect(await h.findings.silences.list()).toEqual([]);
  });

  it('does not announce the resolution of a silenced finding', async () => {
    await h.findings.silences.silence({ fingerprint: fp, by: 'U0ALICE', reason: '', durationMs: 3600_000 });
    h.unhealthy('trivy');
    await h.runIn(thread(1));
    expect(await h.findings.store.get(fp)).toMatchObject({ status: 'resolved' });
    expect(h.slack.callsOf('chat.postMessage').filter((c) => String(c.args.text).startsWith('Resolved:'))).toEqual([]);
  });

  it('puts who silenced what, why and until when, and who lifted it, in the audit trail', async () => {
    await h.findings.silences.silence({
      fingerprint: fp,
      by: 'U0ALICE',
      reason: 'registry maintenance',
      durationMs: 30 * 60_000,
    });
    h.clock.advance(60_000);
    expect(await h.findings.silences.unsilence(fp, 'U0BOB')).toBe(true);
    expect(await h.findings.silences.unsilence(fp, 'U0BOB')).toBe(false);
    const entries = await h.findings.audit.latest(10);
    expect(entries.map((e) => [e.actor, e.action, e.fingerprint, e.outcome, e.detail])).toEqual([
      ['U0BOB', 'finding.unsilenced', fp, 'removed', 'silenced by U0ALICE until 2026-11-23T10:30:00.000Z'],
      ['U0ALICE', 'finding.silenced', fp, 'until 2026-11-23T10:30:00.000Z', 'registry maintenance'],
    ]);
    await h.runIn(thread(1));
    expect(h.postsIn(thread(1))).toContain('[critical] Harbor component registry is unhealthy');
  });
});
