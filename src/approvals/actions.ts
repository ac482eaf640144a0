import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { errorMessage } from '../errors.js';
import { actionIds } from './approval-blocks.js';
import { ClickRefused, handleClick, parseClick, postEphemeral, type ClickDeps } from './click.js';

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
      try {
        const click = parseClick(body);
        const outcome = await handleClick({ ...deps, log }, click);
        log.info({ approval: click.approvalId, outcome }, 'click handled');
      } catch (err) {
        if (err instanceof ClickRefused) return refuseInvalid(deps, body, err);
        log.error({ err: errorMessage(err) }, 'click failed');
        const { user, channel } = clicker(body);
        if (user && channel)
          await postEphemeral(
            deps,
            { user, channel },
            `:x: Something went wrong (reference ${reqId}); nothing may have happened. The logs have the details.`,
          );
      }
    });
  }
}
