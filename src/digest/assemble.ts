import { countBySeverity, severityOrder, type Severity } from '../findings/finding.js';
import type { Silence } from '../findings/silences.js';
import type { LastRun } from '../findings/store.js';
import type { FindingRecord } from '../findings/finding-record.js';
import type { RemediationCounts } from './remediation-counts.js';
import { openTrend, type TrendDay } from './trend.js';

export interface DigestInput {
  records: readonly FindingRecord[];
  silences: readonly Silence[];
  lastRuns: readonly LastRun[];
  remediations: RemediationCounts;
  since: Date;
  now: Date;
  timezone: string;
  /** Only these targets when set. */
  targets?: readonly string[];
}

export interface TargetSummary {
  target: string;
  new: Record<Severity, number>;
  open: Record<Severity, number>;
  resolved: Record<Severity, number>;
}

/** Everything a digest says, before it is put into words. */
export interface Digest {
  since: string;
  until: string;
  timezone: string;
  targets?: readonly string[];
  /** Opened (first seen, or back after resolution) since the last digest. */
  newFindings: FindingRecord[];
  /** Open before the last digest and still open. */
  stillOpen: FindingRecord[];
  resolved: FindingRecord[];
  byTarget: TargetSummary[];
  remediations: RemediationCounts;
  silences: Silence[];
  /** Checks whose last run, since the last digest, could not complete. */
  failedChecks: LastRun[];
  trend: TrendDay[];
}

const bySeverity = (a: FindingRecord, b: FindingRecord) =>
  severityOrder[a.finding.severity] - severityOrder[b.finding.severity] ||
  a.finding.target.localeCompare(b.finding.target) ||
  a.finding.title.localeCompare(b.finding.title);

/** Sorts the store's records into a digest for the window `since`..`now`. Pure. */
export function assembleDigest(input: DigestInput): Digest {
  const { since, now, targets } = input;
  const inScope = (target: string) => !targets || targets.includes(target);
  const records = input.records.filter((r) => inScope(r.finding.target));
  const after = (iso: string | undefined) => iso !== undefined && Date.parse(iso) >= since.getTime();
  const newFindings = records.filter((r) => after(r.openedAt)).sort(bySeverity);
  const stillOpen = records.filter((r) => r.status === 'open' && !after(r.openedAt)).sort(bySeverity);
  const resolved = records.filter((r) => r.status === 'resolved' && after(r.resolvedAt)).sort(bySeverity);
  const open = records.filter((r) => r.status === 'open');
  const names = [...new Set([...newFindings, ...open, ...resolved].map((r) => r.finding.target))].sort();
  const byTarget = names.map((target) => {
    const of = (list: FindingRecord[]) =>
      countBySeverity(list.filter((r) => r.finding.target === target).map((r) => r.finding));
    return { target, new: of(newFindings), open: of(open), resolved: of(resolved) };
  });
  const scoped = new Set(records.map((r) => r.fingerprint));
  return {
    since: since.toISOString(),
    until: now.toISOString(),
    timezone: input.timezone,
    targets,
    newFindings,
    stillOpen,
    resolved,
    byTarget,
    remediations: input.remediations,
    silences: input.silences.filter((s) => !targets || scoped.has(s.fingerprint)),
    failedChecks: input.lastRuns.filter((r) => r.status === 'error' && inScope(r.target) && after(r.at)),
    trend: openTrend(records, now, input.timezone),
  };
}
