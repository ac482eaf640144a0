import type { PlannedCheck } from '../checks/runner.js';
import { errorMessage } from '../errors.js';
import { escapeMrkdwn } from '../slack/mrkdwn.js';
import { isRedisUnavailable, withinDeadline } from '../slack/redis-away.js';
import { abandonRun } from './run-fate.js';
import type { Queues } from '../queues.js';
import { newRunId, type OpenDiagnosisJob } from './diagnosis-jobs.js';
import type { CommandContext } from '../slack/command.js';

/** How long the enqueue may take before the requester hears it was not queued (Slack's 3 s). */
const enqueueDeadlineMs = 1_500;

/**
 * The common path of `/harbor diagnose` and `/harbor check`: one Redis call, then the ack. A
 * worker posts the root message the findings thread under and enqueues one job per (check,
 * target) under a summarizing parent (open-diagnosis.ts).
 *
 * When Redis does not confirm the enqueue in time the answer is "not queued, try again", and the
 * run is marked abandoned, so that a job landing later never runs unannounced (run-fate.ts).
 */
export async function startDiagnosis(
  ctx: CommandContext,
  plan: PlannedCheck[],
  label: string,
  params: Record<string, string | number | boolean> = {},
): Promise<string> {
  const runId = newRunId();
  const job: OpenDiagnosisJob = {
    runId,
    label,
    startedAt: ctx.now().toISOString(),
    requestedBy: ctx.user,
    channel: ctx.channel,
    checks: plan.map((p) => ({ checkId: p.check.id, target: p.target.ref })),
    params,
  };
  try {
    await withinDeadline(enqueueOpenDiagnosis(ctx.queues, job), enqueueDeadlineMs, 'enqueue');
  } catch (err) {
    if (!isRedisUnavailable(err)) throw err;
    ctx.log.warn({ runId, err: errorMessage(err) }, 'diagnosis not queued: redis did not answer');
    void settleAbandoned(ctx, runId, label);
    await ctx.ack(
      `:hourglass: Not queued: Redis (the bot's queue) did not answer, so the diagnosis of ${escapeMrkdwn(label)} ` +
        'will not run. Try again in a minute.',
    );
    return runId;
  }
  await ctx.ack(
    `Diagnosing ${label}: ${plan.length} check${plan.length === 1 ? '' : 's'} queued (run ${runId}). Findings ` +
      `follow in a thread here.`,
  );
  ctx.log.info({ runId, checks: plan.length, channel: ctx.channel }, 'diagnosis enqueued');
  return runId;
}

/**
 * Marks the run abandoned once Redis answers, on the connection the enqueue went out on (so it
 * lands after the job, if the job lands at all); if a worker took it first, the requester is told.
 */
async function settleAbandoned(ctx: CommandContext, runId: string, label: string): Promise<void> {
  try {
    if ((await abandonRun(ctx.redis, ctx.prefix, runId)) === 'abandoned') return;
    await ctx.respond(
      `Update: when Redis came back, the diagnosis of ${escapeMrkdwn(label)} was queued after all (run ${runId}); ` +
        'its findings follow in a thread here.',
    );
  } catch (err) {
    ctx.log.warn({ runId, err: errorMessage(err) }, 'could not settle an abandoned diagnosis');
  }
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
