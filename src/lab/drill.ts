import type { Registry } from '../checks/registry.js';
import type { Logger } from '../log.js';
import type { RecordedRequest } from '../sim/http-sim.js';
import { runAllChecks } from './evaluate.js';
import { observerImpersonation, type Lab } from './lab.js';
import type { Scenario } from './scenario-schema.js';
import { observerUser } from './world.js';

export type DrillPhase = 'broken' | 'found' | 'fixed';

export interface DrillIncident {
  scenario: Scenario;
  phase: DrillPhase;
  brokenAt: Date;
  foundAt?: Date;
  fixedAt?: Date;
  /** The trainee's tools (check, the bot, kubectl) have queried the lab since it broke. */
  traineeSeen: boolean;
}

export interface DrillEvent {
  type: 'broken' | 'found' | 'fixed' | 'done';
  message: string;
  incident?: DrillIncident;
}

/** What one poll saw: trainee activity since the last poll, and which expected causes the checks report. */
export interface Observation {
  traineeActive: boolean;
  present: ReadonlySet<string>;
}

/**
 * The drill's rule: an incident is found when the trainee has looked and a finding of every expected
 * cause is there; it is fixed when none of them is reported any more.
 */
export function nextPhase(incident: Pick<DrillIncident, 'phase' | 'traineeSeen'>, obs: Observation, expected: readonly string[]): DrillPhase {
  const seen = incident.traineeSeen || obs.traineeActive;
  const anyPresent = expected.some((c) => obs.present.has(c));
  if (incident.phase === 'broken' && seen && !anyPresent) return 'fixed';
  if (incident.phase === 'broken' && seen && expected.every((c) => obs.present.has(c))) return 'found';
  if (incident.phase === 'found' && !anyPresent) return 'fixed';
  return incident.phase;
}

const observerAuth = `Basic ${Buffer.from(`${observerUser.username}:${observerUser.password}`).toString('base64')}`;

/** Requests not made by the drill's own observer. */
function byTrainee(requests: readonly RecordedRequest[]): boolean {
  return requests.some((r) => r.headers.authorization !== observerAuth && r.headers['impersonate-user'] !== observerImpersonation);
}

const duration = (from: Date, to: Date) => {
  const s = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

export interface DrillOptions {
  lab: Lab;
  scenarios: readonly Scenario[];
  registry: Registry;
  log: Logger;
  now?: () => Date;
  /** How the trainee runs `check` (printed in the instructions). */
  cli?: string;
}

/** An incident drill over `scenarios`, one after another; `tick()` polls once and returns what changed. */
export function createDrill(options: DrillOptions) {
  const now = options.now ?? (() => new Date());
  const cli = options.cli ?? 'harbor-pilot';
  const incidents: DrillIncident[] = [];
  const cursor = { harbor: 0, kube: 0 };
  const checkIds = (s: Scenario) => [...options.registry.checks.values()].filter((c) => c.causes.some((k) => s.expect.causes.includes(k))).map((c) => c.id);

  const breakNext = (): DrillEvent => {
    const scenario = options.scenarios[incidents.length];
    if (!scenario) return { type: 'done', message: `Drill complete: ${incidents.length} incidents found and fixed.` };
    options.lab.load(scenario);
    cursor.harbor = options.lab.harbor.requests.length;
    cursor.kube = options.lab.kube.requests.length;
    const incident: DrillIncident = { scenario, phase: 'broken', brokenAt: now(), traineeSeen: false };
    incidents.push(incident);
    const n = `Incident ${incidents.length} of ${options.scenarios.length}`;
    return { type: 'broken', incident, message: `${n}: users report: ${scenario.symptom}\n  Diagnose it: ${cli} check --config ${options.lab.configPath} (or /harbor diagnose), then fix it.` };
  };

  const observe = async (s: Scenario): Promise<Observation> => {
    const traineeActive = byTrainee(options.lab.harbor.requests.slice(cursor.harbor)) || byTrainee(options.lab.kube.requests.slice(cursor.kube));
    const ids = checkIds(s);
    const report = ids.length ? await runAllChecks(options.lab.observerConfig, options.registry, options.log, ids) : { findings: [] };
    cursor.harbor = options.lab.harbor.requests.length;
    cursor.kube = options.lab.kube.requests.length;
    return { traineeActive, present: new Set(report.findings.map((f) => f.cause)) };
  };

  return {
    incidents,
    get current(): DrillIncident | undefined {
      const last = incidents[incidents.length - 1];
      return last && last.phase !== 'fixed' ? last : undefined;
    },
    get done(): boolean {
      return incidents.length === options.scenarios.length && incidents.every((i) => i.phase === 'fixed');
    },
    start: (): DrillEvent => breakNext(),
    /** One poll: observe, move the current incident on, and break the next one when it is fixed. */
    async tick(): Promise<DrillEvent[]> {
      const incident = incidents[incidents.length - 1];
      if (!incident || incident.phase === 'fixed') return [];
      const obs = await observe(incident.scenario);
      incident.traineeSeen ||= obs.traineeActive;
      const phase = nextPhase(incident, obs, incident.scenario.expect.causes);
      if (phase === incident.phase) return [];
      const events: DrillEvent[] = [];
      if (phase === 'found') {
        incident.foundAt = now();
        incident.phase = 'found';
        events.push({ type: 'found', incident, message: `Found: ${incident.scenario.title} (${incident.scenario.expect.causes.join(', ')}) after ${duration(incident.brokenAt, now())}. Now fix it.` });
      } else {
        incident.foundAt ??= now();
        incident.fixedAt = now();
        incident.phase = 'fixed';
        events.push({ type: 'fixed', incident, message: `Fixed: ${incident.scenario.name} is no longer reported, ${duration(incident.brokenAt, now())} after it broke.` });
        events.push(breakNext());
      }
      return events;
    },
  };
}

export type Drill = ReturnType<typeof createDrill>;

/** Polls `drill` every `intervalMs` until it is done or `signal` aborts; `sleep` is injected for tests. */
export async function runDrill(drill: Drill, options: { intervalMs: number; sleep: (ms: number) => Promise<void>; print: (line: string) => void; signal?: AbortSignal }): Promise<void> {
  options.print(drill.start().message);
  while (!drill.done && !options.signal?.aborted) {
    await options.sleep(options.intervalMs);
    if (options.signal?.aborted) break;
    for (const e of await drill.tick()) options.print(e.message);
  }
}
