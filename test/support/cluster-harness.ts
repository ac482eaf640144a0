import { afterAll, beforeAll, beforeEach } from 'vitest';
import { loadKubernetesClient } from '../../src/kube/k8s.js';
import { createClientSet } from '../../src/checks/clients.js';
import type { CheckDefinition, RunContext } from '../../src/checks/define.js';
import { createRunContext, runCheck, type CheckRun } from '../../src/checks/runner.js';
import { parseConfig, type Config } from '../../src/config.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startKubeSim, type KubeSim } from '../../src/sim/kube-sim.js';
import { targetOf } from '../../src/targets.js';
import { memoryLogger, tempFiles } from './helpers.js';

export interface ClusterHarness {
  kube: KubeSim;
  config: Config;
  now: Date;
  logs: string[];
  /** The fake Harbor behind harbor/prod; reading it without one configured is a test bug. */
  readonly harbor: HarborSim;
  run(check: CheckDefinition, params?: Record<string, unknown>): Promise<CheckRun>;
  /** The context a remediation gets for cluster/prod. */
  context(): RunContext;
  close(): Promise<void>;
}

/**
 * A fake Kubernetes API (and optionally a fake Harbor) with a configuration naming them as
 * cluster/prod and harbor/prod; checks run through the real runner with an injected clock.
 */
export async function startClusterHarness(
  opts: { harbor?: HarborSim; now?: Date; clusterYaml?: string; harborYaml?: string } = {},
): Promise<ClusterHarness> {
  const kube = await startKubeSim();
  const files = tempFiles({ kubeconfig: kube.kubeconfig('prod') });
  const harborUrl = opts.harbor?.url ?? 'https://harbor.example.com';
  const yaml = [
    'harbors:',
    '  - name: prod',
    `    url: ${harborUrl}`,
    '    username: robot$pilot',
    '    password: pilot-secret',
    '    timeoutMs: 1000',
    ...(opts.harborYaml ? [opts.harborYaml] : []),
    'clusters:',
    '  - name: prod',
    `    kubeconfig: ${files.kubeconfig}`,
    '    namespace: harbor',
    '    release: harbor',
    '    harbor: prod',
    '    remediations: ["*"]',
    '    timeoutMs: 3000',
    ...(opts.clusterYaml ? [opts.clusterYaml] : []),
    '',
  ].join('\n');
  const config = parseConfig(yaml, {});
  const now = opts.now ?? new Date();
  const { log, lines } = memoryLogger();
  const clients = createClientSet(config, { log });
  const deps = { config, clients, log, now: () => now };
  const target = targetOf('cluster', 'prod');
  return {
    kube,
    config,
    now,
    logs: lines,
    get harbor() {
      if (!opts.harbor) throw new Error('this cluster harness has no fake Harbor (useClusterHarness({ withHarbor }))');
      return opts.harbor;
    },
    run: (check, params) => runCheck({ check, target, params }, deps),
    context: () => createRunContext(target, deps, new AbortController().signal, log),
    close: () => kube.close(),
  };
}

/**
 * One harness for a test file: started before its tests, closed after them, and its fake RBAC and
 * recorded requests reset before each test. `withHarbor` also starts a fake Harbor as harbor/prod
 * (seeded by it; its faults cleared before each test). Use the returned object like a started harness.
 */
export function useClusterHarness(
  opts: Parameters<typeof startClusterHarness>[0] & { withHarbor?: (sim: HarborSim) => void } = {},
): ClusterHarness {
  let current: ClusterHarness | undefined;
  let harbor: HarborSim | undefined;
  beforeAll(async () => {
    // As a worker with clusters does at start: the import stays out of the tests' own time.
    await loadKubernetesClient();
    if (opts.withHarbor) {
      harbor = await startHarborSim();
      opts.withHarbor(harbor);
    }
    current = await startClusterHarness({ ...opts, harbor: harbor ?? opts.harbor });
  });
  afterAll(async () => {
    await current?.close();
    await harbor?.close();
  });
  beforeEach(() => {
    harbor?.clearFaults();
    if (!current) return;
    current.kube.state.forbidden = [];
    current.kube.requests.length = 0;
  });
  return new Proxy({} as ClusterHarness, {
    get(_target, key) {
      if (!current) throw new Error('the cluster harness is used before beforeAll started it');
      return Reflect.get(current, key);
    },
    set(_target, key, value) {
      if (!current) throw new Error('the cluster harness is used before beforeAll started it');
      return Reflect.set(current, key, value);
    },
  });
}
