import { describe, expect, it } from 'vitest';
import { fingerprintArg, parseDuration } from '../../src/findings/silences.js';

describe('silence durations', () => {
  it('reads minutes, hours, days, weeks and combinations', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('2h')).toBe(2 * 3600_000);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('1d')).toBe(24 * 3600_000);
    expect(parseDuration('2W')).toBe(14 * 24 * 3600_000);
  });

  it('refuses nonsense, zero and more than 30 days, saying what is valid', () => {
    expect(() => parseDuration('45x')).toThrow('"45x" is not a duration; use e.g. 30m, 2h, 1d, 1w or 1h30m');
    expect(() => parseDuration('')).toThrow(/is not a duration/);
    expect(() => parseDuration('0m')).toThrow('at least one minute');
    expect(() => parseDuration('31d')).toThrow('at most 30 days');
    expect(() => parseDuration('5w')).toThrow('at most 30 days');
  });

  it('takes fingerprints as 16 hex digits', () => {
    expect(fingerprintArg.safeParse('a44ea72cd78cd0cb').success).toBe(true);
    expect(fingerprintArg.safeParse('A44EA72CD78CD0CB').success).toBe(false);
    expect(fingerprintArg.safeParse('a44ea72c').success).toBe(false);
  });
});
