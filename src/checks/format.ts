/** `5h`, `4h30m`, `11m`, `40s`: durations as responders read them. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
}

/** Cuts a quoted API value or log line so evidence stays short. */
export function clip(text: string, max = 240): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/**
 * `first`, then later on the same line `then`, case-insensitive: what `/first.*then/i` says, but
 * anchored to the first `first`, so a line repeating it cannot make the match retry from every
 * occurrence (quadratic time on a long hostile line).
 */
export function inOrder(first: string, then: string): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^(?:(?!${esc(first)}).)*${esc(first)}.*${esc(then)}`, 'i');
}
