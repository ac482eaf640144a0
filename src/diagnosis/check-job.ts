import type { RunReadsByRun } from '../checks/run-reads.js';
import { runCheck } from '../checks/runner.js';
import { UserInputError } from '../errors.js';
import { countBySeverity } from '../findings/finding.js';
import { checkJobSchema, type CheckJob, type CheckJobResult } from './diagnosis-jobs.js';
import type { Publisher } from './publisher.js';
import { defineJobKind } from '../worker/queue-worker.js';
import type { WorkerContext } from '../worker/worker-context.js';
import { parseTargetRef } from '../targets.js';

/** A check job's context: the findings publisher posts what the run found (`publish`). */
export interface CheckJobContext extends WorkerContext {
  publisher: Pick<Publisher, 'publish'>;
  /** Release reads shared by the checks of one run that this process executes. */
  runReads?: RunReadsByRun;
}

/**
 * Runs one (check, target) job and posts its findings in the thread. Never throws for a check's
 * fault (the runner turns it into a finding); throws only when Slack itself fails, so BullMQ retries.
 */
export async function processCheckJob(data: CheckJob, ctx: CheckJobContext): Promise<CheckJobResult> {
  const check = ctx.registry.check(data.checkId);
  if (!check) throw new UserInputError(`unknown check id "${data.checkId}"`);
  const target = parseTargetRef(ctx.config, data.target);
  const run = await runCheck(
    { check, target, params: data.params },
    {
      config: ctx.config,
      clients: ctx.clients,
      log: ctx.log,
      now: ctx.now,
      signal: ctx.signal,
      reads: ctx.runReads?.of(data.runId),
    },
  );
  if (data.slack) await ctx.publisher.publish(run, data.slack, data);
  return {
    id: run.id,
    target: run.target,
    status: run.status,
    durationMs: run.durationMs,
    counts: countBySeverity(run.findings),
    fingerprints: run.findings.map((f) => f.fingerprint),
  };
}

/** Job name = check id (any name on the checks queue). */
export const checkJobKind = defineJobKind({
  data: checkJobSchema,
  waits: true,
  async process(data: CheckJob, ctx: CheckJobContext) {
    const result = await processCheckJob(data, ctx);
    ctx.metrics?.observeCheck(result);
    return result;
  },
});
