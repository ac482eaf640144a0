import type { PlannedCheck } from '../checks/runner.js';
import type { Queues } from '../queues.js';
import { newRunId, type OpenDiagnosisJob } from './diagnosis-jobs.js';
import type { CommandContext } from '../slack/command.js';

/**
 * The common path of `/harbor diagnose` and `/harbor check`: ack at once, then one Redis call. A
 * worker posts the root message the findings thread under and enqueues one job per (check,
 * target) under a summarizing parent (open-diagnosis.ts).
 */
export async function startDiagnosis(
  ctx: CommandContext,
  plan: PlannedCheck[],
  label: string,
  params: Record<string, string | number | boolean> = {},
): Promise<string> {
  const runId = newRunId();
  await ctx.ack(
    `Diagnosing ${label}: ${plan.length} check${plan.length === 1 ? '' : 's'} queued (run ${runId}). Findings ` +
      `follow in a thread here.`,
  );
  await enqueueOpenDiagnosis(ctx.queues, {
    runId,
    label,
    startedAt: ctx.now().toISOString(),
    requestedBy: ctx.user,
    channel: ctx.channel,
    checks: plan.map((p) => ({ checkId: p.check.id, target: p.target.ref })),
    params,
  });
  ctx.log.info({ runId, checks: plan.length, channel: ctx.channel }, 'diagnosis enqueued');
  return runId;
}

/** The one job a slash command (or a re-run button) enqueues; a retry never posts the root message twice. */
export async function enqueueOpenDiagnosis(queues: Pick<Queues, 'diagnoses'>, data: OpenDiagnosisJob): Promise<void> {
  await queues.diagnoses.add('open', data, {
    jobId: `open-${data.runId}`,
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}
