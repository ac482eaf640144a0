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

  it('frees the slot of a task that throws', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
  });
});
