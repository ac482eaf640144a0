import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/checks/format.js';
import type { ReplicationExecution } from '../../src/harbor/replication-schemas.js';
import { assessExecution, usualDurationMs } from '../../src/replication/stuck-executions.js';

const now = new Date('2026-11-22T12:00:00Z');
const ago = (min: number) => new Date(now.getTime() - min * 60_000).toISOString();
const exec = (id: number, status: string, startMin: number, endMin: number | null): ReplicationExecution => ({
  id,
  policy_id: 1,
  status,
  start_time: ago(startMin),
  end_time: endMin === null ? null : ago(endMin),
  total: 0,
  failed: 0,
  succeed: 0,
  in_progress: 0,
  stopped: 0,
});
const t = { floorMs: 3600_000, factor: 3, stallMs: 3600_000 };

describe('usualDurationMs', () => {
  it('is the median of successful executions only', () => {
    expect(
      usualDurationMs([
        exec(1, 'Succeed', 100, 90),
        exec(2, 'Succeed', 100, 80),
        exec(3, 'Failed', 100, 0),
        exec(4, 'Succeed', 100, 70),
      ]),
    ).toBe(20 * 60_000);
    expect(usualDurationMs([exec(1, 'Succeed', 100, 90), exec(2, 'Succeed', 100, 80)])).toBe(15 * 60_000);
  });
  it('is null without history or with unparsable times', () => {
    expect(usualDurationMs([])).toBeNull();
    expect(usualDurationMs([{ ...exec(1, 'Succeed', 10, 5), start_time: 'nonsense' }])).toBeNull();
  });
});

describe('assessExecution', () => {
  it('never calls a young execution stuck, whatever its history', () => {
    expect(assessExecution(exec(9, 'InProgress', 50, null), [], 60_000, t, now).stuck).toBe(false);
  });
  it('uses factor x usual above the floor', () => {
    const a = assessExecution(
      exec(9, 'InProgress', 170, null),
      [{ id: 1, execution_id: 9, status: 'Succeed', end_time: ago(5) }],
      60 * 60_000,
      t,
      now,
    );
    expect(a).toMatchObject({ stuck: false, thresholdMs: 180 * 60_000 });
    expect(assessExecution(exec(9, 'InProgress', 190, null), [], 60 * 60_000, t, now).stuck).toBe(true);
  });
  it('flags an execution with active tasks and no progress for the stall period', () => {
    const tasks = [
      { id: 1, execution_id: 9, status: 'Succeed', end_time: ago(100) },
      { id: 2, execution_id: 9, status: 'Running' },
    ];
    const a = assessExecution(exec(9, 'InProgress', 120, null), tasks, 600 * 60_000, t, now);
    expect(a).toMatchObject({ stuck: true, idleMs: 100 * 60_000 });
    expect(a.activeTasks.map((x) => x.id)).toEqual([2]);
  });
});

describe('formatDuration', () => {
  it('reads like a person wrote it', () => {
    expect([40_000, 11 * 60_000, 5 * 3600_000, 270 * 60_000, 50 * 3600_000].map(formatDuration)).toEqual([
      '40s',
      '11m',
      '5h',
      '4h30m',
      '2d2h',
    ]);
  });
});
