import type { WebClient } from '@slack/web-api';
import type { SlackConfig } from '../config.js';
import { UpstreamError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Approval } from './approval.js';

export interface ApproverResolver {
  /** True when the user is in `slack.approvers` or in a member of one of `slack.approverGroups`. */
  isApprover(user: string): Promise<boolean>;
}

const cacheMs = 60_000;

/**
 * Resolves approvers, with user groups read through `usergroups.users.list` and cached for a minute
 * per group, so a burst of clicks costs one Slack call and a removal from a group takes effect soon.
 */
export function createApproverResolver(slack: SlackConfig, web: WebClient, log: Logger, now: () => Date): ApproverResolver {
  const cache = new Map<string, { users: Set<string>; until: number }>();
  const inFlight = new Map<string, Promise<Set<string>>>();
  const members = async (group: string): Promise<Set<string>> => {
    const hit = cache.get(group);
    if (hit && hit.until > now().getTime()) return hit.users;
    let pending = inFlight.get(group);
    if (!pending) {
      pending = fetchGroup(web, group).finally(() => inFlight.delete(group));
      inFlight.set(group, pending);
    }
    const users = await pending;
    cache.set(group, { users, until: now().getTime() + cacheMs });
    return users;
  };
  return {
    async isApprover(user) {
      if (slack.approvers.includes(user)) return true;
      for (const group of slack.approverGroups) {
        try {
          if ((await members(group)).has(user)) return true;
        } catch (err) {
          // An unreadable group grants nothing; the others may still.
          log.warn({ group, err: errorMessage(err) }, 'approver group unreadable');
        }
      }
      return false;
    },
  };
}

async function fetchGroup(web: WebClient, group: string): Promise<Set<string>> {
  try {
    const res = await web.usergroups.users.list({ usergroup: group });
    return new Set(res.users ?? []);
  } catch (err) {
    throw new UpstreamError({ service: 'slack', status: null, method: 'POST', path: 'usergroups.users.list', detail: errorMessage(err) });
  }
}

export type ClickRefusal = { code: 'unauthorized' | 'self-approval'; message: string };

/** Why this user may not approve this approval, or undefined when they may. Anyone may reject. */
export async function refuseApproval(approval: Approval, user: string, slack: SlackConfig, approvers: ApproverResolver): Promise<ClickRefusal | undefined> {
  if (!(await approvers.isApprover(user))) {
    return { code: 'unauthorized', message: 'You are not an approver of remediations (slack.approvers / slack.approverGroups), so nothing happened. Ask an approver, or reject it if it should not run.' };
  }
  if (approval.requestedBy === user && !slack.allowSelfApproval) {
    return { code: 'self-approval', message: 'You started this diagnosis, so another approver has to approve its fixes (slack.allowSelfApproval is off). Nothing happened.' };
  }
  return undefined;
}
