import { describe, expect, it } from 'vitest';
import { assembleDigest } from '../../src/digest/assemble.js';
import { digestMessage, sparkline } from '../../src/digest/digest-message.js';
import { countRemediations } from '../../src/digest/remediation-counts.js';
import { localDate, openTrend } from '../../src/digest/trend.js';
import { fingerprintOf, type Finding, type Severity } from '../../src/findings/finding.js';
import type { FindingRecord } from '../../src/findings/finding-record.js';

const now = new Date('2026-11-23T08:00:00Z');
const h = (hours: number) => new Date(now.getTime() - hours * 3600_000).toISOString();

function record(
  name: string,
  severity: Severity,
  opened: string,
  resolved?: string,
  target = 'harbor/prod',
): FindingRecord {
  const base = {
    check: 'harbor-health',
    cause: 'component-unhealthy',
    target,
    resource: { kind: 'HarborComponent', name, namespace: null },
  };
  const finding: Finding = {
    ...base,
    severity,
    title: `Harbor component ${name} is unhealthy`,
    summary: '',
    fingerprint: fingerprintOf(base),
    evidence: [],
    remediations: [],
  };
  return {
    fingerprint: finding.fingerprint,
    finding,
    status: resolved ? 'resolved' : 'open',
    firstSeen: opened,
    openedAt: opened,
    lastSeen: resolved ?? h(0),
    timesSeen: 3,
    resolvedAt: resolved,
    pastEpisodes: [],
    posts: [],
  };
}

const records = [
  record('registry', 'critical', h(100)),
  record('core', 'critical', h(2)),
  record('trivy', 'warning', h(50), h(5)),
  record('old', 'info', h(300), h(200)),
  record('<!channel>', 'warning', h(3), undefined, 'harbor/edge'),
];
const none = { approved: 0, rejected: 0, executed: 0 };

describe('digest assembly', () => {
  it('sorts findings into new, still open and resolved since the last digest, by target', () => {
    const d = assembleDigest({
      records,
      silences: [],
      lastRuns: [],
      remediations: none,
      since: new Date(h(24)),
      now,
      timezone: 'Europe/Berlin',
    });
    expect(d.newFindings.map((r) => r.finding.resource.name)).toEqual(['core', '<!channel>']);
    expect(d.stillOpen.map((r) => r.finding.resource.name)).toEqual(['registry']);
    expect(d.resolved.map((r) => r.finding.resource.name)).toEqual(['trivy']);
    expect(d.byTarget).toEqual([
      {
        target: 'harbor/edge',
        new: { critical: 0, warning: 1, info: 0 },
        open: { critical: 0, warning: 1, info: 0 },
        resolved: { critical: 0, warning: 0, info: 0 },
      },
      {
        target: 'harbor/prod',
        new: { critical: 1, warning: 0, info: 0 },
        open: { critical: 2, warning: 0, info: 0 },
        resolved: { critical: 0, warning: 1, info: 0 },
      },
    ]);
  });

  it('keeps to its targets when it has some', () => {
    const d = assembleDigest({
      records,
      silences: [],
      lastRuns: [{ check: 'harbor-health', target: 'harbor/edge', status: 'error', at: h(1) }],
      remediations: none,
      since: new Date(h(24)),
      now,
      timezone: 'UTC',
      targets: ['harbor/prod'],
    });
    expect(d.byTarget.map((t) => t.target)).toEqual(['harbor/prod']);
    expect(d.failedChecks).toEqual([]);
  });

  it('counts open findings per day at the digest hour, in the digest timezone', () => {
    const trend = openTrend(records, now, 'America/Los_Angeles');
    expect(trend).toHaveLength(14);
    expect(trend.at(-1)).toEqual({ date: '2026-11-23', critical: 2, warning: 1, info: 0 });
    expect(trend.at(-3)).toEqual({ date: '2026-11-21', critical: 1, warning: 1, info: 0 });
    expect(trend.at(-10)).toEqual({ date: '2026-11-14', critical: 0, warning: 0, info: 1 });
    expect(localDate(new Date('2026-11-23T06:00:00Z'), 'America/Los_Angeles')).toBe('2026-11-22');
  });

  it('counts a finding that resolved and came back on the days of each of its episodes', () => {
    // Open from 10 to 8 days ago, then again since 2 days ago (sampled daily at the digest hour).
    const flapping = {
      ...record('jobservice', 'warning', h(48)),
      pastEpisodes: [{ openedAt: h(240), resolvedAt: h(192) }],
    };
    const trend = openTrend([flapping], now, 'UTC');
    expect(trend.map((d) => d.warning).join('')).toBe('00011000000111');
    expect(
      openTrend([{ ...flapping, pastEpisodes: [] }], now, 'UTC')
        .map((d) => d.warning)
        .join(''),
    ).toBe('00000000000111');
  });

  it('writes a digest that escapes what upstreams say and carries the trend in words', () => {
    const d = assembleDigest({
      records,
      silences: [],
      lastRuns: [],
      remediations: { approved: 2, rejected: 1, executed: 1 },
      since: new Date(h(24)),
      now,
      timezone: 'Europe/Berlin',
    });
    const body = digestMessage(d);
    const text = JSON.stringify(body.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('Mon, Nov 23, 09:00 (Europe/Berlin), since Sun, Nov 22, 09:00');
    expect(body.text).toBe(
      'Harbor digest: 2 new, 1 still open, 1 resolved; remediations 2 approved, 1 rejected, 1 executed',
    );
    expect(sparkline(d.trend, 'critical')).toMatch(/^critical `[ ▁-█]{14}` now 2, peak 2$/);
    expect(sparkline(d.trend, 'info')).toBe('info ` ████         ` now 0, peak 1');
    expect(sparkline(d.trend.slice(-3), 'info')).toBe('');
  });

  it('says so when the period was quiet', () => {
    const d = assembleDigest({
      records: [],
      silences: [],
      lastRuns: [],
      remediations: none,
      since: new Date(h(24)),
      now,
      timezone: 'UTC',
    });
    expect(JSON.stringify(digestMessage(d).blocks)).toContain('A quiet period: no findings new, open or resolved.');
  });

  it('counts remediations by audit action prefix, within its targets', () => {
    const e = (action: string, target?: string) => ({ at: h(1), actor: 'U1', action, target, outcome: 'ok' });
    const entries = [
      e('remediation.approved'),
      e('remediation.approved.second'),
      e('remediation.rejected'),
      e('remediation.executed', 'cluster/prod'),
      e('remediation.proposed'),
      e('finding.silenced'),
    ];
    expect(countRemediations(entries)).toEqual({ approved: 2, rejected: 1, executed: 1 });
    expect(countRemediations(entries, ['harbor/prod'])).toEqual({ approved: 2, rejected: 1, executed: 0 });
  });
});
