import type { Queue } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import { createFindingStore } from '../findings/store.js';
import type { Approval } from './approval.js';
import { expiryJobName, type ExpiryJob } from './job.js';
import { auditFields, type ApprovalDeps } from './deps.js';
import { updateApprovalMessage } from './approval-message.js';

/** Schedules the expiry of a group of proposals just after they lapse (one delayed job per group). */
export async function scheduleExpiry(queue: Queue, groupId: string, ttlMs: number): Promise<void> {
  await queue.add(
    expiryJobName,
    { groupId },
    {
      jobId: `expire-${groupId}`,
      delay: ttlMs + 1000,
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  );
}

/** Audits one approval's expiry (by the bot: nobody decided). */
export function auditExpiry(deps: ApprovalDeps, a: Approval): Promise<unknown> {
  return deps.audit.append({
    actor: 'harbor-pilot',
    action: 'remediation.expired',
    ...auditFields(a),
    outcome: 'expired',
    detail: `approval ${a.id} expired at ${a.expiresAt}`,
  });
}

/**
 * Expires, once each, the proposals of a group still pending past their time (proposed together,
 * they lapse together) and audits each; returns the ones this call expired. `except` was already.
 */
export async function expireDue(deps: ApprovalDeps, groupId: string, except?: string): Promise<Approval[]> {
  const expired: Approval[] = [];
  for (const item of (await deps.store.group(groupId))?.items ?? []) {
    const a =
      item.kind === 'approval' && item.approvalId !== except ? await deps.store.get(item.approvalId) : undefined;
    if (!a || deps.now().getTime() < Date.parse(a.expiresAt)) continue;
    if (await deps.store.transition(a.id, ['pending'], 'expired')) {
      await auditExpiry(deps, a);
      expired.push(a);
    }
  }
  return expired;
}

/**
 * The expiry job: lapses what nobody decided, then rewrites the finding's message so its buttons
 * give way to the expiry and the re-run button. The message is found where the findings store
 * says the finding was posted in the group's thread; nothing to rewrite once it resolved.
 */
export async function processExpiryJob(
  data: ExpiryJob,
  deps: ApprovalDeps & { redis: RedisClient; prefix: string },
): Promise<{ expired: number }> {
  const expired = await expireDue(deps, data.groupId);
  const group = await deps.store.group(data.groupId);
  const first = expired[0];
  if (!first || !group) return { expired: expired.length };
  const record = await createFindingStore(deps.redis, deps.prefix, deps.now).get(group.finding.fingerprint);
  const post = record?.posts.find((p) => p.channel === group.thread.channel && p.threadTs === group.thread.threadTs);
  if (post) await updateApprovalMessage(deps.store, deps.slack, first, post.ts);
  else
    deps.log.info(
      { group: data.groupId },
      'proposals expired; their message is no longer tracked (the finding resolved)',
    );
  return { expired: expired.length };
}
