/** Runs at most `max` tasks at once, first come first served: the cap on concurrent Harbor requests. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly peak: number;
}

export function createLimiter(max: number): Limiter {
  const waiting: (() => void)[] = [];
  let active = 0;
  let peak = 0;
  // A finished task hands its slot straight to the next waiter: were the slot freed first, a caller
  // arriving before the waiter resumes would take it too, and max + 1 tasks would run.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };
  return {
    get active() {
      return active;
    },
    get peak() {
      return peak;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      else active += 1;
      peak = Math.max(peak, active);
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
