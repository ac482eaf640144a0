import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/harbor/limiter.js';

describe('createLimiter', () => {
  it('never runs more than max tasks at once and runs them all, in order of arrival', async () => {
    const limiter = createLimiter(3);
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          await new Promise((r) => setTimeout(r, 2));
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.peak).toBe(3);
    expect(limiter.active).toBe(0);
  });

  it('hands a finished slot to the waiter, not to a caller arriving before the waiter resumes', async () => {
    const limiter = createLimiter(1);
    let running = 0;
    let most = 0;
    const task = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 2));
      running -= 1;
    };
    let open = () => {};
    running = 1;
    const inner = new Promise<void>((r) => {
      open = r;
    }).then(() => {
      running -= 1;
    });
    const first = limiter.run(() => inner);
    const waiter = limiter.run(task);
    // Runs right after the first task's slot is released, before the waiter's await resumes.
    const late = inner.then(() => limiter.run(task));
    open();
    await Promise.all([first, waiter, late]);
    expect(most).toBe(1);
    expect(limiter.active).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
  });
});
