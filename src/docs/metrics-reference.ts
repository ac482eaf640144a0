import { createAlertMetrics } from '../alerts/metrics.js';
import { createMetrics } from '../ops/metrics.js';

/** The README's metrics table, from the metrics a process registers (every optional one included). */
export function metricsReference(): string {
  const metrics = createMetrics({
    defaults: false,
    redis: { status: 'ready' },
    slackConnected: () => true,
    openFindings: async () => [],
  });
  createAlertMetrics(metrics.registry);
  const rows = metrics.registry.getMetricsAsArray().map((m) => {
    const { name, help, type, labelNames } = m as unknown as {
      name: string;
      help: string;
      type: string;
      labelNames: readonly string[];
    };
    return `| \`${name}\` | ${type} | ${labelNames.map((l) => `\`${l}\``).join(', ')} | ${help} |`;
  });
  return [
    '| metric | type | labels | meaning |',
    '|---|---|---|---|',
    ...rows,
    '| `process_*`, `nodejs_*` | | | the standard Node.js process metrics of prom-client, unprefixed |',
  ].join('\n');
}
