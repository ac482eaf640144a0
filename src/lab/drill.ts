import type { Registry } from '../checks/registry.js';
import type { Finding } from '../findings/finding.js';
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
  /** Remediation ids the findings of the expected causes propose (a hint for the trainee). */
  fixes?: readonly string[];
}

/**
 * The drill's rule: an incident is found when the trainee has looked and a finding of every expected
 * cause is there; it is fixed when none of them is reported any more.
 */
export function nextPhase(
  incident: Pick<DrillIncident, 'phase' | 'traineeSeen'>,
  obs: Observation,
  expected: readonly string[],
): DrillPhase {
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
  return requests.some(
    (r) => r.headers.authorization !== observerAuth && r.headers['impersonate-user'] !== observerImpersonation,
  );
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

/**
 * An incident drill over `scenarios`, one after another: `start()` breaks the first, each `tick()`
 * polls once and says what changed. Time comes from the injected clock; nothing here sleeps.
 */
export class Drill {
  readonly incidents: DrillIncident[] = [];
  private readonly cursor = { harbor: 0, kube: 0 };
  private readonly now: () => Date;

  constructor(private readonly options: DrillOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The incident being worked on, if any. */
  get current(): DrillIncident | undefined {
    const last = this.incidents[this.incidents.length - 1];
    return last && last.phase !== 'fixed' ? last : undefined;
  }

  get done(): boolean {
    return this.incidents.length === this.options.scenarios.length && this.incidents.every((i) => i.phase === 'fixed');
  }

  start(): DrillEvent {
    return this.breakNext();
  }

  /** One poll: observe, move the current incident on, and break the next one when it is fixed. */
  async tick(): Promise<DrillEvent[]> {
    const incident = this.current;
    if (!incident) return [];
    const obs = await this.observe(incident.scenario);
    const phase = nextPhase(incident, obs, incident.scenario.expect.causes);
    incident.traineeSeen ||= obs.traineeActive;
    if (phase === incident.phase) return [];
    const took = duration(incident.brokenAt, this.now());
    if (phase === 'found') {
      Object.assign(incident, { phase, foundAt: this.now() });
      const hint = obs.fixes?.length ? ` (proposed: ${obs.fixes.join(', ')})` : '';
      return [
        {
          type: 'found',
          incident,
          message:
            `Found: ${incident.scenario.title} (${incident.scenario.expect.causes.join(', ')}) after ` +
            `${took}. Now fix it${hint}.`,
        },
      ];
    }
    Object.assign(incident, { phase, foundAt: incident.foundAt ?? this.now(), fixedAt: this.now() });
    return [
      {
        type: 'fixed',
        incident,
        message: `Fixed: ${incident.scenario.name} is no longer reported, ${took} after it broke.`,
      },
      this.breakNext(),
    ];
  }

  private breakNext(): DrillEvent {
    const { lab, scenarios, cli = 'harbor-pilot' } = this.options;
    const scenario = scenarios[this.incidents.length];
    if (!scenario)
      return {
        type: 'done',
        message:
          `Drill complete: ${this.incidents.length} incident${this.incidents.length === 1 ? '' : 's'} ` +
          `found and fixed.`,
      };
    lab.load(scenario);
    this.markSeen();
    const incident: DrillIncident = { scenario, phase: 'broken', brokenAt: this.now(), traineeSeen: false };
    this.incidents.push(incident);
    const n = `Incident ${this.incidents.length} of ${scenarios.length}`;
    return {
      type: 'broken',
      incident,
      message:
        `${n}: users report: ${scenario.symptom}\n  Diagnose it: ${cli} check --config ${lab.configPath} ` +
        `(or /harbor diagnose), then fix it.`,
    };
  }

  /** Trainee activity since the last look, then the drill's own run of the checks that report the expected causes. */
  private async observe(s: Scenario): Promise<Observation> {
    const { lab, registry, log } = this.options;
    const traineeActive =
      byTrainee(lab.harbor.requests.slice(this.cursor.harbor)) || byTrainee(lab.kube.requests.slice(this.cursor.kube));
    const ids = [...registry.checks.values()]
      .filter((c) => c.causes.some((k) => s.expect.causes.includes(k)))
      .map((c) => c.id);
    const report = ids.length
      ? await runAllChecks(lab.observerConfig, registry, log, ids)
      : { findings: [] as Finding[] };
    this.markSeen();
    const expected = report.findings.filter((f) => (s.expect.causes as readonly string[]).includes(f.cause));
    return {
      traineeActive,
      present: new Set(report.findings.map((f) => f.cause)),
      fixes: [...new Set(expected.flatMap((f) => f.remediations.map((r) => r.id)))],
    };
  }

  private markSeen(): void {
    this.cursor.harbor = this.options.lab.harbor.requests.length;
    this.cursor.kube = this.options.lab.kube.requests.length;
  }
}

/** A drill over `options.scenarios`. */
export function createDrill(options: DrillOptions): Drill {
  return new Drill(options);
}

/** Polls `drill` every `intervalMs` until it is done or `signal` aborts; `sleep` is injected for tests. */
export async function runDrill(
  drill: Drill,
  options: {
    intervalMs: number;
    sleep: (ms: number) => Promise<void>;
    print: (line: string) => void;
    signal?: AbortSignal;
  },
): Promise<void> {
  options.print(drill.start().message);
  while (!drill.done && !options.signal?.aborted) {
    await options.sleep(options.intervalMs);
    if (options.signal?.aborted) break;
    for (const e of await drill.tick()) options.print(e.message);
  }
}
