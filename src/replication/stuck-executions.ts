import { formatDuration } from '../checks/format.js';
import { taskIsActive, type ReplicationExecution, type ReplicationTask } from '../harbor/replication-schemas.js';

export interface StuckThresholds {
  /** Never call an execution stuck before this much run time. */
  floorMs: number;
  /** Stuck when running longer than factor x the policy's usual duration. */
  factor: number;
  /** Stuck when no task has finished for this long while tasks are still active. */
  stallMs: number;
}

export interface StuckAssessment {
  stuck: boolean;
  elapsedMs: number;
  thresholdMs: number;
  usualMs: number | null;
  evidence: string[];
  activeTasks: ReplicationTask[];
  /** Time since the last task finished (or since the start when none did). */
  idleMs: number;
}

const time = (s: string | null | undefined) => (s ? Date.parse(s) : Number.NaN);

/** The median run time of the policy's successful executions; null without history. */
export function usualDurationMs(finished: readonly ReplicationExecution[]): number | null {
  const durations = finished
    .filter((e) => e.status === 'Succeed')
    .map((e) => time(e.end_time) - time(e.start_time))
    .filter((d) => Number.isFinite(d) && d >= 0)
    .sort((a, b) => a - b);
  if (durations.length === 0) return null;
  const mid = Math.floor(durations.length / 2);
  return durations.length % 2
    ? (durations[mid] as number)
    : ((durations[mid - 1] as number) + (durations[mid] as number)) / 2;
}

/**
 * Decides whether an InProgress execution is stuck: far past its policy's usual duration (never
 * before the floor), or with active tasks and no task finishing for the stall period.
 */
export function assessExecution(
  exec: ReplicationExecution,
  tasks: readonly ReplicationTask[],
  usualMs: number | null,
  t: StuckThresholds,
  now: Date,
): StuckAssessment {
  const started = time(exec.start_time);
  const elapsedMs = Number.isFinite(started) ? now.getTime() - started : 0;
  const thresholdMs = Math.max(t.floorMs, usualMs === null ? 0 : usualMs * t.factor);
  const activeTasks = tasks.filter((x) => taskIsActive(x.status));
  const ends = tasks.map((x) => time(x.end_time)).filter(Number.isFinite);
  const lastProgress = Math.max(started, ...ends);
  const idleMs = Number.isFinite(lastProgress) ? now.getTime() - lastProgress : elapsedMs;
  const tooLong = elapsedMs > thresholdMs;
  const stalled = elapsedMs > t.floorMs && idleMs > t.stallMs && (activeTasks.length > 0 || tasks.length === 0);
  const evidence = [
    `GET /api/v2.0/replication/executions/${exec.id}: status=${exec.status} start_time=${exec.start_time ?? '-'} ` +
      `total=${exec.total} succeed=${exec.succeed} failed=${exec.failed} in_progress=${exec.in_progress}`,
    usualMs === null
      ? `policy ${exec.policy_id} has no successful execution to learn from; threshold = floor ` +
        `${formatDuration(t.floorMs)}`
      : `usual duration of policy ${exec.policy_id} (median of its successful executions) = ` +
        `${formatDuration(usualMs)}; threshold = max(floor ${formatDuration(t.floorMs)}, ${t.factor} x usual) = ` +
        `${formatDuration(thresholdMs)}`,
    tasks.length === 0
      ? `no task has been created in ${formatDuration(elapsedMs)}`
      : `${activeTasks.length} of ${tasks.length} tasks still active; last task finished ` +
        `${ends.length ? `${formatDuration(idleMs)} ago` : 'never'}`,
  ];
  return { stuck: tooLong || stalled, elapsedMs, thresholdMs, usualMs, evidence, activeTasks, idleMs };
}
