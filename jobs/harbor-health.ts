import * as z from 'zod';
import { defineCheck, type FindingInput } from '../src/checks/define.js';

/** Components without which Harbor cannot serve pulls and pushes. */
const essential = new Set(['core', 'registry', 'registryctl', 'database', 'redis']);

export default defineCheck({
  id: 'harbor-health',
  title: 'Harbor component health',
  description:
    "Reads Harbor's own health report (GET /api/v2.0/health, no credentials needed) and reports each unhealthy " +
    'component; core, registry, registryctl, database and redis are critical, the rest warnings. Harbor not ' +
    'answering at all is itself a finding.',
  appliesTo: ['harbor'],
  causes: ['component-unhealthy', 'target-unreachable'],
  params: z.strictObject({}),
  async run(ctx) {
    const health = await ctx.harbor().getHealth(ctx.signal);
    const findings: FindingInput[] = health.components
      .filter((c) => c.status !== 'healthy')
      .map((c) => {
        const critical = essential.has(c.name);
        return {
          cause: 'component-unhealthy',
          severity: critical ? 'critical' : 'warning',
          title: `Harbor component ${c.name} is ${c.status}`,
          summary: critical
            ? `${c.name} is essential: pulls and pushes fail or degrade until it recovers. Look at the ${c.name} ` +
              `pod's events and logs.`
            : `${c.name} is not on the pull/push path, so this is a warning; its feature is degraded until it ` +
              `recovers.`,
          resource: { kind: 'HarborComponent', name: c.name, namespace: null },
          evidence: [
            `GET /api/v2.0/health: ${c.name} status=${c.status}${c.error ? ` error="${c.error.slice(0, 300)}"` : ''}`,
          ],
        };
      });
    if (findings.length === 0 && health.status !== 'healthy') {
      findings.push({
        cause: 'component-unhealthy',
        title: `Harbor reports overall status ${health.status}`,
        summary: 'Harbor says it is not healthy but names no unhealthy component; check the core logs.',
        resource: { kind: 'HarborComponent', name: 'overall', namespace: null },
        evidence: [`GET /api/v2.0/health: status=${health.status}, ${health.components.length} components listed`],
      });
    }
    return findings;
  },
});
