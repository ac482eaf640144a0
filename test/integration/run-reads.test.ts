import { describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { createClientSet } from '../../src/checks/clients.js';
import { RunReadsByRun } from '../../src/checks/run-reads.js';
import { stringify } from 'yaml';
import { planChecks, runPlan } from '../../src/checks/runner.js';
import { parseConfig } from '../../src/config.js';
import { upgradeThroughOwnProxyCache } from '../../src/sim/harbor-incidents.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { startKubeSim } from '../../src/sim/kube-sim.js';
import { listTargets } from '../../src/targets.js';
import { tempFiles } from '../support/helpers.js';
import { processCheckJob, type CheckJobContext } from '../../src/diagnosis/check-job.js';
import { useClusterHarness } from '../support/cluster-harness.js';

const h = useClusterHarness();
const workerContext = (): CheckJobContext => {
  const log = h.context().log;
  return {
    config: h.config,
    registry,
    clients: createClientSet(h.config, { log }),
    log,
    now: () => h.now,
    runReads: new RunReadsByRun(),
  };
};

describe('check jobs of one diagnosis on a worker', () => {
  it('share the release reads of their run, and a new run reads afresh', async () => {
    loadScenario(h.kube, buildHarborRelease({ version: '2.10.3' }));
    const ctx = workerContext();
    const job = (runId: string, checkId: string) =>
      processCheckJob({ runId, checkId, target: 'cluster/prod', params: {} }, ctx);
    const podLists = () =>
      h.kube.requests.filter(
        (r) =>
          r.path === '/api/v1/namespaces/harbor/pods' && r.query.get('labelSelector') === 'app=harbor,release=harbor',
      ).length;

    const results = await Promise.all([
      job('run-1', 'pod-health'),
      job('run-1', 'component-logs'),
      job('run-1', 'database-schema'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(podLists()).toBe(1);
    await job('run-1', 'core-token-keys');
    expect(podLists()).toBe(1);
    await job('run-2', 'pod-health');
    expect(podLists()).toBe(2);
  });

  it('each see the fault when the shared read is refused', async () => {
    loadScenario(h.kube, buildHarborRelease({ version: '2.10.3' }));
    h.kube.state.forbidden = ['list pods'];
    const ctx = workerContext();
    const results = await Promise.all(
      ['pod-health', 'component-logs'].map((checkId) =>
        processCheckJob({ runId: 'run-3', checkId, target: 'cluster/prod', params: {} }, ctx),
      ),
    );
    // Both report the refusal (one fault finding each), neither passes on a shared empty answer.
    expect(results.map((r) => [r.status, r.fingerprints.length])).toEqual([
      ['error', 1],
      ['error', 1],
    ]);
  });
});

describe('a diagnosis of two clusters with the same namespace and release name', () => {
  it("reads each cluster's pods from that cluster", async () => {
    const other = await startKubeSim();
    try {
      loadScenario(h.kube, buildHarborRelease({ version: '2.10.3' }));
      loadScenario(other, upgradeThroughOwnProxyCache(buildHarborRelease({ version: '2.10.3' })));
      const files = tempFiles({ kubeconfig: other.kubeconfig('staging') });
      const config = parseConfig(
        `${stringify({
          clusters: [
            { name: 'prod', kubeconfig: h.config.clusters[0]?.kubeconfig, namespace: 'harbor', release: 'harbor' },
            { name: 'staging', kubeconfig: files.kubeconfig, namespace: 'harbor', release: 'harbor' },
          ],
        })}`,
        {},
      );
      const log = h.context().log;
      const plan = planChecks(registry, config, { ids: ['image-pull', 'pod-health'] }, listTargets(config));
      const report = await runPlan(plan, { config, clients: createClientSet(config, { log }), log });
      const podLists = (sim: typeof other) =>
        sim.requests.filter(
          (r) =>
            r.path === '/api/v1/namespaces/harbor/pods' && r.query.get('labelSelector') === 'app=harbor,release=harbor',
        ).length;
      expect([podLists(h.kube), podLists(other)]).toEqual([1, 1]);
      // Only staging's pods fail to pull (7 workloads); prod, read from its own API server, is healthy.
      expect(report.findings.filter((f) => f.check === 'image-pull').map((f) => f.target)).toEqual(
        Array(7).fill('cluster/staging'),
      );
      expect(report.findings.filter((f) => f.target === 'cluster/prod')).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
