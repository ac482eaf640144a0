import type { Severity } from '../findings/finding.js';
import type { FindingRecord } from '../findings/finding-record.js';

/** Open findings by severity at one moment of one day. */
export interface TrendDay {
  /** The day in the digest's timezone, `YYYY-MM-DD`. */
  date: string;
  critical: number;
  warning: number;
  info: number;
}

const dayMs = 24 * 3600 * 1000;

/** `YYYY-MM-DD` of an instant in a timezone. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** True when the finding was open at `t`: in its current episode, or in an earlier one it resolved from. */
export function openAt(r: FindingRecord, t: number): boolean {
  const within = (openedAt: string, resolvedAt: string | undefined) =>
    Date.parse(openedAt) <= t && (resolvedAt === undefined || Date.parse(resolvedAt) > t);
  if (within(r.openedAt, r.status === 'open' ? undefined : (r.resolvedAt ?? r.openedAt))) return true;
  return r.pastEpisodes.some((e) => within(e.openedAt, e.resolvedAt));
}

/**
 * Open findings by severity on each of the last `days` days, sampled at the digest's time of day
 * (so every day is measured alike, whatever the timezone's DST). A finding that resolved and came
 * back counts on the days of each of its episodes (the store keeps the last 20).
 */
export function openTrend(records: readonly FindingRecord[], now: Date, timeZone: string, days = 14): TrendDay[] {
  const out: TrendDay[] = [];
  for (let k = days - 1; k >= 0; k--) {
    const t = now.getTime() - k * dayMs;
    const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
    for (const r of records) if (openAt(r, t)) counts[r.finding.severity] += 1;
    out.push({ date: localDate(new Date(t), timeZone), ...counts });
  }
  return out;
}
