import { Counter, Histogram, type Registry } from 'prom-client';

/** The alert hooks' and incidents' metrics, on a process's registry. */
export function createAlertMetrics(registry: Registry) {
  const received = new Counter({
    name: 'harbor_pilot_alerts_received_total',
    help: 'Alerts received in accepted notifications, by sender',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'harbor_pilot_alerts_rejected_total',
    help: 'Hook requests refused, by sender and reason (unauthorized, too_large, bad_json, bad_payload, unavailable)',
    labelNames: ['source', 'reason'] as const,
    registers: [registry],
  });
  const unrouted = new Counter({
    name: 'harbor_pilot_alerts_unrouted_total',
    help: 'Alerts that belong to no configured target (or have no channel)',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const opened = new Counter({
    name: 'harbor_pilot_incidents_opened_total',
    help: 'Incident threads opened by alerts',
    registers: [registry],
  });
  const resolved = new Counter({
    name: 'harbor_pilot_incidents_resolved_total',
    help: 'Incidents whose every alert resolved',
    registers: [registry],
  });
  const firstFinding = new Histogram({
    name: 'harbor_pilot_alert_first_finding_seconds',
    help: "Time from an incident's first notification to its first finding posted in the thread",
    buckets: [0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300],
    registers: [registry],
  });
  return {
    received: (source: string, n: number) => received.inc({ source }, n),
    rejected: (source: string, reason: string) => rejected.inc({ source, reason }),
    unrouted: (source: string, n: number) => unrouted.inc({ source }, n),
    opened: () => opened.inc(),
    resolved: () => resolved.inc(),
    firstFinding: (seconds: number) => firstFinding.observe(seconds),
  };
}
export type AlertMetrics = ReturnType<typeof createAlertMetrics>;
