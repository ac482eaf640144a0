import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/findings/finding.js';
import { processDiagnosisJob } from '../../src/diagnosis/summarize-diagnosis.js';
import { startFindingsHarness, type FindingsHarness } from '../support/findings-harness.js';

let h: FindingsHarness;
const registryFp = fingerprintOf({
  check: 'harbor-health',
  cause: 'component-unhealthy',
  target: 'harbor/prod',
  resource: { kind: 'HarborComponent', name: 'registry', namespace: null },
});
const first = { channel: 'C0INC', threadTs: '1763900000.000001' };
const second = { channel: 'C0INC', threadTs: '1763900000.000002' };

beforeEach(async () => {
  h = await startFindingsHarness('findings-life');
});
afterEach(async () => {
  await h.close();
});

describe('findings lifecycle', () => {
  it('posts a finding once per thread and keeps one "still present" note up to date on re-runs', async () => {
    h.unhealthy('registry', 'trivy');
    await h.runIn(first);
    expect(h.postsIn(first)).toEqual([
      '[critical] Harbor component registry is unhealthy',
      '[warning] Harbor component trivy is unhealthy',
    ]);

    h.clock.advance(15 * 60_000);
    await h.runIn(first);
    const afterTwo = h.postsIn(first);
    expect(afterTwo).toHaveLength(3);
    expect(afterTwo[2]).toContain('Harbor component registry is unhealthy still present, seen 2 times since 09:12 UTC');
    expect(afterTwo[2]).toContain('Harbor component trivy is unhealthy still present, seen 2 times since 09:12 UTC');

    h.clock.advance(15 * 60_000);
    await h.runIn(first);
    h.clock.advance(15 * 60_000);
    await h.runIn(first);
    expect(h.postsIn(first)).toHaveLength(3);
    const updates = h.slack.callsOf('chat.update');
    expect(updates).toHaveLength(2);
    expect(String(updates.at(-1)?.args.text)).toContain('still present, seen 4 times since 09:12 UTC');
    expect(JSON.stringify(updates.at(-1)?.args.blocks)).toContain('seen 4 times since <!date^');

    const record = await h.findings.store.get(registryFp);
    expect(record).toMatchObject({
      status: 'open',
      timesSeen: 4,
      firstSeen: '2026-11-23T09:12:00.000Z',
      lastSeen: '2026-11-23T09:57:00.000Z',
    });
    expect(record?.posts).toEqual([{ ...first, ts: expect.any(String) }]);

    await h.runIn(second);
    expect(h.postsIn(second)).toEqual([
      '[critical] Harbor component registry is unhealthy',
      '[warning] Harbor component trivy is unhealthy',
    ]);
    expect((await h.findings.store.get(registryFp))?.posts).toHaveLength(2);
  });

  it('resolves what a later run no longer sees and tells the threads it was posted in', async () => {
    h.unhealthy('registry', 'trivy');
    await h.runIn(first);
    await h.runIn(second);
    h.clock.set('2026-11-23T10:40:00Z');
    h.unhealthy('trivy');
    const third = { channel: 'C0OTHER', threadTs: '1763900000.000003' };
    await h.runIn(third);

    for (const t of [first, second]) {
      const notice = h.postsIn(t).find((p) => p.startsWith('Resolved:'));
      expect(notice).toBe(
        'Resolved: Harbor component registry is unhealthy (harbor/prod); seen 2 times since 09:12 UTC',
      );
    }
    expect(h.postsIn(third)).toEqual(['[warning] Harbor component trivy is unhealthy']);
    expect(await h.findings.store.get(registryFp)).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-11-23T10:40:00.000Z',
      posts: [],
    });

    await h.runIn(third);
    expect(h.slack.callsOf('chat.postMessage').filter((c) => String(c.args.text).startsWith('Resolved:'))).toHaveLength(
      2,
    );

    h.clock.set('2026-11-23T11:00:00Z');
    h.unhealthy('registry', 'trivy');
    await h.runIn(first);
    expect(h.postsIn(first).slice(-2)).toEqual([
      '[critical] Harbor component registry is unhealthy',
      'harbor-health on harbor/prod: Harbor component trivy is unhealthy still present, seen 5 times since 09:12 UTC',
    ]);
    expect(await h.findings.store.get(registryFp)).toMatchObject({
      status: 'open',
      timesSeen: 1,
      openedAt: '2026-11-23T11:00:00.000Z',
      firstSeen: '2026-11-23T09:12:00.000Z',
      pastEpisodes: [{ openedAt: '2026-11-23T09:12:00.000Z', resolvedAt: '2026-11-23T10:40:00.000Z' }],
    });
  });

  it('updates the root message of a diagnosis once everything its thread reported has resolved', async () => {
    const status = { label: 'harbor/prod', requestedBy: 'U0ALICE', planned: 1, startedAt: '2026-11-23T09:11:58.000Z' };
    const root = await h.postRoot('C0INC', status);
    h.unhealthy('registry', 'trivy');
    const result = await h.runIn(root);
    await processDiagnosisJob({ ...status, runId: 'run1', slack: root }, [result], 0, {
      ...h.ctx,
      rememberRoot: h.ctx.publisher.rememberRoot,
    });
    const rootUpdates = () =>
      h.slack
        .callsOf('chat.update')
        .filter((c) => c.args.ts === root.threadTs)
        .map((c) => String(c.args.text));
    expect(rootUpdates()).toEqual([
      ':red_circle: Diagnosis of harbor/prod for <@U0ALICE> finished in 2.0 s: 1 critical · 1 warning · 0 info',
    ]);

    // One of the two resolves, seen from another thread: the root still has an open finding.
    h.clock.set('2026-11-23T10:00:00Z');
    h.unhealthy('registry');
    await h.runIn(second);
    expect(rootUpdates()).toHaveLength(1);

    h.clock.set('2026-11-24T08:30:00Z');
    h.unhealthy();
    await h.runIn(second);
    expect(rootUpdates()).toEqual([
      ':red_circle: Diagnosis of harbor/prod for <@U0ALICE> finished in 2.0 s: 1 critical · 1 warning · 0 info',
      ':white_check_mark: Diagnosis of harbor/prod for <@U0ALICE> finished in 2.0 s: 1 critical · 1 warning · 0 info; all resolved since',
    ]);
    const blocks = JSON.stringify(h.slack.callsOf('chat.update').at(-1)?.args.blocks);
    expect(blocks).toContain('Everything reported in this thread has resolved since, the last at <!date^');
    expect(blocks).toContain('{date_short} {time}|Nov 24 08:30 UTC>');

    await h.runIn(second);
    expect(rootUpdates()).toHaveLength(2);
  });

  it('leaves a deleted root message alone and still resolves', async () => {
    const root = await h.postRoot('C0INC', { label: 'harbor/prod', planned: 1 });
    h.unhealthy('registry');
    const result = await h.runIn(root);
    await processDiagnosisJob(
      { runId: 'run1', label: 'harbor/prod', startedAt: '2026-11-23T09:11:58.000Z', planned: 1, slack: root },
      [result],
      0,
      { ...h.ctx, rememberRoot: h.ctx.publisher.rememberRoot },
    );
    h.slack.fault({
      path: /\/api\/chat\.update$/,
      status: 200,
      body: { ok: false, error: 'message_not_found' },
      times: 1,
    });
    h.unhealthy();
    await h.runIn(second);
    expect(h.postsIn(root).filter((p) => p.startsWith('Resolved:'))).toHaveLength(1);
    expect(await h.findings.store.unnotifiedResolutions()).toEqual([]);
    // The summary went through; the resolution's update met the deleted message and was not retried.
    expect(h.slack.requests.filter((r) => r.path === '/api/chat.update')).toHaveLength(2);
    expect(h.slack.callsOf('chat.update').filter((c) => c.args.ts === root.threadTs)).toHaveLength(1);
  });

  it('resolves nothing when the check could not complete, and resolves the unreachable finding once it can', async () => {
    h.unhealthy('registry');
    await h.runIn(first);
    h.harbor.fault({ path: /\/api\/v2\.0\/health$/, status: 503, times: 3 });
    const failed = await h.runIn(first);
    expect(failed.status).toBe('error');
    expect(await h.findings.store.get(registryFp)).toMatchObject({ status: 'open' });
    expect(h.postsIn(first).at(-1)).toMatch(/^\[critical\] Harbor component health: cannot reach harbor/);

    h.harbor.clearFaults();
    h.unhealthy();
    await h.runIn(first);
    const resolved = h.postsIn(first).filter((p) => p.startsWith('Resolved:'));
    expect(resolved).toHaveLength(2);
    expect(resolved.join('\n')).toContain('Harbor component registry is unhealthy');
    expect(resolved.join('\n')).toContain('cannot reach harbor');
    const runs = await h.findings.store.lastRuns();
    expect(runs).toEqual([expect.objectContaining({ check: 'harbor-health', target: 'harbor/prod', status: 'ok' })]);
  });

  it('lets a run with explicit parameters add findings but resolve none', async () => {
    h.unhealthy('registry');
    await h.runIn(first);
    const run = {
      id: 'harbor-health',
      target: 'harbor/prod' as const,
      status: 'ok' as const,
      durationMs: 5,
      findings: [],
    };
    expect((await h.findings.store.recordRun(run, { partial: true })).resolved).toEqual([]);
    expect(await h.findings.store.get(registryFp)).toMatchObject({ status: 'open' });
    expect((await h.findings.store.recordRun(run)).resolved.map((r) => r.fingerprint)).toEqual([registryFp]);
  });

  it('still tells the thread when Slack failed the first time it tried', async () => {
    h.unhealthy('registry');
    await h.runIn(first);
    h.unhealthy();
    h.slack.fault({ path: /\/api\/chat\.postMessage$/, status: 500, times: 1 });
    await expect(h.runIn(second)).rejects.toThrow();
    expect(await h.findings.store.get(registryFp)).toMatchObject({ status: 'resolved' });
    expect(h.postsIn(first).filter((p) => p.startsWith('Resolved:'))).toEqual([]);
    await h.runIn(second);
    expect(h.postsIn(first).filter((p) => p.startsWith('Resolved:'))).toHaveLength(1);
    await h.runIn(second);
    expect(h.postsIn(first).filter((p) => p.startsWith('Resolved:'))).toHaveLength(1);
  });
});
