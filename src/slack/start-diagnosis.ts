import type { PlannedCheck } from '../checks/runner.js';
import { enqueueOpenDiagnosis, newRunId } from '../queues.js';
import type { CommandContext } from './command.js';

/**
 * The common path of `/harbor diagnose` and `/harbor check`: ack at once, then one Redis call. A
 * worker posts the root message the findings thread under and enqueues one job per (check,
 * target) under a summarizing parent (src/worker/open-diagnosis.ts).
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
