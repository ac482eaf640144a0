/**
 * Acks first, in a process that is both the bot and a worker (`start`): a job waits to start while
 * Slack payloads await their ack, and until none has arrived for `quietMs` (a burst of commands
 * arrives over tens of milliseconds), at most `maxWaitMs`. The burst is acked before the work it
 * queued competes with its acks for the event loop.
 */
export interface AckGate {
  /** A payload arrived; call the returned function once it is acked (or given up on). Idempotent. */
  enter(): () => void;
  /** Resolves once the bot is quiet, or after `maxWaitMs`; undefined when it is quiet now. */
  idle(): Promise<void> | undefined;
}

interface Waiter {
  resolve(): void;
  deadline: number;
}

export function createAckGate(o: { quietMs?: number; maxWaitMs?: number } = {}): AckGate {
  const quietMs = o.quietMs ?? 25;
  const maxWaitMs = o.maxWaitMs ?? 250;
  let pending = 0;
  let lastArrival = Number.NEGATIVE_INFINITY;
  let waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;
  const quiet = (now: number) => pending === 0 && now - lastArrival >= quietMs;
  const arm = () => {
    clearTimeout(timer);
    timer = undefined;
    if (waiters.length === 0) return;
    let next = pending === 0 ? lastArrival + quietMs : Number.POSITIVE_INFINITY;
    for (const w of waiters) next = Math.min(next, w.deadline);
    timer = setTimeout(settle, Math.max(0, next - performance.now()));
  };
  const settle = () => {
    const now = performance.now();
    const go = quiet(now);
    const left: Waiter[] = [];
    for (const w of waiters) {
      if (go || now >= w.deadline) w.resolve();
      else left.push(w);
    }
    waiters = left;
    arm();
  };
  return {
    enter() {
      pending += 1;
      lastArrival = performance.now();
      let left = false;
      return () => {
        if (left) return;
        left = true;
        pending -= 1;
        if (pending === 0) arm();
      };
    },
    idle() {
      if (quiet(performance.now())) return undefined;
      return new Promise<void>((resolve) => {
        waiters.push({ resolve, deadline: performance.now() + maxWaitMs });
        arm();
      });
    },
  };
}
