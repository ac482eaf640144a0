import type { Config, SlackChannelConfig } from '../config.js';
import { NotAuthorizedError } from '../errors.js';
import { listTargets, type Target } from '../targets.js';

/**
 * `slack.channels`: which channel may diagnose and fix which targets, and who approves there.
 * Without the key every channel may use every target and `slack.approvers` decide everywhere.
 */

/** The channel's entry; undefined when channels are not scoped or this one is not listed. */
export function channelEntry(config: Config, channel: string): SlackChannelConfig | undefined {
  return config.slack?.channels?.find((c) => c.id === channel);
}

/** True when `slack.channels` is set: then only the listed channels may use the bot. */
export function channelsScoped(config: Config): boolean {
  return config.slack?.channels !== undefined;
}

/** The targets this channel may diagnose and fix; empty for a channel not listed. */
export function channelTargets(config: Config, channel: string): Target[] {
  const all = listTargets(config);
  if (!channelsScoped(config)) return all;
  const entry = channelEntry(config, channel);
  if (!entry) return [];
  return entry.targets.includes('*') ? all : all.filter((t) => entry.targets.includes(t.ref));
}

/** True when `channel` may use `targetRef`: alerts, commands and buttons ask this one question. */
export function channelMayUse(config: Config, channel: string, targetRef: string): boolean {
  return channelTargets(config, channel).some((t) => t.ref === targetRef);
}

/** The channels that may use `targetRef` (every listed channel whose targets include it). */
export function channelsForTarget(config: Config, targetRef: string): string[] {
  return (config.slack?.channels ?? [])
    .filter((c) => c.targets.includes('*') || c.targets.includes(targetRef))
    .map((c) => c.id);
}

/** Who may approve: user ids and user group ids (`slack.*`, or a channel's own in `slack.channels`). */
export interface ApproverSet {
  approvers: readonly string[];
  approverGroups: readonly string[];
  /** Where the set is configured, for refusals: `slack` or `slack.channels[N]`. */
  source?: string;
}

function channelList(ids: string[]): string {
  return ids.length > 0 ? ids.map((id) => `<#${id}>`).join(', ') : 'none';
}

/**
 * Why `channel` may not act (on `targetRef`, when given), naming what is allowed; undefined when
 * it may. A channel `slack.channels` does not list may do nothing; a listed one only its targets.
 */
export function channelRefusal(config: Config, channel: string, targetRef?: string): string | undefined {
  if (!channelsScoped(config)) return undefined;
  if (!channelEntry(config, channel)) {
    const listed = (config.slack?.channels ?? []).map((c) => c.id);
    return (
      `This channel may not use harbor-pilot (slack.channels). Channels that may: ${channelList(listed)}. ` +
      'Nothing was done.'
    );
  }
  if (targetRef === undefined || channelMayUse(config, channel, targetRef)) return undefined;
  const allowed = channelTargets(config, channel).map((t) => t.ref);
  const elsewhere = channelsForTarget(config, targetRef);
  const where = elsewhere.length > 0 ? ` ${targetRef} belongs to ${channelList(elsewhere)}.` : '';
  const here = allowed.join(', ') || 'none';
  return (
    `${targetRef} is not one of this channel's targets (slack.channels). Allowed here: ${here}.${where} ` +
    'Nothing was done.'
  );
}

/**
 * A channel refusal. Its text is mrkdwn built only from configured ids and target names (channel
 * links must stay links), so it is shown as it is, unescaped.
 */
export class ChannelRefusedError extends NotAuthorizedError {}

/** Throws the refusal of channelRefusal (shown to the caller only). */
export function assertChannelMay(config: Config, channel: string, targetRef?: string): void {
  const refusal = channelRefusal(config, channel, targetRef);
  if (refusal) throw new ChannelRefusedError(refusal);
}

/**
 * Who approves proposals posted in `channel`: the channel's own `approvers`/`approverGroups` when it
 * names either (together they replace the global pair), else `slack.approvers`/`approverGroups`.
 */
export function approversOf(config: Config, channel: string): ApproverSet {
  const entry = channelEntry(config, channel);
  if (entry && (entry.approvers !== undefined || entry.approverGroups !== undefined)) {
    const i = config.slack?.channels?.indexOf(entry) ?? 0;
    return {
      approvers: entry.approvers ?? [],
      approverGroups: entry.approverGroups ?? [],
      source: `slack.channels[${i}]`,
    };
  }
  return {
    approvers: config.slack?.approvers ?? [],
    approverGroups: config.slack?.approverGroups ?? [],
    source: 'slack',
  };
}

/** What `channel` may do, in one line for `/harbor status`: its targets and who approves there. */
export function describeChannel(config: Config, channel: string): string {
  const refusal = channelRefusal(config, channel);
  if (refusal) return `*This channel:* may do nothing. ${refusal.replace(/ Nothing was done\.$/, '')}`;
  const targets = channelTargets(config, channel).map((t) => t.ref);
  const set = approversOf(config, channel);
  const people = [...set.approvers.map((u) => `<@${u}>`), ...set.approverGroups.map((g) => `<!subteam^${g}>`)];
  const scope = channelsScoped(config) ? '' : ' (slack.channels is not set: every channel may use every target)';
  const who = people.length > 0 ? people.join(', ') : 'nobody (no approvers configured)';
  const may = targets.join(', ') || 'no targets';
  return `*This channel:* may diagnose and fix ${may}${scope}; approvals here: ${who} (${set.source}).`;
}

/**
 * The channel an alert thread about `targetRef` opens in, under `slack.channels`: `wanted` (the
 * route's or `alerts.channel`) when it may use the target, else the first listed channel that may;
 * undefined when none may, so the alert is not routed. Without `slack.channels`: `wanted`.
 */
export function alertChannelFor(config: Config, targetRef: string, wanted: string | undefined): string | undefined {
  if (!channelsScoped(config)) return wanted;
  if (wanted !== undefined && channelMayUse(config, wanted, targetRef)) return wanted;
  return channelsForTarget(config, targetRef)[0];
}
