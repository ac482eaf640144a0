import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { errorMessage } from '../errors.js';
import { redisSlowText } from '../slack/redis-away.js';
import { actionIds } from './approval-blocks.js';
import { ClickRefused, handleClick, parseClick, postEphemeral, type ClickDeps } from './click.js';
import type { MessageBody } from '../slack/messages.js';
import { replyOnError } from '../slack/reply-on-error.js';

function clicker(body: unknown): { user?: string; channel?: string } {
  const b = body as { user?: { id?: unknown }; channel?: { id?: unknown } } | undefined;
  const ok = (v: unknown, re: RegExp) => (typeof v === 'string' && re.test(v) ? v : undefined);
  return { user: ok(b?.user?.id, /^[UW][A-Z0-9]+$/), channel: ok(b?.channel?.id, /^[A-Z0-9]+$/) };
}

/** Answers a payload that is not a valid click of ours: audited, and told to the clicker when known. */
async function refuseInvalid(deps: ClickDeps, body: unknown, err: ClickRefused): Promise<void> {
  const { user, channel } = clicker(body);
  await deps.audit.append({
    actor: user ?? 'unknown',
    action: 'remediation.clicked',
    outcome: err.outcome,
    detail: err.message,
  });
  if (user && channel) await postEphemeral(deps, { user, channel }, `:warning: ${err.message}`);
}

/** A click still being judged after this (Redis went slow after the door) is told its outcome follows. */
const slowClickMs = 2_000;

async function tellSlow(deps: ClickDeps, body: unknown): Promise<void> {
  const { user, channel } = clicker(body);
  if (!user || !channel) return;
  await postEphemeral(deps, { user, channel }, redisSlowText).catch((err: unknown) =>
    deps.log.warn({ err: errorMessage(err) }, 'could not tell the clicker that redis is slow'),
  );
}

/**
 * Registers `remediation:approve`, `remediation:reject` and `remediation:rerun` (on expired
 * proposals). Each click is acked at once (Slack's 3 s), then judged; what it did is audited and,
 * when nothing happened, told to the clicker only.
 */
export function registerApprovalActions(app: App, deps: ClickDeps): void {
  for (const actionId of [actionIds.approve, actionIds.reject, actionIds.rerun]) {
    app.action(actionId, async ({ ack, body }) => {
      await ack();
      const reqId = randomUUID().slice(0, 8);
      const log = deps.log.child({ action: actionId, user: clicker(body).user, reqId });
      const slow = setTimeout(() => void tellSlow(deps, body), slowClickMs);
      try {
        const click = parseClick(body);
        const outcome = await handleClick({ ...deps, log }, click);
        log.info({ approval: click.approvalId, outcome }, 'click handled');
      } catch (err) {
        if (err instanceof ClickRefused) return refuseInvalid(deps, body, err);
        const { user, channel } = clicker(body);
        const reply = async (b: MessageBody) => {
          if (user && channel) await deps.slack.ephemeral(channel, user, b);
        };
        await replyOnError(err, { what: 'click', reqId, log, reply });
      } finally {
        clearTimeout(slow);
      }
    });
  }
}
