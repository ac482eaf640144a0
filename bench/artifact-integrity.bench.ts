import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import check from '../jobs/artifact-integrity.js';
import { runCheck } from '../src/checks/runner.js';
import { parseConfig } from '../src/config.js';
import { createHarborClient } from '../src/harbor/client.js';
import { defaultTransport, type FetchLike } from '../src/http.js';
import { createLogger } from '../src/log.js';
import { artifactAt, buildRegistry, loseBlob, loseManifest, zeroSizeArtifact } from '../src/sim/artifact-scenarios.js';
import { startHarborSim } from '../src/sim/harbor-sim.js';
import { targetOf } from '../src/targets.js';

// artifact-integrity against the simulated Harbor: 100,000 artifacts in 1,000 repositories, 5 ms
// added to every answer, the default cap of 8 concurrent requests. Each image has its own config
// and shares two base layers with the other tags of its repository. The simulator runs in a child
// process so the memory and CPU measured are the scanner's alone.
const REPOS = Number(process.env.BENCH_REPOS ?? 1000);
const PER_REPO = 100;
const LATENCY_MS = 5;
const CONCURRENCY = 8;
const TARGET_RATIO = 1.3;
const TARGET_RSS_MB = 300;
const here = dirname(fileURLToPath(import.meta.url));

async function serve(): Promise<void> {
  const name = (i: number) => `team${(i % REPOS) % 20}/service-${i % REPOS}`;
  const st = buildRegistry(
    Array.from({ length: REPOS }, (_, i) => ({ name: name(i), artifacts: PER_REPO, sharedLayers: 2, uniqueLayers: 0 })),
  );
  for (let i = 0; i < 10; i++) loseManifest(st, artifactAt(st, name(i * 37), i).digest);
  for (let i = 0; i < 5; i++)
    loseBlob(st, st.storage.manifests[artifactAt(st, name(i * 41 + 1), 50).digest]?.config?.digest as string);
  for (let i = 0; i < 5; i++) zeroSizeArtifact(st, name(i * 43 + 2), artifactAt(st, name(i * 43 + 2), 99).digest);
  const sim = await startHarborSim({ state: { artifacts: st } });
  sim.latencyMs = LATENCY_MS;
  sim.record = false;
  process.stdout.write(`READY ${sim.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void sim.close().then(() => process.exit(0)));
}

async function startSimProcess(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => l.startsWith('READY ') && resolve(l.slice(6)));
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { url, stop: () => child.stdin.end() };
}

/**
 * The ratio the simplest request reaches here: CONCURRENCY loops of GET /ping for 5 s through the
 * same Harbor client, right after the scan. The scan cannot beat it; a scan ratio close to it means the scan adds nothing.
 */
async function calibrate(harbor: ReturnType<typeof createHarborClient>): Promise<number> {
  let n = 0;
  const started = performance.now();
  const end = started + 5000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await harbor.ping();
        n += 1;
      }
    }),
  );
  return (performance.now() - started) / ((n * LATENCY_MS) / CONCURRENCY);
}

async function main(): Promise<void> {
  const sim = await startSimProcess();
  let requests = 0;
  let requestMs = 0;
  const counting: FetchLike = async (url, init) => {
    requests += 1;
    const t0 = performance.now();
    const res = await defaultTransport(url, init);
    requestMs += performance.now() - t0;
    return res;
  };
  const config = parseConfig(
    `harbors:\n  - name: bench\n    url: ${sim.url}\n    username: robot$pilot\n    password: pilot-secret\n    concurrency: ${CONCURRENCY}\n    timeoutMs: ${process.env.BENCH_TIMEOUT ?? 10000}\nrunner:\n  checkTimeoutMs: 1800000\n`,
    {},
  );
  const log = createLogger({ level: 'silent' });
  // The Harbor client alone: the Kubernetes client the full client set loads is not part of a scan.
  const harbor = createHarborClient({
    baseUrl: sim.url,
    auth: { username: 'robot$pilot', password: 'pilot-secret' },
    fetch: counting,
    log,
  });
  const clients = {
    harbor: () => harbor,
    kube: (): never => {
      throw new Error('no cluster in this benchmark');
    },
  };
  const deps = { config, clients, log };
  let lastShown = 0;
  const started = performance.now();
  const run = await runCheck({ check, target: targetOf('harbor', 'bench') }, deps, (p) => {
    if (process.stderr.isTTY && performance.now() - lastShown > 1000) {
      lastShown = performance.now();
      process.stderr.write(`\r  ${p.done}/${p.total ?? '?'} artifacts`);
    }
  });
  const measuredMs = performance.now() - started;
  const scanRequests = requests;
  const scanRequestMs = requestMs;
  const floor = await calibrate(harbor);
  requests = scanRequests;
  requestMs = scanRequestMs;
  sim.stop();
  if (process.stderr.isTTY) process.stderr.write('\n');
  const lowerBoundMs = (requests * LATENCY_MS) / CONCURRENCY;
  const ratio = measuredMs / lowerBoundMs;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const causes = run.findings.map((f) => f.cause).sort();
  const expected = [
    ...Array(10).fill('manifest-missing'),
    ...Array(5).fill('blob-missing'),
    ...Array(5).fill('artifact-zero-size'),
  ].sort();
  const found = JSON.stringify(causes) === JSON.stringify(expected);
  const ok = ratio <= TARGET_RATIO && peakRssMb < TARGET_RSS_MB && found && run.status === 'findings';
  const result = {
    artifacts: REPOS * PER_REPO,
    repositories: REPOS,
    latencyMs: LATENCY_MS,
    concurrency: CONCURRENCY,
    requests,
    measuredMs: Math.round(measuredMs),
    lowerBoundMs: Math.round(lowerBoundMs),
    ratio: Number(ratio.toFixed(3)),
    floorRatio: Number(floor.toFixed(3)),
    targetRatio: TARGET_RATIO,
    meanRequestMs: Number((requestMs / requests).toFixed(2)),
    peakRssMb: Math.round(peakRssMb),
    targetRssMb: TARGET_RSS_MB,
    findings: causes.length,
    expectedFindings: expected.length,
    ok,
    at: new Date().toISOString(),
  };
  console.log(`artifact-integrity: ${result.artifacts} artifacts in ${REPOS} repositories, ${requests} requests`);
  console.log(`  measured     ${(measuredMs / 1000).toFixed(1)} s`);
  console.log(
    `  lower bound  ${(lowerBoundMs / 1000).toFixed(1)} s  (${requests} requests x ${LATENCY_MS} ms / ${CONCURRENCY})`,
  );
  console.log(`  ratio        ${ratio.toFixed(3)}  (target <= ${TARGET_RATIO})`);
  console.log(
    `  mean request ${(requestMs / requests).toFixed(2)} ms until headers (${LATENCY_MS} ms added by the simulator); cap in use ${((requestMs / measuredMs / CONCURRENCY) * 100).toFixed(0)}% of the time`,
  );
  console.log(
    `  floor        ${floor.toFixed(3)}  (the same client and simulator answering GET /ping at the same cap: this machine's overhead per request)`,
  );
  console.log(`  peak RSS     ${Math.round(peakRssMb)} MB  (target < ${TARGET_RSS_MB} MB)`);
  console.log(
    `  findings     ${causes.length} of ${expected.length} planted problems${found ? '' : ` MISMATCH: ${run.status} ${run.error ?? ''}`}`,
  );
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'artifact-integrity.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(ok ? '  target met' : '  TARGET MISSED');
  process.exitCode = ok ? 0 : 1;
}

if (process.argv.includes('--serve')) await serve();
else await main();
