import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Config } from './config.js';
import { ConfigError, errorMessage } from './errors.js';
import type { Logger } from './log.js';

/** One job scheduler the configuration asks for. */
export interface DesiredSchedule {
  /** `digest-<hash>` / `watch-<hash>`: the hash covers the whole entry, so any change replaces it. */
  id: string;
  /** The scheduled job's name (`digest`, `watch`). */
  name: string;
  pattern: string;
  tz: string;
  data: Record<string, unknown>;
  /** Where it comes from, for error messages: `digests[0]`. */
  source: string;
}

/** Scheduler ids this module owns; any other scheduler on the queue is left alone. */
const ownedId = /^(digest|watch)-[0-9a-f]{12}$/;

const templateOpts = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};

function idOf(kind: string, entry: unknown): string {
  return `${kind}-${createHash('sha256').update(JSON.stringify(entry)).digest('hex').slice(0, 12)}`;
}

function checkTimezone(tz: string, source: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ConfigError([`${source}.timezone: unknown timezone "${tz}" (use an IANA name like Europe/Berlin)`]);
  }
}

/** The schedulers of `digests` and `watches` (a watch posts in its channel, else slack.alertChannel). */
export function desiredSchedules(config: Config): DesiredSchedule[] {
  const digests = config.digests.map((d, i) => {
    const data = { channel: d.channel, timezone: d.timezone, targets: d.targets };
    return {
      id: idOf('digest', { ...data, cron: d.cron }),
      name: 'digest',
      pattern: d.cron,
      tz: d.timezone,
      data,
      source: `digests[${i}]`,
    };
  });
  const watches = config.watches.map((w, i) => {
    const channel = w.channel ?? config.slack?.alertChannel;
    if (!channel)
      throw new ConfigError([
        `watches[${i}].channel: not set, and slack.alertChannel is not set either; name where alerts go`,
      ]);
    // The default severity stays out of the data, so the scheduler ids of existing watches do not change.
    const min = w.minSeverity === 'critical' ? {} : { minSeverity: w.minSeverity };
    const data = { channel, targets: w.targets, checks: w.checks, ...min };
    return {
      id: idOf('watch', { ...data, cron: w.cron, tz: w.timezone }),
      name: 'watch',
      pattern: w.cron,
      tz: w.timezone,
      data,
      source: `watches[${i}]`,
    };
  });
  const all = [...digests, ...watches];
  for (const s of all) checkTimezone(s.tz, s.source);
  return all;
}

/**
 * Makes the queue's job schedulers match the configuration, at start-up: upserts every configured
 * one (the same id from every replica, so there is one scheduler however many run) and removes
 * the ones no longer configured, so nothing stale keeps firing. `jobNames` are the scheduled job
 * kinds this build can run; configuring another is an error.
 */
export async function syncSchedules(
  queue: Queue,
  config: Config,
  log: Logger,
  jobNames: readonly string[],
): Promise<{ upserted: string[]; removed: string[] }> {
  const desired = desiredSchedules(config);
  const missing = desired.filter((d) => !jobNames.includes(d.name));
  if (missing.length > 0)
    throw new ConfigError(missing.map((d) => `${d.source}: this build has no "${d.name}" job to run it`));
  for (const d of desired) {
    try {
      await queue.upsertJobScheduler(
        d.id,
        { pattern: d.pattern, tz: d.tz },
        { name: d.name, data: d.data, opts: templateOpts },
      );
    } catch (err) {
      // cron-parser's complaints; a Redis fault is not a configuration problem.
      if (!/validation|invalid|cron|pattern|alias|constraint|range/i.test(errorMessage(err))) throw err;
      throw new ConfigError([`${d.source}.cron: "${d.pattern}" is not a valid cron pattern (${errorMessage(err)})`]);
    }
  }
  const wanted = new Set(desired.map((d) => d.id));
  const removed: string[] = [];
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.id ?? s.key;
    if (ownedId.test(id) && !wanted.has(id)) {
      await queue.removeJobScheduler(id);
      removed.push(id);
    }
  }
  log.info({ schedulers: desired.map((d) => `${d.id} ${d.pattern} ${d.tz}`), removed }, 'job schedulers synced');
  return { upserted: desired.map((d) => d.id), removed };
}
