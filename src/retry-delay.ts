/**
 * How long to wait before retrying an idempotent read. An upstream that says how long (Retry-After on
 * 429 or 503) is obeyed, up to a cap: asking us to wait longer than a check can afford means "not now",
 * and the caller gives up instead. Otherwise exponential backoff with jitter, so the retries of many
 * concurrent requests (a scan of 8 at a time, several workers) do not arrive in lockstep.
 */
export interface RetryDelayOptions {
  /** 1 for the first retry. */
  attempt: number;
  baseMs: number;
  /** Milliseconds the upstream asked for (from `parseRetryAfter`), if it did. */
  retryAfterMs?: number;
  /** The longest Retry-After obeyed; longer means: do not retry. */
  maxRetryAfterMs?: number;
  random?: () => number;
}

export const defaultMaxRetryAfterMs = 5_000;

/** Milliseconds to wait, or undefined when the upstream asked for longer than we may wait. */
export function retryDelayMs(o: RetryDelayOptions): number | undefined {
  if (o.retryAfterMs !== undefined) {
    return o.retryAfterMs <= (o.maxRetryAfterMs ?? defaultMaxRetryAfterMs) ? o.retryAfterMs : undefined;
  }
  const ceiling = o.baseMs * 2 ** (o.attempt - 1);
  // "Equal jitter": at least half the backoff, so retries never hammer, at most all of it.
  return ceiling / 2 + (o.random ?? Math.random)() * (ceiling / 2);
}

/** A Retry-After header (delta-seconds or an HTTP date) in milliseconds from `now`; undefined if absent or bad. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Statuses whose Retry-After a client honours. */
export const retryAfterStatuses = new Set([429, 503]);
