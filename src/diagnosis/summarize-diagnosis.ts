import type { SlackDoor } from '../slack/slack-door.js';
import { checkJobResultSchema, diagnosisJobSchema, type CheckJobResult, type DiagnosisJob } from './diagnosis-jobs.js';
import type { Publisher } from './publisher.js';
import { defineJobKind, type JobContext } from '../worker/queue-worker.js';
import { rootMessage, type RootStatus } from './root-message.js';

export interface SummarizeContext {
  slack: SlackDoor;
  now(): Date;
  /** Keeps the root status, so the root says so once everything it reported has resolved. */
  publisher: Pick<Publisher, 'rememberRoot'>;
}

/**
 * Summarizes a diagnosis once all its check jobs are done: counts by severity, checks that could
 * not run, duration; then updates the root message. `results` are the children's return values;
 * `failed` counts children that failed for good (their Slack posts never went out).
 */
export async function processDiagnosisJob(
  data: DiagnosisJob,
  results: unknown[],
  failed: number,
  ctx: SummarizeContext,
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
  if (data.slack) {
    const durationMs = ctx.now().getTime() - Date.parse(data.startedAt);
    const status: RootStatus = {
      label: data.label,
      requestedBy: data.requestedBy,
      planned: data.planned,
      startedAt: data.startedAt,
      done: { ...counts, errors, durationMs, checks },
    };
    await ctx.slack.update(data.slack.channel, data.slack.threadTs, rootMessage(status));
    if (counts.critical + counts.warning + counts.info > 0) await ctx.publisher.rememberRoot(data.slack, status);
  }
  return { counts, errors, checks };
}

/** Job name `diagnosis` on the diagnoses queue: the flow parent, run once all its checks are done. */
export const summarizeDiagnosisKind = defineJobKind({
  data: diagnosisJobSchema,
  async process(data: DiagnosisJob, ctx: SummarizeContext & JobContext) {
    const { values, failed } = await ctx.job.children();
    return processDiagnosisJob(data, values, failed, ctx);
  },
});
