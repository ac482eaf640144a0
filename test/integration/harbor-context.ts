import type { Config } from '../../src/config.js';
import { parseConfig } from '../../src/config.js';
import { createClientSet } from '../../src/checks/clients.js';
import type { CheckDefinition, RemediationDefinition, RunContext } from '../../src/checks/define.js';
import { createRunContext, runCheck, type RunnerDeps } from '../../src/checks/runner.js';
import type { HarborSim } from '../../src/sim/harbor-sim.js';
import { targetOf } from '../../src/targets.js';
import { memoryLogger } from '../helpers.js';

/** Runner dependencies for one Harbor named `prod` served by `sim`, with an injected clock. */
export function harborDeps(sim: HarborSim, options: { now?: Date; extra?: string; password?: string } = {}): RunnerDeps & { lines: string[] } {
  const yaml = `harbors:\n  - name: prod\n    url: ${sim.url}\n    username: robot$pilot\n    password: \${HP_PASSWORD}\n    timeoutMs: 2000\n${options.extra ?? ''}`;
  const config: Config = parseConfig(yaml, { HP_PASSWORD: options.password ?? 'pilot-secret' });
  const { log, lines } = memoryLogger();
  const now = options.now;
  return { config, clients: createClientSet(config, { log }), log, now: now ? () => now : undefined, lines };
}

export const prod = targetOf('harbor', 'prod');

export function runOn(check: CheckDefinition, deps: RunnerDeps, params?: Record<string, unknown>, onProgress?: Parameters<typeof runCheck>[2]) {
  return runCheck({ check, target: prod, params }, deps, onProgress);
}

export function remediationContext(deps: RunnerDeps): RunContext {
  return createRunContext(prod, deps, new AbortController().signal, deps.log);
}

/** Plans, executes and verifies one proposed remediation, as the approval flow will. */
export async function applyRemediation(r: RemediationDefinition, deps: RunnerDeps, params: unknown) {
  const ctx = remediationContext(deps);
  const p = r.params.parse(params);
  const plan = await r.plan(ctx, p);
  if (plan.refuse) return { plan, outcome: null, verified: null };
  const outcome = await r.execute(ctx, p, plan);
  const verified = await r.verify(ctx, p);
  return { plan, outcome, verified };
}
