import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Logger } from '../log.js';
import { checkJobOptions, type CheckJob } from '../diagnosis/diagnosis-jobs.js';
import type { Queues } from '../queues.js';
import type { SlackDoor } from '../slack/slack-door.js';
import type { AlertRecord, Incident, IncidentStore } from './incident-store.js';
import { incidentNote, incidentRootMessage, resolvedRootMessage } from './messages.js';
import type { AlertMetrics } from './metrics.js';
import type { IncidentGroup } from './notification.js';
import type { PlannedAlertCheck } from './route.js';

/** A Harbor event never resolves by itself: it counts as firing this long. */
export const harborAlertTtlMs = 3600_000;
/** Alerts that join an open incident within this window share one note. */
export const noteWindowMs = 2000;

export interface IncidentDeps {
  store: IncidentStore;
  slack: SlackDoor;
  queues: Pick<Queues, 'checks'> & { alerts: Pick<Queue, 'add'> };
  metrics?: AlertMetrics;
  log: Logger;
  now(): Date;
  cooldownMs: number;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const checkKey = (c: PlannedAlertCheck) => `${c.checkId}@${c.target}`;
const jobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Still counts toward an open incident (a Harbor event for `harborAlertTtlMs`). */
export function stillFiring(r: AlertRecord, now: Date): boolean {
  if (r.status !== 'firing') return false;
  return r.source !== 'harbor' || Date.parse(r.startsAt) + harborAlertTtlMs > now.getTime();
}

function uniqueChecks(list: PlannedAlertCheck[]): PlannedAlertCheck[] {
  return [...new Map(list.map((c) => [checkKey(c), c])).values()];
}

/** Enqueues the checks (one job each) in the incident's thread and marks them run. */
async function runChecks(i: Incident, checks: PlannedAlertCheck[], seed: string, deps: IncidentDeps): Promise<void> {
  if (checks.length === 0 || !i.threadTs) return;
  const runId = sha(`${i.id}|${seed}`);
  const slack = { channel: i.channel, threadTs: i.threadTs };
  const jobs = checks.map((c) => {
    const data: CheckJob = { runId, checkId: c.checkId, target: c.target, params: c.params, slack };
    return {
      name: c.checkId,
      data,
      opts: { ...checkJobOptions, jobId: `chk-${runId}-${c.checkId}-${c.target.replace('/', '-')}` },
    };
  });
  await deps.store.markRan(i.target, checks.map(checkKey), deps.now().getTime());
  await deps.queues.checks.addBulk(jobs);
  deps.log.info({ incident: i.id, target: i.target, runId, checks: checks.map(checkKey) }, 'incident checks queued');
}

/** Posts the root of an incident (its ts saved at once), then runs the checks of its alerts. */
async function openThread(i: Incident, alerts: AlertRecord[], seed: string, deps: IncidentDeps): Promise<Incident> {
  const firing = alerts.filter((r) => r.incident === i.id && r.status === 'firing');
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
async function settle(i: Incident, alerts: AlertRecord[], deps: IncidentDeps): Promise<void> {
  const now = deps.now();
  const mine = alerts.filter((r) => r.incident === i.id);
  const open = mine.filter((r) => stillFiring(r, now));
  if (open.length === 0 && i.threadTs) {
    const ends = mine.map((r) =>
      Date.parse(
        r.endsAt ??
          (r.source === 'harbor'
            ? new Date(Date.parse(r.startsAt) + harborAlertTtlMs).toISOString()
            : now.toISOString()),
      ),
    );
    const resolvedAt = new Date(
      Math.min(now.getTime(), Math.max(...ends.filter((t) => !Number.isNaN(t)), Date.parse(i.openedAt))),
    );
    await updateRoot(i, resolvedRootMessage(i, mine, resolvedAt, now), deps);
    await deps.store.closeIncident(i.target);
    deps.metrics?.resolved();
    deps.log.info({ incident: i.id, target: i.target }, 'incident resolved');
    return;
  }
  const expiries = open.filter((r) => r.source === 'harbor').map((r) => Date.parse(r.startsAt) + harborAlertTtlMs);
  if (expiries.length > 0 && expiries.length === open.length) {
    const at = Math.max(...expiries);
    await deps.queues.alerts.add(
      'expire',
      { target: i.target, incident: i.id },
      { ...jobOptions, jobId: `expire-${i.id}-${at}`, delay: Math.max(0, at - now.getTime()) + 1000 },
    );
  }
}

async function updateRoot(
  i: Incident,
  body: ReturnType<typeof resolvedRootMessage>,
  deps: IncidentDeps,
): Promise<void> {
  try {
    await deps.slack.update(i.channel, i.threadTs as string, body);
  } catch (err) {
    // Someone deleted the root message: nothing to edit, and no reason to retry.
    if ((err as { data?: { error?: string } }).data?.error !== 'message_not_found') throw err;
  }
}

/** The new state of the alerts of a group, from what Redis remembers of them. */
function diff(group: IncidentGroup, known: Map<string, AlertRecord>, incidentId: string | undefined, now: Date) {
  const fresh: AlertRecord[] = [];
  const resolved: AlertRecord[] = [];
  for (const a of group.alerts) {
    const prev = known.get(a.key);
    // A known alert firing again is a repeat; a resolved one firing is a late duplicate.
    if (a.status === 'firing') {
      if (!prev) fresh.push({ ...a, incident: incidentId ?? '' });
    } else if (prev?.status !== 'resolved') {
      resolved.push({
        ...(prev ?? a),
        status: 'resolved',
        endsAt: a.endsAt ?? now.toISOString(),
        incident: prev?.incident ?? '',
      });
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
export async function applyGroup(
  group: IncidentGroup,
  receivedAt: number,
  seed: string,
  deps: IncidentDeps,
): Promise<void> {
  const now = deps.now();
  const known = await deps.store.alerts(group.target);
  let incident = await deps.store.incident(group.target);
  const { fresh, resolved } = diff(group, known, incident?.id, now);
  if (!incident && fresh.length === 0) return deps.store.remember(group.target, resolved);
  if (!incident) {
    incident = {
      id: `inc-${sha(`${seed}|${group.target}`)}`,
      target: group.target,
      channel: group.channel,
      openedAt: earliest(fresh, now),
      receivedAt,
    };
    await deps.store.saveIncident(incident);
    for (const f of fresh) f.incident = incident.id;
  }
  await deps.store.remember(group.target, [...fresh, ...resolved]);
  const all = new Map(known);
  for (const r of [...fresh, ...resolved]) all.set(r.key, r);
  if (!incident.threadTs) incident = await openThread(incident, [...all.values()], seed, deps);
  else {
    const mine = resolved.filter((r) => r.incident === incident?.id);
    const notes = [
      ...fresh.map((a) => ({ kind: 'joined' as const, name: a.name, summary: a.summary, checks: a.checks })),
      ...mine.map((a) => ({ kind: 'resolved' as const, name: a.name, summary: a.summary, checks: [] })),
    ];
    if (notes.length > 0) await scheduleNote(incident, notes, deps);
  }
  await settle(incident, [...all.values()], deps);
}

async function scheduleNote(
  i: Incident,
  notes: Parameters<IncidentStore['addPending']>[1],
  deps: IncidentDeps,
): Promise<void> {
  await deps.store.addPending(i.target, notes);
  const now = deps.now().getTime();
  const bucket = Math.floor(now / noteWindowMs);
  const delay = (bucket + 1) * noteWindowMs - now;
  await deps.queues.alerts.add(
    'note',
    { target: i.target, incident: i.id },
    { ...jobOptions, jobId: `note-${i.id}-${bucket}`, delay },
  );
}

/** Posts one note for what joined or resolved since the last; runs new checks and those past their cooldown. */
export async function postNote(target: string, incidentId: string, seed: string, deps: IncidentDeps): Promise<void> {
  const i = await deps.store.incident(target);
  if (!i || i.id !== incidentId || !i.threadTs) return;
  const { notes, count } = await deps.store.pending(target);
  if (count === 0) return;
  const ranAt = await deps.store.ranAt(target);
  const now = deps.now().getTime();
  const wanted = uniqueChecks(notes.flatMap((n) => n.checks));
  const due = wanted.filter((c) => (ranAt.get(checkKey(c)) ?? Number.NEGATIVE_INFINITY) + deps.cooldownMs <= now);
  const skipped = wanted.filter((c) => !due.includes(c));
  if (notes.length > 0)
    await deps.slack.post(
      i.channel,
      incidentNote(notes, [...new Set(due.map((c) => c.checkId))], [...new Set(skipped.map((c) => c.checkId))]),
      i.threadTs,
    );
  await deps.store.dropPending(target, count);
  await runChecks(i, due, seed, deps);
}

/** Re-evaluates an incident whose remaining alerts are Harbor events that have since expired. */
export async function expireIncident(target: string, incidentId: string, deps: IncidentDeps): Promise<void> {
  const i = await deps.store.incident(target);
  if (!i || i.id !== incidentId) return;
  await settle(i, [...(await deps.store.alerts(target)).values()], deps);
}
