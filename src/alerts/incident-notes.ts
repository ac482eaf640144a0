import { checkKey, type IncidentDeps, incidentJobOptions, runChecks, uniqueChecks } from './incident-checks.js';
import type { Incident, PendingNote } from './incident-store.js';
import { incidentNote } from './messages.js';

/** Alerts that join an open incident within this window share one note. */
export const noteWindowMs = 2000;

/** Queues lines for the incident's next note; one `note` job per window posts them. */
export async function scheduleNote(i: Incident, notes: PendingNote[], deps: IncidentDeps): Promise<void> {
  await deps.store.addPending(i.target, notes);
  const now = deps.now().getTime();
  const bucket = Math.floor(now / noteWindowMs);
  const jobId = `note-${i.id}-${bucket}`;
  const delay = (bucket + 1) * noteWindowMs - now;
  await deps.queues.alerts.add('note', { target: i.target, incident: i.id }, { ...incidentJobOptions, jobId, delay });
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
  const ids = (list: typeof wanted) => [...new Set(list.map((c) => c.checkId))];
  if (notes.length > 0) {
    await deps.slack.post(i.channel, incidentNote(notes, ids(due), ids(skipped)), i.threadTs);
  }
  await deps.store.dropPending(target, count);
  await runChecks(i, due, seed, deps);
}
