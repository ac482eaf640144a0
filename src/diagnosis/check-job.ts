import type { KnownBlock } from '@slack/web-api';
import type { ClientSet } from '../checks/clients.js';
import type { Registry } from '../checks/registry.js';
import type { RunReadsByRun } from '../checks/run-reads.js';
import { runCheck, type CheckRun } from '../checks/runner.js';
import type { Config } from '../config.js';
import { UserInputError } from '../errors.js';
import { countBySeverity, type Finding } from '../findings/finding.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../ops/metrics.js';
import type { CheckJob, CheckJobResult } from '../diagnosis/diagnosis-jobs.js';
import type { SlackThread } from '../slack/slack-thread.js';
import type { RootStatus } from '../diagnosis/root-message.js';
import type { Reporter } from '../slack/reporter.js';
import { parseTargetRef } from '../targets.js';

export interface WorkerContext {
  config: Config;
  registry: Registry;
  clients: ClientSet;
  reporter?: Reporter;
  log: Logger;
  now(): Date;
  signal?: AbortSignal;
  metrics?: Metrics;
  /** Keeps a summarized diagnosis' root status, for when all it reported resolves (Publisher.rememberRoot). */
  rememberRoot?(thread: SlackThread, status: RootStatus): Promise<void>;
  /** Decides what of a run is announced; the default posts every finding. */
  publish?(run: CheckRun, thread: SlackThread, job: CheckJob): Promise<void>;
  /** Release reads shared by the checks of one run that this process executes. */
  runReads?: RunReadsByRun;
  /** Blocks (plans, approval buttons) shown under a finding's proposed remediations. */
  remediationBlocks?(finding: Finding, thread: SlackThread, job: CheckJob): Promise<KnownBlock[] | undefined>;
}

/**
 * Runs one (check, target) job and posts its findings in the thread. Never throws for a check's
 * fault (the runner turns it into a finding); throws only when Slack itself fails, so BullMQ retries.
 */
export async function processCheckJob(data: CheckJob, ctx: WorkerContext): Promise<CheckJobResult> {
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
  if (data.slack) {
    if (ctx.publish) await ctx.publish(run, data.slack, data);
    else if (ctx.reporter) await postAll(ctx, ctx.reporter, data.slack, run.findings, data);
  }
  return {
    id: run.id,
    target: run.target,
    status: run.status,
    durationMs: run.durationMs,
    counts: countBySeverity(run.findings),
    fingerprints: run.findings.map((f) => f.fingerprint),
  };
}

/** Posts each finding in the thread, with its remediation blocks when approvals are wired in. */
export async function postAll(
  ctx: WorkerContext,
  reporter: Reporter,
  thread: SlackThread,
  findings: Finding[],
  job: CheckJob,
): Promise<void> {
  for (const f of findings) {
    const extra = f.remediations.length > 0 ? await ctx.remediationBlocks?.(f, thread, job) : undefined;
    await reporter.postFinding(thread, f, extra);
  }
}
