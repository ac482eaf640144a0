import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAckGate } from '../../src/slack/ack-gate.js';

// The clock is faked (setTimeout and performance.now), so the order of events is what is tested.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function watch(p: Promise<void> | undefined): { done: boolean } {
  const state = { done: p === undefined };
  void p?.then(() => {
    state.done = true;
  });
  return state;
}

describe('AckGate', () => {
  it('lets a job start at once when no payload awaits its ack', () => {
    expect(createAckGate().idle()).toBeUndefined();
  });

  it('holds jobs while a payload awaits its ack, and until no other arrived for quietMs', async () => {
    const gate = createAckGate({ quietMs: 25, maxWaitMs: 250 });
    const leaveA = gate.enter();
    const job = watch(gate.idle());
    await vi.advanceTimersByTimeAsync(100);
    const leaveB = gate.enter(); // t=100: the burst goes on
    await vi.advanceTimersByTimeAsync(5);
    leaveA();
    leaveA(); // idempotent: the count does not go below zero
    await vi.advanceTimersByTimeAsync(5);
    expect(job.done).toBe(false); // t=110: B still awaits its ack
    leaveB();
    await vi.advanceTimersByTimeAsync(10);
    expect(job.done).toBe(false); // t=120: 20 ms after the last arrival
    await vi.advanceTimersByTimeAsync(6);
    expect(job.done).toBe(true); // t=126
    expect(gate.idle()).toBeUndefined();
  });

  it('never holds a job longer than maxWaitMs, even when a payload is never acked', async () => {
    const gate = createAckGate({ quietMs: 25, maxWaitMs: 250 });
    gate.enter();
    const first = watch(gate.idle());
    await vi.advanceTimersByTimeAsync(100);
    const second = watch(gate.idle());
    await vi.advanceTimersByTimeAsync(150);
    expect([first.done, second.done]).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(100);
    expect(second.done).toBe(true);
  });
});
