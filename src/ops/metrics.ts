import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { readFileSync } from 'node:fs';
import type { Severity } from '../findings/finding.js';
import type { Queues } from '../queues.js';

/** The Prometheus metrics of one process. A fresh registry each, so tests do not share state. */
export interface MetricsOptions {
  queues?: Queues;
  defaults?: boolean;
  /** The queues' connection: no depth is read while it is down (a scrape would wait). */
  redis?: { readonly status: string };
  /** Whether the bot hears Slack (processes with a bot only). */
  slackConnected?: () => boolean;
  /** The findings open now (read from the findings store at scrape time, at most every 15 s). */
  openFindings?: () => Promise<{ severity: Severity; target: string }[]>;
}

/** The package version, for harbor_pilot_build_info. */
export const buildVersion: string = (() => {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'harbor-pilot' && pkg.version) return pkg.version;
    } catch {
      // not there: the next candidate (src/ from a checkout, dist/src/ from a build)
    }
  }
  return 'unknown';
})();

const openFindingsCacheMs = 15_000;

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  // Default process metrics keep their standard names (process_*, nodejs_*): stock Node.js dashboards use them.
  if (options.defaults !== false) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'harbor_pilot_build_info',
    help: 'Always 1; the version label says which harbor-pilot runs',
    labelNames: ['version', 'node'] as const,
    registers: [registry],
  }).set({ version: buildVersion, node: process.versions.node }, 1);
  if (options.openFindings) registerOpenFindings(registry, options.openFindings, options.redis);
  const checkDuration = new Histogram({
    name: 'harbor_pilot_check_duration_seconds',
    help: 'Duration of one check run on one target',
    labelNames: ['check', 'status'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const findings = new Counter({
    name: 'harbor_pilot_findings_total',
    help: 'Findings reported, by severity',
    labelNames: ['severity'] as const,
    registers: [registry],
  });
  const jobLatency = new Histogram({
    name: 'harbor_pilot_job_latency_seconds',
    help: 'Time from enqueue to the start of processing, per queue',
    labelNames: ['queue'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const slackErrors = new Counter({
    name: 'harbor_pilot_slack_api_errors_total',
    help: 'Slack Web API calls that failed, by method and error',
    labelNames: ['method', 'error'] as const,
    registers: [registry],
  });
  const slackRateLimited = new Counter({
    name: 'harbor_pilot_slack_rate_limited_total',
    help: 'Slack Web API calls answered 429',
    labelNames: ['method'] as const,
    registers: [registry],
  });
  const remediations = new Counter({
    name: 'harbor_pilot_remediation_outcomes_total',
    help: 'Remediation executions by id and outcome',
    labelNames: ['remediation', 'outcome'] as const,
    registers: [registry],
  });
  const queueQueues = options.queues;
  new Gauge({
    name: 'harbor_pilot_queue_depth',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!queueQueues || (options.redis && options.redis.status !== 'ready')) return;
      for (const q of [queueQueues.checks, queueQueues.diagnoses, queueQueues.remediations, queueQueues.scheduled]) {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'waiting-children');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
      }
    },
  });
  if (options.slackConnected) {
    const connected = options.slackConnected;
    new Gauge({
      name: 'harbor_pilot_slack_connected',
      help: '1 while the bot can hear Slack (Socket Mode connection open, or HTTP receiver listening), else 0',
      registers: [registry],
      collect() {
        this.set(connected() ? 1 : 0);
      },
    });
  }
  if (options.redis) {
    const redis = options.redis;
    new Gauge({
      name: 'harbor_pilot_redis_up',
      help: '1 while the connection to Redis is ready, 0 while it is down or reconnecting',
      registers: [registry],
      collect() {
        this.set(redis.status === 'ready' ? 1 : 0);
      },
    });
  }
  return {
    registry,
    observeCheck(run: { id: string; status: string; durationMs: number; counts: Record<string, number> }) {
      checkDuration.observe({ check: run.id, status: run.status }, run.durationMs / 1000);
      for (const [severity, n] of Object.entries(run.counts)) if (n > 0) findings.inc({ severity }, n);
    },
    observeJobStart(queue: string, enqueuedAt: number, startedAt: number) {
      jobLatency.observe({ queue }, Math.max(0, startedAt - enqueuedAt) / 1000);
    },
    /** One 429 from Slack (the Web client's `rate_limited` event; the call itself waits and retries). */
    slackRateLimited(method: string) {
      slackRateLimited.inc({ method });
    },
    slackError(method: string, error: string, rateLimited: boolean) {
      if (rateLimited) slackRateLimited.inc({ method });
      else slackErrors.inc({ method, error });
    },
    remediationOutcome(remediation: string, outcome: string) {
      remediations.inc({ remediation, outcome });
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** harbor_pilot_open_findings{severity,target}: what is open now, read at most every 15 s. */
function registerOpenFindings(
  registry: Registry,
  read: NonNullable<MetricsOptions['openFindings']>,
  redis: MetricsOptions['redis'],
): void {
  let cached: { at: number; counts: Map<string, { severity: Severity; target: string; n: number }> } | undefined;
  new Gauge({
    name: 'harbor_pilot_open_findings',
    help: 'Findings open now, by severity and target (silenced ones included)',
    labelNames: ['severity', 'target'] as const,
    registers: [registry],
    async collect() {
      if (!cached || Date.now() - cached.at > openFindingsCacheMs) {
        if (redis && redis.status !== 'ready') return; // keep the last answer rather than wait on a down Redis
        const counts = new Map<string, { severity: Severity; target: string; n: number }>();
        for (const f of await read()) {
          const key = `${f.severity}|${f.target}`;
          const entry = counts.get(key) ?? { severity: f.severity, target: f.target, n: 0 };
          entry.n++;
          counts.set(key, entry);
        }
        cached = { at: Date.now(), counts };
      }
      this.reset();
      for (const c of cached.counts.values()) this.set({ severity: c.severity, target: c.target }, c.n);
    },
  });
}
