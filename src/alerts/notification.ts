import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Registry } from '../checks/registry.js';
import type { Config } from '../config.js';
import { alertFromHarbor, alertSchema, alertsFromAlertmanager, harborEventHost, type Alert } from './alert.js';
import { alertmanagerPayloadSchema, describeError, parseHarborEvent } from './payloads.js';
import { routeAlert } from './route.js';

export type HookSource = 'alertmanager' | 'harbor';

export const plannedCheckSchema = z.object({
  checkId: z.string().min(1),
  target: z.string().min(1),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

/** An alert with the checks its route chose. */
export const routedAlertSchema = alertSchema.extend({ checks: z.array(plannedCheckSchema) });
export type RoutedAlert = z.infer<typeof routedAlertSchema>;

/** The alerts of one notification that belong to one target (one incident). */
export const incidentGroupSchema = z.object({
  target: z.string().min(1),
  channel: z.string().min(1),
  alerts: z.array(routedAlertSchema).min(1),
});
export type IncidentGroup = z.infer<typeof incidentGroupSchema>;

/** A queued notification (job `notification` on the `alerts` queue): routed, no secret in it. */
export const notificationJobSchema = z.object({
  source: z.enum(['alertmanager', 'harbor']),
  receivedAt: z.number(),
  groups: z.array(incidentGroupSchema).min(1),
});
export type NotificationJob = z.infer<typeof notificationJobSchema>;

export type Parsed = { ok: true; alerts: Alert[]; host?: string } | { ok: false; reason: string };

/** Validates a body of either sender; the reason is one line. */
export function parseNotification(source: HookSource, body: unknown): Parsed {
  if (source === 'alertmanager') {
    const r = alertmanagerPayloadSchema.safeParse(body);
    return r.success
      ? { ok: true, alerts: alertsFromAlertmanager(r.data) }
      : { ok: false, reason: describeError(r.error) };
  }
  const r = parseHarborEvent(body);
  if (!r.ok) return r;
  const alert = alertFromHarbor(r.event);
  return { ok: true, alerts: alert ? [alert] : [], host: harborEventHost(r.event) };
}

/** Routes the alerts; groups them by target. `unrouted` counts those with no target or channel. */
export function groupAlerts(
  config: Config,
  registry: Registry,
  alerts: Alert[],
  host?: string,
): { groups: IncidentGroup[]; unrouted: number } {
  const groups = new Map<string, IncidentGroup>();
  let unrouted = 0;
  for (const a of alerts) {
    const r = routeAlert(config, registry, a, host);
    if (!r?.channel) {
      unrouted += 1;
      continue;
    }
    const g = groups.get(r.target) ?? { target: r.target, channel: r.channel, alerts: [] };
    g.alerts.push({ ...a, checks: r.checks });
    groups.set(r.target, g);
  }
  return { groups: [...groups.values()], unrouted };
}

/**
 * The job id of a notification: the same alerts in the same states give the same id, so a
 * redelivery, an HA twin or a repeat-interval resend is one job.
 */
export function notificationId(source: HookSource, groups: IncidentGroup[]): string {
  const parts = groups.flatMap((g) => g.alerts.map((a) => `${g.target}|${a.key}|${a.status}|${a.endsAt ?? ''}`)).sort();
  return `alerts-${source}-${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32)}`;
}

/** The `note` and `expire` jobs of one incident. */
export const incidentJobSchema = z.object({ target: z.string().min(1), incident: z.string().min(1) });
export type IncidentJob = z.infer<typeof incidentJobSchema>;

/** What the `alerts` queue carries. */
export type AlertsJob = NotificationJob | IncidentJob;
