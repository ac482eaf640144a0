import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queues } from '../queues.js';

/** The Prometheus metrics of one process. A fresh registry each, so tests do not share state. */
export interface MetricsOptions {
  queues?: Queues;
  defaults?: boolean;
  /** The queues' connection: no depth is read while it is down (a scrape would wait). */
  redis?: { readonly status: string };
  /** Whether the bot hears Slack (processes with a bot only). */
  slackConnected?: () => boolean;
}

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'harbor_pilot_' });
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
