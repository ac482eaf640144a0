import type { FindingInput } from '../checks/define.js';
import { clip, formatDuration } from '../checks/format.js';
import type { GcRun } from '../harbor/admin-schemas.js';
import { scrubLogLine } from '../log-scrub.js';

type Outcome = 'success' | 'error' | 'stopped' | 'running';

/** Harbor 2.x says Success/Error/Stopped/Running/Pending; 1.x said finished/error/stopped. */
export function outcomeOf(status: string): Outcome {
  const s = status.toLowerCase();
  if (s === 'success' || s === 'succeed' || s === 'finished') return 'success';
  if (s === 'error' || s === 'failed') return 'error';
  if (s === 'stopped') return 'stopped';
  return 'running';
}

const started = (r: GcRun) => Date.parse(r.creation_time ?? '') || 0;

/** The latest finished run when it failed or was stopped, with the failures before it; null when it succeeded. */
export function failedLatest(
  runs: readonly GcRun[],
): { latest: GcRun; streak: GcRun[]; lastSuccess: GcRun | null } | null {
  const finished = [...runs]
    .sort((a, b) => started(b) - started(a) || b.id - a.id)
    .filter((r) => outcomeOf(r.job_status) !== 'running');
  const [latest] = finished;
  if (!latest || outcomeOf(latest.job_status) === 'success') return null;
  const firstSuccess = finished.findIndex((r) => outcomeOf(r.job_status) === 'success');
  const streak = firstSuccess < 0 ? finished : finished.slice(0, firstSuccess);
  return { latest, streak, lastSuccess: firstSuccess < 0 ? null : (finished[firstSuccess] as GcRun) };
}

/** The last `lines` lines of a job log, each clipped and scrubbed. */
export function logTail(text: string, lines = 15): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .map((l) => clip(scrubLogLine(l), 240));
}

function when(r: GcRun, now: Date): string {
  const t = started(r);
  return t ? `${new Date(t).toISOString()} (${formatDuration(now.getTime() - t)} ago)` : 'at an unknown time';
}

/** The gc-failed finding for a failed or stopped latest run. */
export function gcFinding(
  f: NonNullable<ReturnType<typeof failedLatest>>,
  log: string[],
  seen: number,
  now: Date,
): FindingInput {
  const { latest, streak, lastSuccess } = f;
  const stopped = outcomeOf(latest.job_status) === 'stopped';
  const since = lastSuccess
    ? `the last successful run was ${lastSuccess.id}, started ${when(lastSuccess, now)}`
    : `none of the last ${seen} runs succeeded`;
  return {
    cause: 'gc-failed',
    title: `Garbage collection run ${latest.id} ${stopped ? 'was stopped' : 'failed'} (${streak.length} in a row)`,
    summary:
      `The latest garbage collection ${stopped ? 'was stopped before it finished' : 'ended in error'}, ` +
      `so deleted artifacts still hold their blobs and storage keeps growing until pushes fail ` +
      `on a full disk or quota; ${since}. Read the log tail for the reason (often the registry's ` +
      `storage refusing deletes, or jobservice restarted mid-run), fix it, then run GC again (Administration ` +
      `> Clean Up).`,
    resource: { kind: 'GarbageCollection', name: String(latest.id), namespace: null },
    evidence: [
      `GET /api/v2.0/system/gc: run ${latest.id} (${latest.job_kind ?? 'unknown trigger'}) ` +
        `job_status=${latest.job_status}, started ${when(latest, now)}`,
      `failed or stopped in a row: ${streak.map((r) => `${r.id} ${r.job_status}`).join(', ')}; ${since}`,
      ...(log.length
        ? [`log of run ${latest.id} (last ${log.length} lines):`, ...log]
        : [`no log for run ${latest.id}`]),
    ],
  };
}
