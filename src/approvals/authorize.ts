import type { SlackDoor } from '../slack/slack-door.js';
import type { SlackConfig } from '../config.js';
import type { ApproverSet } from '../slack/channels.js';
import { escapeMrkdwn } from '../slack/mrkdwn.js';
import { UpstreamError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Approval } from './approval.js';

export interface ApproverResolver {
  /** True when the user is in `slack.approvers` (or `set`) or a member of one of its groups. */
  isApprover(user: string, set?: ApproverSet): Promise<boolean>;
  /** The same, and the groups that could not be read (`S0123 (missing_scope)`): they granted nothing. */
  resolve(user: string, set?: ApproverSet): Promise<{ approver: boolean; unreadable: string[] }>;
}

const cacheMs = 60_000;

/**
 * Resolves approvers, with user groups read through `usergroups.users.list` and cached for a minute
 * per group, so a burst of clicks costs one Slack call and a removal from a group takes effect soon.
 */
export function createApproverResolver(
  slack: SlackConfig,
  door: SlackDoor,
  log: Logger,
  now: () => Date,
): ApproverResolver {
  const cache = new Map<string, { users: Set<string>; until: number }>();
  const inFlight = new Map<string, Promise<Set<string>>>();
  const members = async (group: string): Promise<Set<string>> => {
    const hit = cache.get(group);
    if (hit && hit.until > now().getTime()) return hit.users;
    let pending = inFlight.get(group);
    if (!pending) {
      pending = door
        .userGroupMembers(group)
        .then((users) => new Set(users))
        .finally(() => inFlight.delete(group));
      inFlight.set(group, pending);
    }
    const users = await pending;
    cache.set(group, { users, until: now().getTime() + cacheMs });
    return users;
  };
  const resolver: ApproverResolver = {
    async isApprover(user, set) {
      return (await resolver.resolve(user, set)).approver;
    },
    async resolve(user, set = slack) {
      const unreadable: string[] = [];
      if (set.approvers.includes(user)) return { approver: true, unreadable };
      for (const group of set.approverGroups) {
        try {
          if ((await members(group)).has(user)) return { approver: true, unreadable };
        } catch (err) {
          // An unreadable group grants nothing; the others may still.
          log.warn({ group, err: errorMessage(err) }, 'approver group unreadable');
          unreadable.push(`${group} (${err instanceof UpstreamError ? err.detail : errorMessage(err)})`);
        }
      }
      return { approver: false, unreadable };
    },
  };
  return resolver;
}

export type ClickRefusal = { code: 'unauthorized' | 'self-approval'; message: string };

/**
 * Why this user may not approve this approval, or undefined when they may. Anyone may reject.
 * `set` is who approves where the proposal was posted (a channel's own approvers), else `slack`'s.
 */
export async function refuseApproval(
  approval: Approval,
  user: string,
  slack: SlackConfig,
  approvers: ApproverResolver,
  set: ApproverSet = { ...slack, source: 'slack' },
): Promise<ClickRefusal | undefined> {
  const { approver, unreadable } = await approvers.resolve(user, set);
  if (!approver) {
    const src = set.source ?? 'slack';
    const groups =
      unreadable.length > 0
        ? ` The approver group${unreadable.length === 1 ? '' : 's'} ${escapeMrkdwn(unreadable.join(', '))} could ` +
          `not be read, so membership there was not checked: the app needs usergroups:read (and a Slack plan ` +
          `with user groups), or list approvers in ${src}.approvers.`
        : '';
    const where = src === 'slack' ? 'remediations' : `remediations proposed in <#${approval.thread.channel}>`;
    return {
      code: 'unauthorized',
      message:
        `You are not an approver of ${where} (${src}.approvers / ${src}.approverGroups), so nothing ` +
        `happened. Ask an approver, or reject it if it should not run.${groups}`,
    };
  }
  if (approval.requestedBy === user && !slack.allowSelfApproval) {
    return {
      code: 'self-approval',
      message:
        'You started this diagnosis, so another approver has to approve its fixes (slack.allowSelfApproval is ' +
        'off). Nothing happened.',
    };
  }
  return undefined;
}
