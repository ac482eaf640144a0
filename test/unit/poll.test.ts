import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../src/kube/poll.js';

describe('pollUntil', () => {
  it('re-reads until done, and returns the last answer when time runs out or the signal aborts', async () => {
    let n = 0;
    expect(
      await pollUntil(
        async () => ++n,
        (v) => v >= 3,
        { signal: new AbortController().signal, intervalMs: 5 },
      ),
    ).toBe(3);
    n = 0;
    expect(
      await pollUntil(
        async () => ++n,
        () => false,
        { signal: new AbortController().signal, intervalMs: 10, timeoutMs: 35 },
      ),
    ).toBeLessThanOrEqual(4);
    const aborted = new AbortController();
    aborted.abort();
    n = 0;
    expect(
      await pollUntil(
        async () => ++n,
        () => false,
        { signal: aborted.signal, intervalMs: 5 },
      ),
    ).toBe(1);
  });
});
