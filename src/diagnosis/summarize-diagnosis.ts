import type { Reporter } from '../slack/reporter.js';
import { checkJobResultSchema, type CheckJobResult, type DiagnosisJob } from '../diagnosis/diagnosis-jobs.js';
import type { SlackThread } from '../slack/slack-thread.js';
import type { RootStatus } from '../diagnosis/root-message.js';

/**
 * Summarizes a diagnosis once all its check jobs are done: counts by severity, checks that could
 * not run, duration; then updates the root message. `results` are the children's return values;
 * `failed` counts children that failed for good (their Slack posts never went out).
 */
export async function processDiagnosisJob(
  data: DiagnosisJob,
  results: unknown[],
  failed: number,
  ctx: { reporter?: Reporter; now(): Date; rememberRoot?(thread: SlackThread, status: RootStatus): Promise<void> },
): Promise<{ counts: Record<string, number>; errors: number; checks: number }> {
  const runs: CheckJobResult[] = results.map((r) => checkJobResultSchema.parse(r));
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const r of runs) {
    counts.critical += r.counts.critical;
    counts.warning += r.counts.warning;
    counts.info += r.counts.info;
  }
  const errors = runs.filter((r) => r.status === 'error').length + failed;
  const checks = runs.length + failed;
  if (data.slack && ctx.reporter) {
    const durationMs = ctx.now().getTime() - Date.parse(data.startedAt);
    const status: RootStatus = {
      label: data.label,
      requestedBy: data.requestedBy,
      planned: data.planned,
      startedAt: data.startedAt,
      done: { ...counts, errors, durationMs, checks },
    };
    await ctx.reporter.updateRoot(data.slack, status);
    if (counts.critical + counts.warning + counts.info > 0) await ctx.rememberRoot?.(data.slack, status);
  }
  return { counts, errors, checks };
}
