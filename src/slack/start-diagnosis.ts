import { randomUUID } from 'node:crypto';
import type { PlannedCheck } from '../checks/runner.js';
import { errorMessage } from '../errors.js';
import { enqueueDiagnosis, type CheckJob } from '../queues.js';
import { rootMessage } from './blocks.js';
import type { CommandContext } from './command.js';

/**
 * The common path of `/harbor diagnose` and `/harbor check`: ack at once, post the root message
 * the findings thread under, then enqueue one job per (check, target) under a summarizing parent.
 */
export async function startDiagnosis(
  ctx: CommandContext,
  plan: PlannedCheck[],
  label: string,
  params: Record<string, string | number | boolean> = {},
): Promise<string> {
  const runId = randomUUID().replace(/-/g, '').slice(0, 16);
  await ctx.ack(`Diagnosing ${label}: ${plan.length} check${plan.length === 1 ? '' : 's'} queued (run ${runId}).`);
  const log = ctx.log.child({ runId });
  let threadTs: string;
  try {
    const body = rootMessage({ label, requestedBy: ctx.user, planned: plan.length });
    const res = await ctx.web.chat.postMessage({ channel: ctx.channel, text: body.text, blocks: body.blocks });
    threadTs = String(res.ts);
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'root message failed');
    await ctx.respond(`I could not post in this channel (${errorMessage(err)}). Invite me with /invite and try again.`);
    return runId;
  }
  const slack = { channel: ctx.channel, threadTs };
  const children: CheckJob[] = plan.map((p) => ({ runId, checkId: p.check.id, target: p.target.ref, params, slack, requestedBy: ctx.user }));
  await enqueueDiagnosis(ctx.queues, { runId, label, startedAt: ctx.now().toISOString(), requestedBy: ctx.user, slack, planned: plan.length }, children);
  log.info({ checks: plan.length, channel: ctx.channel }, 'diagnosis enqueued');
  return runId;
}
