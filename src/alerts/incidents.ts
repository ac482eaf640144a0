import { slackErrorCode } from '../slack/slack-door.js';
import type { AlertRecord, Incident } from './incident-store.js';
import { type IncidentDeps, incidentJobOptions, runChecks, sha16, uniqueChecks } from './incident-checks.js';
import { scheduleNote } from './incident-notes.js';
import { incidentRootMessage, resolvedRootMessage } from './messages.js';
import type { IncidentGroup } from './notification.js';

/** A Harbor event never resolves by itself: it counts as firing this long. */
export const harborAlertTtlMs = 3600_000;
/** The `until` of an alert that fires until Alertmanager says it resolved. */
const forever = 1e15;

function firingUntil(r: AlertRecord): number {
  return r.source === 'harbor' ? Date.parse(r.startsAt) + harborAlertTtlMs : forever;
}

/** Posts the root of an incident (its ts saved at once), then runs the checks of its alerts. */
async function openThread(i: Incident, seed: string, deps: IncidentDeps): Promise<Incident> {
  const firing = (await deps.store.incidentAlerts(i.target, i.id)).filter((r) => r.status === 'firing');
  const checks = uniqueChecks(firing.flatMap((r) => r.checks));
  const body = incidentRootMessage(i, firing, [...new Set(checks.map((c) => c.checkId))], deps.now());
  const opened = { ...i, threadTs: await deps.slack.post(i.channel, body) };
  await deps.store.saveIncident(opened);
  deps.metrics?.opened();
  deps.log.info({ incident: i.id, target: i.target, alerts: firing.length }, 'incident opened');
  await runChecks(opened, checks, seed, deps);
  return opened;
}

/** Closes the incident once none of its alerts fires: the root says resolved, with the duration. */
async function settle(i: Incident, deps: IncidentDeps): Promise<void> {
  if (!i.threadTs) return;
  const now = deps.now();
  if ((await deps.store.firingCount(i.target, now.getTime())) === 0) {
    const mine = await deps.store.incidentAlerts(i.target, i.id);
    const ends = mine.map((r) => (r.endsAt ? Date.parse(r.endsAt) : Math.min(firingUntil(r), now.getTime())));
    const last = Math.max(Date.parse(i.openedAt), ...ends.filter((t) => !Number.isNaN(t)));
    await updateRoot(i, resolvedRootMessage(i, mine, new Date(Math.min(now.getTime(), last)), now), deps);
    await deps.store.closeIncident(i.target);
    deps.metrics?.resolved();
    deps.log.info({ incident: i.id, target: i.target }, 'incident resolved');
    return;
  }
  const at = await deps.store.lastExpiry(i.target, forever);
  if (at === undefined) return;
  const opts = { ...incidentJobOptions, jobId: `expire-${i.id}-${at}`, delay: Math.max(0, at - now.getTime()) + 1000 };
  await deps.queues.alerts.add('expire', { target: i.target, incident: i.id }, opts);
}

async function updateRoot(i: Incident, body: ReturnType<typeof resolvedRootMessage>, deps: IncidentDeps) {
  try {
    await deps.slack.update(i.channel, i.threadTs as string, body);
  } catch (err) {
    // Someone deleted the root message: nothing to edit, and no reason to retry.
    if (slackErrorCode(err) !== 'message_not_found') throw err;
  }
}

/** The new state of a group's alerts, from what Redis remembers of them. */
function diff(group: IncidentGroup, known: Map<string, AlertRecord>, incidentId: string, now: Date) {
  const fresh: AlertRecord[] = [];
  const resolved: AlertRecord[] = [];
  for (const a of group.alerts) {
    const prev = known.get(a.key);
    // A known alert firing again is a repeat; a resolved one firing is a late duplicate.
    if (a.status === 'firing') {
      if (!prev) fresh.push({ ...a, incident: incidentId });
    } else if (prev?.status !== 'resolved') {
      const endsAt = a.endsAt ?? now.toISOString();
      resolved.push({ ...(prev ?? a), status: 'resolved', endsAt, incident: prev?.incident ?? '' });
    }
  }
  return { fresh, resolved };
}

function earliest(alerts: AlertRecord[], now: Date): string {
  const times = alerts.map((a) => Date.parse(a.startsAt)).filter((t) => !Number.isNaN(t) && t <= now.getTime());
  return new Date(times.length > 0 ? Math.min(...times) : now.getTime()).toISOString();
}

/**
 * Applies the alerts one notification brought for one target (under the target's lock): the first
 * firing alert opens the incident thread; later ones and resolutions wait for one coalesced note;
 * repeats change nothing; when none fires any more, the root message says resolved.
 */
export async function applyGroup(group: IncidentGroup, receivedAt: number, seed: string, deps: IncidentDeps) {
  const { store } = deps;
  const now = deps.now();
  const known = await store.alertsByKey(
    group.target,
    group.alerts.map((a) => a.key),
  );
  let incident = await store.incident(group.target);
  const id = incident?.id ?? `inc-${sha16(`${seed}|${group.target}`)}`;
  const { fresh, resolved } = diff(group, known, id, now);
  if (!incident && fresh.length === 0) return store.remember(group.target, resolved);
  if (!incident) {
    incident = { id, target: group.target, channel: group.channel, openedAt: earliest(fresh, now), receivedAt };
    await store.saveIncident(incident);
  }
  const mine = resolved.filter((r) => r.incident === id);
  await store.remember(group.target, [...fresh, ...resolved]);
  await store.markFiring(
    group.target,
    fresh.map((r) => ({ key: r.key, until: firingUntil(r) })),
  );
  await store.markResolved(
    group.target,
    mine.map((r) => r.key),
  );
  if (!incident.threadTs) incident = await openThread(incident, seed, deps);
  else {
    const joined = fresh.map((a) => ({ kind: 'joined' as const, name: a.name, summary: a.summary, checks: a.checks }));
    const left = mine.map((a) => ({ kind: 'resolved' as const, name: a.name, summary: a.summary, checks: [] }));
    if (joined.length + left.length > 0) await scheduleNote(incident, [...joined, ...left], deps);
  }
  await settle(incident, deps);
}

/** Re-evaluates an incident whose remaining alerts are Harbor events that may have expired. */
export async function expireIncident(target: string, incidentId: string, deps: IncidentDeps): Promise<void> {
  const i = await deps.store.incident(target);
  if (i?.id === incidentId) await settle(i, deps);
}
