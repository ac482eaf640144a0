import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { createClientSet } from '../../src/checks/clients.js';
import { planChecks, runPlan } from '../../src/checks/runner.js';
import { parseConfig } from '../../src/config.js';
import type { Fault } from '../../src/sim/http-sim.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { startKubeSim, type KubeSim } from '../../src/sim/kube-sim.js';
import { listTargets } from '../../src/targets.js';
import { memoryLogger, tempFiles } from '../support/helpers.js';
import { loadKubernetesClient } from '../../src/kube/k8s.js';

// Every check, against upstreams that misbehave in the ways production ones do, must end with a
// finding that says what failed, within a bounded time: never a crash, never a silent pass.
let harbor: HarborSim;
let kube: KubeSim;
let kubeconfig: string;

beforeAll(async () => {
  await loadKubernetesClient(); // as a worker with clusters does at start
  harbor = await startHarborSim();
  kube = await startKubeSim();
  kubeconfig = tempFiles({ kubeconfig: kube.kubeconfig() }).kubeconfig as string;
});
afterAll(async () => {
  await Promise.all([harbor.close(), kube.close()]);
});

async function runAll(kind: 'harbor' | 'cluster') {
  const config = parseConfig(
    `harbors:\n  - name: prod\n    url: ${harbor.url}\n    username: robot$pilot\n    password: pilot-secret\n    timeoutMs: 300\n` +
      `clusters:\n  - name: prod\n    kubeconfig: ${kubeconfig}\n    namespace: harbor\n    release: harbor\n    harbor: prod\n    timeoutMs: 300\n` +
      'runner:\n  checkTimeoutMs: 4000\n',
    {},
  );
  const targets = listTargets(config).filter((t) => t.kind === kind);
  const plan = planChecks(registry, config, { targets }, targets);
  const started = performance.now();
  const report = await runPlan(
    plan,
    { config, clients: createClientSet(config, { log: memoryLogger('fatal').log }), log: memoryLogger('fatal').log },
    8,
  );
  return { report, plan, elapsedMs: performance.now() - started };
}

/** Every run ended with a finding that matches `says`, all of them within 15 s. */
function expectEveryRunSays(
  report: Awaited<ReturnType<typeof runAll>>['report'],
  says: RegExp,
  elapsedMs: number,
): void {
  for (const run of report.runs) {
    expect(run.findings.length, `${run.id} said nothing`).toBeGreaterThan(0);
    const text = run.findings.map((f) => `${f.title} ${f.summary} ${f.evidence.join(' ')}`).join(' ');
    expect(text, `${run.id}`).toMatch(says);
  }
  expect(elapsedMs).toBeLessThan(15_000);
}

const harborFaults: [string, Fault, RegExp][] = [
  ['500', { path: /^\/(api|v2|service)/, status: 500 }, /500/],
  ['503', { path: /^\/(api|v2|service)/, status: 503 }, /503/],
  ['slow beyond the timeout', { path: /^\/(api|v2|service)/, delayMs: 1500 }, /no answer within 300 ms/],
  [
    'a connection cut mid-response',
    { path: /^\/(api|v2|service)/, cutMidResponse: true },
    /connection failed|terminated|other side closed|unexpected/i,
  ],
  [
    'an HTML page (a login proxy or default backend in front of it)',
    {
      path: /^\/api/,
      status: 200,
      body: '<!DOCTYPE html><html><body>Sign in</body></html>',
      headers: { 'content-type': 'text/html' },
    },
    /an HTML page instead of Harbor's JSON API.*\/api\/v2\.0\/ping should answer Pong/,
  ],
];

describe.each(harborFaults)('every Harbor check when Harbor answers %s', (_name, fault, says) => {
  it('ends with a finding that says what failed', async () => {
    harbor.clearFaults();
    harbor.fault(fault);
    const { report, plan, elapsedMs } = await runAll('harbor');
    harbor.clearFaults();
    expect(plan.length).toBeGreaterThan(0);
    expectEveryRunSays(report, says, elapsedMs);
  }, 30_000);
});

const kubeFaults: [string, Fault | 'forbid', RegExp][] = [
  ['403 (RBAC)', 'forbid', /cannot (list|get)|forbidden|403/i],
  [
    '410 (expired list continue)',
    {
      path: /^\/api/,
      status: 410,
      body: { kind: 'Status', code: 410, reason: 'Expired', message: 'The provided continue parameter is too old' },
    },
    /410|too old|expired/i,
  ],
  [
    '429 (throttled)',
    {
      path: /^\/api/,
      status: 429,
      headers: { 'retry-after': '1' },
      body: { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'Too many requests' },
    },
    /429|too many/i,
  ],
  ['slow beyond the timeout', { path: /^\/api/, delayMs: 1500 }, /no answer within 300 ms/],
];

describe.each(kubeFaults)('every cluster check when the Kubernetes API answers %s', (_name, fault, says) => {
  it('ends with a finding that says what failed', async () => {
    kube.clearFaults();
    kube.state.forbidden = [];
    if (fault === 'forbid') {
      kube.state.forbidden = [
        'pods',
        'pods/log',
        'events',
        'services',
        'endpoints',
        'secrets',
        'configmaps',
        'nodes',
        'deployments',
        'replicasets',
        'statefulsets',
        'ingresses',
        'upgrades',
        'versions',
        'pods/proxy',
        'services/proxy',
      ].flatMap((r) => [`list ${r}`, `get ${r}`]);
    } else {
      kube.fault({ ...fault, path: /^\/(api|apis)\// });
    }
    const { report, plan, elapsedMs } = await runAll('cluster');
    kube.clearFaults();
    kube.state.forbidden = [];
    expect(plan.length).toBeGreaterThan(5);
    expectEveryRunSays(report, says, elapsedMs);
  }, 30_000);
});
