import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { registry } from '../jobs/index.js';
import { createClientSet } from '../src/checks/clients.js';
import { planChecks, runPlan } from '../src/checks/runner.js';
import { parseConfig } from '../src/config.js';
import { loadKubernetesClient } from '../src/kube/k8s.js';
import { buildRegistry } from '../src/sim/artifact-scenarios.js';
import { startHarborSim } from '../src/sim/harbor-sim.js';
import { buildHarborRelease, loadScenario } from '../src/sim/harbor-release.js';
import { startKubeSim, type KubeObject } from '../src/sim/kube-sim.js';
import { healthyReplication } from '../src/sim/replication-scenarios.js';
import { listTargets } from '../src/targets.js';
import { benchLog, report } from './common.js';

// A full diagnosis (every check, default parameters, image-pull over all namespaces) of one Harbor
// with 1,000 repositories and one cluster with 5,000 pods, with 5 ms added to every answer. The
// simulators run in a child process; this process is harbor-pilot. The request lower bound: every
// request costs the latency, Harbor requests overlap up to the Harbor's cap (8) and Kubernetes
// requests up to the number of checks running at once (runner.concurrency, 4). Also measured: the
// longest event-loop stall while it runs, which is how long a slash command would wait for its ack
// if this diagnosis ran inside `start` beside the bot.
const LATENCY_MS = 5;
const REPOS = 1000;
const PODS = 5000;
const HARBOR_CAP = 8;
const RUNNER_CAP = 4;
const TARGET = 1.5;

function otherPods(count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: `team-${i % 50}`, labels: { app: `web-${i % 200}` } },
    spec: {
      nodeName: `node-${i % 20}`,
      containers: [{ name: 'app', image: `registry.example.com/team/web:${i % 7}` }],
    },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: true,
          restartCount: 0,
          image: `registry.example.com/team/web:${i % 7}`,
          state: { running: { startedAt: '2026-11-20T10:00:00Z' } },
        },
      ],
    },
  }));
}

async function serve(): Promise<void> {
  const harbor = await startHarborSim({
    state: {
      artifacts: buildRegistry(
        Array.from({ length: REPOS }, (_, i) => ({ name: `team${i % 20}/svc-${i}`, artifacts: 3, uniqueLayers: 0 })),
      ),
    },
  });
  harbor.state.replication = healthyReplication(new Date());
  const kube = await startKubeSim();
  const release = buildHarborRelease();
  loadScenario(kube, release);
  const releasePods = kube.state.objects.filter((o) => o.kind === 'Pod').length;
  for (const p of otherPods(PODS - releasePods)) kube.put(p);
  for (const s of [harbor, kube]) s.latencyMs = LATENCY_MS;
  const kubeconfig = join(tmpdir(), `hp-bench-kube-${process.pid}.yaml`);
  writeFileSync(kubeconfig, kube.kubeconfig());
  process.stdout.write(`READY ${harbor.url} ${kubeconfig} ${release.options.namespace} ${release.options.release}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    process.stdout.write(
      `COUNTS ${harbor.requests.length} ${kube.requests.length} ${kube.state.objects.filter((o) => o.kind === 'Pod').length}\n`,
    );
    void Promise.all([harbor.close(), kube.close()]).then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const next = (prefix: string) =>
    new Promise<string[]>((resolve) => lines.on('line', (l) => l.startsWith(prefix) && resolve(l.split(' ').slice(1))));
  const [harborUrl, kubeconfig, namespace, release] = await next('READY ');
  const config = parseConfig(
    `harbors:\n  - name: prod\n    url: ${harborUrl}\n    username: robot$pilot\n    password: pilot-secret\n    concurrency: ${HARBOR_CAP}\n` +
      `clusters:\n  - name: prod\n    kubeconfig: ${kubeconfig}\n    namespace: ${namespace}\n    release: ${release}\n    harbor: prod\n` +
      `checks:\n  image-pull:\n    allNamespaces: true\nrunner:\n  concurrency: ${RUNNER_CAP}\n  checkTimeoutMs: 600000\n`,
    {},
  );
  const targets = listTargets(config);
  const plan = planChecks(registry, config, {}, targets);
  // A worker with clusters configured loads the Kubernetes client at start (runtime-roles), not
  // during its first diagnosis: so here too, before the clock and the stall monitor start.
  await loadKubernetesClient();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const started = performance.now();
  const result = await runPlan(plan, { config, clients: createClientSet(config, { log: benchLog }), log: benchLog });
  const measuredMs = performance.now() - started;
  loopDelay.disable();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const counts = next('COUNTS ');
  child.stdin.end();
  const [harborRequests, kubeRequests, pods] = (await counts).map(Number) as [number, number, number];
  const lowerBoundMs = Math.max((harborRequests * LATENCY_MS) / HARBOR_CAP, (kubeRequests * LATENCY_MS) / RUNNER_CAP);
  const errors = result.runs.filter((r) => r.status === 'error').map((r) => `${r.id}@${r.target}: ${r.error}`);
  const warnings = result.findings.filter((f) => f.severity !== 'info').map((f) => `${f.check}: ${f.title}`);
  process.stdout.write(
    `${plan.length} check runs; ${harborRequests} Harbor and ${kubeRequests} Kubernetes requests; ${pods} pods, ${REPOS} repositories\n`,
  );
  for (const r of result.runs)
    process.stdout.write(`  ${r.id.padEnd(22)} ${r.target.padEnd(14)} ${r.status.padEnd(8)} ${r.durationMs} ms\n`);
  if (errors.length > 0) process.stdout.write(`errors: ${errors.join('; ')}\n`);
  if (warnings.length > 0) process.stdout.write(`findings on a healthy estate: ${warnings.join('; ')}\n`);
  const ok = report(
    'diagnosis',
    [
      {
        name: `full diagnosis, ${pods} pods + ${REPOS} repositories, ${LATENCY_MS} ms latency`,
        measured: measuredMs,
        unit: 'ms',
        bound: lowerBoundMs,
        kind: 'lower-bound',
        target: TARGET,
      },
      {
        name: 'longest event-loop stall during the diagnosis (an ack in `start` waits behind it)',
        measured: loopDelay.max / 1e6,
        unit: 'ms',
        bound: 100,
        kind: 'limit',
        target: 1,
      },
      {
        name: 'peak RSS of the diagnosing process',
        measured: peakRssMb,
        unit: 'MB',
        bound: 512,
        kind: 'limit',
        target: 1,
      },
    ],
    {
      harborRequests,
      kubeRequests,
      loopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
      runs: result.runs.map(({ findings: _f, ...r }) => r),
    },
  );
  process.exitCode = ok && errors.length === 0 && warnings.length === 0 ? 0 : 1;
}

if (process.argv.includes('--serve')) await serve();
else await main();
