import { sleep } from '../http.js';

export interface PollOptions {
  signal: AbortSignal;
  /** Give up after this long and return the last answer. */
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Re-reads until `done` says so or time runs out, returning the last answer either way: how a
 * remediation watches a rollout or a deletion settle without blocking a worker forever.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions,
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let value = await read();
  while (!done(value) && Date.now() + (options.intervalMs ?? 2000) < deadline && !options.signal.aborted) {
    await sleep(options.intervalMs ?? 2000, options.signal).catch(() => undefined);
    if (options.signal.aborted) break;
    value = await read();
  }
  return value;
}
