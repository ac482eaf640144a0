import type { Config } from '../../src/config.js';
import { parseConfig } from '../../src/config.js';
import { createClientSet } from '../../src/checks/clients.js';
import type { CheckDefinition, RemediationDefinition, RunContext } from '../../src/checks/define.js';
import { createRunContext, runCheck, type RunnerDeps } from '../../src/checks/runner.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { targetOf } from '../../src/targets.js';
import { memoryLogger } from './helpers.js';

/** Runner dependencies for one Harbor named `prod` served by `sim`, with an injected clock. */
export function harborDeps(
  sim: HarborSim,
  options: { now?: Date; extra?: string; password?: string } = {},
): RunnerDeps & { lines: string[] } {
  const yaml = `harbors:\n  - name: prod\n    url: ${sim.url}\n    username: robot$pilot\n    password: \${HP_PASSWORD}\n    timeoutMs: 2000\n${options.extra ?? ''}`;
  const config: Config = parseConfig(yaml, { HP_PASSWORD: options.password ?? 'pilot-secret' });
  const { log, lines } = memoryLogger();
  const now = options.now;
  return { config, clients: createClientSet(config, { log }), log, now: now ? () => now : undefined, lines };
}

export const prod = targetOf('harbor', 'prod');

export function runOn(
  check: CheckDefinition,
  deps: RunnerDeps,
  params?: Record<string, unknown>,
  onProgress?: Parameters<typeof runCheck>[2],
) {
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

/**
 * One simulated Harbor for a test file: started before its tests and closed after them; before each
 * test its faults and recorded requests are cleared and `reset` seeds its state. Use the returned
 * object like the simulator itself.
 */
export function useHarborSim(reset: (harbor: HarborSim) => void = () => {}): HarborSim {
  let current: HarborSim | undefined;
  beforeAll(async () => {
    current = await startHarborSim();
  });
  afterAll(() => current?.close());
  beforeEach(() => {
    if (!current) return;
    current.clearFaults();
    current.requests.length = 0;
    reset(current);
  });
  return new Proxy({} as HarborSim, {
    get(_target, key) {
      if (!current) throw new Error('the Harbor simulator is used before beforeAll started it');
      const value = Reflect.get(current, key);
      return typeof value === 'function' ? value.bind(current) : value;
    },
    set(_target, key, value) {
      if (!current) throw new Error('the Harbor simulator is used before beforeAll started it');
      return Reflect.set(current, key, value);
    },
  });
}
