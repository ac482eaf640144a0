import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/findings/finding.js';
import { parseConfig } from '../../src/config.js';
import { desiredSchedules } from '../../src/schedules.js';
import { processWatchJob } from '../../src/worker/watch-processor.js';
import { startFindingsHarness, type FindingsHarness } from '../support/findings-harness.js';

let h: FindingsHarness;
const coreFp = fingerprintOf({
  check: 'harbor-health',
  cause: 'component-unhealthy',
  target: 'harbor/prod',
  resource: { kind: 'HarborComponent', name: 'core', namespace: null },
});
const watch = { channel: 'C0ALERTS', checks: ['harbor-health'], targets: ['harbor/prod'] };

beforeEach(async () => {
  h = await startFindingsHarness('findings-watch', {
    extra: `slack:\n  alertChannel: C0ALERTS\nwatches:\n  - cron: "*/5 * * * *"\n    checks: [harbor-health]\n`,
  });
});
afterEach(async () => {
  await h.close();
});

const roots = () =>
  h.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0ALERTS' && c.args.thread_ts === undefined);

describe('watch schedules', () => {
  it('announces new critical findings in one new thread per incident, and tells it when they resolve', async () => {
    h.unhealthy('registry', 'trivy');
    expect(await processWatchJob(watch, h.ctx)).toEqual({ runs: 1, announced: 1, resolved: 0 });
    expect(roots()).toHaveLength(1);
    expect(String(roots()[0]?.args.text)).toBe(
      'New critical finding on harbor/prod: Harbor component registry is unhealthy',
    );
    const root = [...h.slack.state.messages.values()].find((m) => m.channel === 'C0ALERTS' && !m.thread_ts);
    const incident = { channel: 'C0ALERTS', threadTs: String(root?.ts) };
    expect(h.postsIn(incident)).toEqual(['[critical] Harbor component registry is unhealthy']);

    h.clock.advance(5 * 60_000);
    h.unhealthy('registry', 'core', 'trivy');
    expect(await processWatchJob(watch, h.ctx)).toMatchObject({ announced: 1 });
    expect(roots()).toHaveLength(1);
    expect(h.postsIn(incident)).toEqual([
      '[critical] Harbor component registry is unhealthy',
      'harbor-health on harbor/prod: Harbor component registry is unhealthy still present, seen 2 times since 09:12 UTC',
      '[critical] Harbor component core is unhealthy',
    ]);

    h.clock.advance(5 * 60_000);
    h.unhealthy();
    expect(await processWatchJob(watch, h.ctx)).toMatchObject({ announced: 0, resolved: 3 }); // trivy resolves too, posted in no thread
    const resolved = h
      .postsIn(incident)
      .filter((p) => p.startsWith('Resolved:'))
      .sort();
    expect(resolved).toEqual([
      'Resolved: Harbor component core is unhealthy (harbor/prod); seen 1 time since 09:17 UTC',
      'Resolved: Harbor component registry is unhealthy (harbor/prod); seen 2 times since 09:12 UTC',
    ]);
    expect(
      h.slack
        .callsOf('chat.postMessage')
        .filter((c) => String(c.args.text).includes('trivy') && c.args.channel === 'C0ALERTS'),
    ).toEqual([]);

    h.clock.advance(5 * 60_000);
    h.unhealthy('database');
    await processWatchJob(watch, h.ctx);
    expect(roots()).toHaveLength(2);
  });

  it('stays quiet for warnings and silenced critical findings', async () => {
    h.unhealthy('registry', 'trivy');
    await processWatchJob(watch, h.ctx);
    const before = h.slack.callsOf('chat.postMessage').length;
    await h.findings.silences.silence({ fingerprint: coreFp, by: 'U0ALICE', reason: 'known', durationMs: 3600_000 });
    h.unhealthy('core', 'trivy', 'registry', 'jobservice');
    expect(await processWatchJob(watch, h.ctx)).toMatchObject({ announced: 0 });
    const newPosts = h.slack
      .callsOf('chat.postMessage')
      .slice(before)
      .map((c) => String(c.args.text));
    expect(newPosts).toEqual([
      'harbor-health on harbor/prod: Harbor component registry is unhealthy still present, seen 2 times since 09:12 UTC',
    ]);
    expect((await h.findings.store.list()).filter((r) => r.status === 'open')).toHaveLength(4);
  });

  it('runs one tick of a watch at a time, announces once, and again on the retry after Slack failed', async () => {
    h.unhealthy('registry');
    h.harbor.latencyMs = 200;
    const results = await Promise.all([processWatchJob(watch, h.ctx), processWatchJob(watch, h.ctx)]);
    h.harbor.latencyMs = 0;
    expect(results).toContainEqual({ runs: 0, announced: 0, resolved: 0, skipped: true });
    expect(results).toContainEqual({ runs: 1, announced: 1, resolved: 0 });
    expect(roots()).toHaveLength(1);
    expect(h.logs.join('')).toContain('watch tick skipped: the previous one is still running');
    // Another watch (other data) is not held up by this one; and the claim was released.
    const other = { ...watch, minSeverity: 'warning' as const };
    const both = await Promise.all([processWatchJob(watch, h.ctx), processWatchJob(other, h.ctx)]);
    expect(both.map((r) => r.skipped)).toEqual([undefined, undefined]);

    h.unhealthy('registry', 'database');
    h.slack.fault({ path: /\/api\/chat\.postMessage$/, status: 500, times: 1 });
    await expect(processWatchJob(watch, h.ctx)).rejects.toThrow();
    expect(roots()).toHaveLength(1);
    expect(await processWatchJob(watch, h.ctx)).toMatchObject({ announced: 1 });
    expect(
      h.slack
        .callsOf('chat.postMessage')
        .filter((c) => String(c.args.text) === '[critical] Harbor component database is unhealthy'),
    ).toHaveLength(1);
  });

  it('announces warnings too with minSeverity warning, once per finding until it resolves', async () => {
    const warnings = { ...watch, minSeverity: 'warning' as const };
    const trivyPosts = () =>
      h.slack
        .callsOf('chat.postMessage')
        .filter((c) => c.args.channel === 'C0ALERTS' && String(c.args.text).includes('trivy'))
        .map((c) => String(c.args.text));
    h.unhealthy('trivy');
    expect(await processWatchJob(warnings, h.ctx)).toMatchObject({ announced: 1 });
    expect(String(roots()[0]?.args.text)).toBe(
      'New warning finding on harbor/prod: Harbor component trivy is unhealthy',
    );
    expect(trivyPosts()).toContain('[warning] Harbor component trivy is unhealthy');

    h.clock.advance(5 * 60_000);
    expect(await processWatchJob(warnings, h.ctx)).toMatchObject({ announced: 0 });
    h.clock.advance(5 * 60_000);
    h.unhealthy();
    expect(await processWatchJob(warnings, h.ctx)).toMatchObject({ resolved: 1 });
    h.clock.advance(5 * 60_000);
    h.unhealthy('trivy');
    expect(await processWatchJob(warnings, h.ctx)).toMatchObject({ announced: 1 });
    expect(trivyPosts().filter((t) => t === '[warning] Harbor component trivy is unhealthy')).toHaveLength(2);
  });

  it('keeps the default (critical) out of the scheduler data, so existing watch ids stay', () => {
    const config = parseConfig(
      'slack:\n  alertChannel: C0A\nwatches:\n  - cron: "* * * * *"\n  - cron: "* * * * *"\n    minSeverity: info\n',
      {},
    );
    const [critical, info] = desiredSchedules(config);
    expect(critical?.data).toEqual({ channel: 'C0A', targets: undefined, checks: undefined });
    expect(info?.data).toMatchObject({ minSeverity: 'info' });
  });
});
