import { UnrecoverableError } from 'bullmq';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { textMessage } from '../slack/messages.js';
import { escapeMrkdwn } from '../slack/mrkdwn.js';
import { queueNames, type Queues } from '../queues.js';
import { defineJobKind, type JobContext } from '../worker/queue-worker.js';
import {
  checkJobOptions,
  openDiagnosisJobSchema,
  type CheckJob,
  type DiagnosisJob,
  type OpenDiagnosisJob,
} from './diagnosis-jobs.js';
import { slackErrorCode, type SlackDoor } from '../slack/slack-door.js';
import { rootMessage } from './root-message.js';
import { claimRun, type FateStore } from './run-fate.js';

/** Slack errors that no retry will cure: the bot cannot post in that channel. */
const unpostable = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/**
 * The ack promised findings in the channel: when the bot may not post there (a private channel it
 * was not invited to), it says so to the person who asked, in its direct messages, once.
 */
async function tellRequester(
  data: OpenDiagnosisJob,
  code: string,
  ctx: { slack: SlackDoor; log: Logger },
): Promise<void> {
  if (!data.requestedBy) return;
  const text =
    `:warning: I could not post the diagnosis of ${escapeMrkdwn(data.label)} in <#${data.channel}> ` +
    `(Slack said \`${code}\`). Invite me there with \`/invite @harbor-pilot\` and run the command again.`;
  try {
    await ctx.slack.dm(data.requestedBy, textMessage(text));
  } catch (err) {
    ctx.log.warn({ err: errorMessage(err), channel: data.channel }, 'could not tell the requester either');
  }
}

export interface OpenDiagnosisContext extends Pick<Queues, 'flow'> {
  slack: SlackDoor;
  log: Logger;
  /** Where a run's fate is kept (run-fate.ts): a run its requester was told was not queued is dropped. */
  runFate?: { store: FateStore; prefix: string };
}

/**
 * Posts the root message of a diagnosis (once: its ts is saved on the job before anything else)
 * and enqueues the check jobs under the summarizing parent.
 */
export async function processOpenDiagnosis(
  data: OpenDiagnosisJob,
  ctx: OpenDiagnosisContext & Pick<JobContext, 'job'>,
): Promise<{ threadTs?: string; abandoned?: true }> {
  if (ctx.runFate && !(await claimRun(ctx.runFate.store, ctx.runFate.prefix, data.runId))) {
    ctx.log.info({ runId: data.runId }, 'diagnosis dropped: its requester was told it was not queued');
    return { abandoned: true };
  }
  let threadTs = data.threadTs;
  if (!threadTs) {
    try {
      const root = rootMessage({ label: data.label, requestedBy: data.requestedBy, planned: data.checks.length });
      threadTs = await ctx.slack.post(data.channel, root);
    } catch (err) {
      const code = slackErrorCode(err) ?? '';
      if (!unpostable.has(code)) throw err;
      await tellRequester(data, code, ctx);
      throw new UnrecoverableError(`cannot post in ${data.channel} (${code}): invite the bot to the channel`);
    }
    await ctx.job.updateData({ ...data, threadTs });
  }
  const slack = { channel: data.channel, threadTs };
  const children: CheckJob[] = data.checks.map((c) => ({
    runId: data.runId,
    checkId: c.checkId,
    target: c.target,
    params: data.params,
    slack,
    requestedBy: data.requestedBy,
  }));
  await enqueueDiagnosis(
    ctx,
    {
      runId: data.runId,
      label: data.label,
      startedAt: data.startedAt,
      requestedBy: data.requestedBy,
      slack,
      planned: data.checks.length,
    },
    children,
  );
  ctx.log.info({ runId: data.runId, checks: children.length }, 'diagnosis opened');
  return { threadTs };
}

/** Job name `open` on the diagnoses queue. */
export const openDiagnosisKind = defineJobKind({
  data: openDiagnosisJobSchema,
  waits: true,
  process: processOpenDiagnosis,
});

/** Enqueues one diagnosis: a parent that summarizes, one child per (check, target). */
export async function enqueueDiagnosis(
  queues: Pick<Queues, 'flow'>,
  diagnosis: DiagnosisJob,
  children: CheckJob[],
): Promise<void> {
  await queues.flow.add({
    name: 'diagnosis',
    queueName: queueNames.diagnoses,
    data: diagnosis,
    opts: {
      jobId: `diag-${diagnosis.runId}`,
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 24 * 3600 },
    },
    children: children.map((c) => ({
      name: c.checkId,
      queueName: queueNames.checks,
      data: c,
      opts: { ...checkJobOptions, jobId: `chk-${c.runId}-${c.checkId}-${c.target.replace('/', '-')}` },
    })),
  });
}
