import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import check from '../../jobs/artifact-integrity.js';
import type { FindingInput } from '../../src/checks/define.js';
import { artifactAt, buildRegistry, loseBlob, loseManifest, loseTag } from '../../src/sim/artifact-scenarios.js';
import type { ArtifactSimState } from '../../src/sim/harbor-artifacts-state.js';
import { startHarborSim } from '../../src/sim/harbor-sim.js';
import type { HarborSim } from '../../src/sim/harbor-sim-types.js';
import { type RegistryCache, registryBinary, startRealRegistry } from '../../src/sim/real-registry.js';
import { mirrorToRegistry } from '../../src/sim/registry-mirror.js';
import { startStorageServer } from '../../src/sim/storage-server.js';
import { createClientSet } from '../../src/checks/clients.js';
import { runCheck } from '../../src/checks/runner.js';
import { describeLab, labTarget, startLab } from '../../src/lab/lab.js';
import type { Scenario } from '../../src/lab/scenario-schema.js';
import { loadScenarios, pickScenarios } from '../../src/lab/scenarios.js';
import { targetOf } from '../../src/targets.js';
import { harborDeps, runOn } from '../support/harbor-context.js';
import { memoryLogger } from '../support/helpers.js';

// artifact-integrity against the registry Harbor ships (CNCF distribution 2.8.2), behind the
// simulated Harbor's API and token service, with its storage broken the ways failure-modes.md
// measured. The same scenario then runs against the simulator alone: both must agree.
// Without docker-registry installed these tests fail with the install command; they never skip.

const REGISTRY_DB = 11;
const redisUrl = new URL(inject('redisUrl'));
const redis = {
  addr: `${redisUrl.hostname}:${redisUrl.port || 6379}`,
  db: REGISTRY_DB,
  password: redisUrl.password || undefined,
};
const now = new Date();
const REPO = 'library/app';

interface Setup {
  cache: boolean;
  tags: 'core' | 'registry';
  redirect?: boolean;
}

/** Seven images of their own, one broken per row of the table, two intact; and an intact repository. */
function scenario(o: Setup): ArtifactSimState {
  const st = buildRegistry(
    [
      {
        name: REPO,
        artifacts: 7,
        sharedLayers: 0,
        uniqueLayers: 2,
        tags: (i) => (i === 3 ? ['v4', 'stable'] : [`v${7 - i}`]),
      },
      { name: 'team/tools', artifacts: 1, sharedLayers: 1, uniqueLayers: 1 },
    ],
    now,
  );
  Object.assign(st, { registryCache: o.cache, tagResolution: o.tags });
  st.storage.redirect = o.redirect ?? false;
  const layer = (i: number) => st.pushed.manifests[artifactAt(st, REPO, i).digest]?.layers?.[0]?.digest as string;
  loseBlob(st, layer(0), { how: 'deleted' }); // v7
  loseBlob(st, layer(1), { how: 'truncated' }); // v6
  loseManifest(st, artifactAt(st, REPO, 2).digest); // v5
  loseTag(st, REPO, 'stable'); // v4
  loseBlob(st, layer(4), { how: 'unlinked', repository: REPO }); // v3
  return st;
}

/** Each finding as `cause tag`: the scenario's artifacts are told apart by their first tag. */
function verdicts(findings: FindingInput[], st: ArtifactSimState): string[] {
  const tagOf = (digest: string) =>
    Object.values(st.artifacts)
      .flat()
      .find((a) => a.digest === digest)?.tags?.[0]?.name;
  return findings.map((f) => `${f.cause} ${tagOf(f.resource.name.split('@')[1] ?? '') ?? f.resource.name}`).sort();
}

/** Evidence with digests and local origins made comparable between the two registries. */
const comparable = (findings: FindingInput[]) =>
  findings
    .map((f) => f.evidence.slice(1).map((l) => l.replace(/sha256:[0-9a-f]{64}/g, 'sha256:…')))
    .map((lines) => lines.map((l) => l.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://storage')))
    .sort();

let harbor: HarborSim;
let flush: Redis;
beforeAll(async () => {
  registryBinary(); // fails here, with the install command, when the registry is missing
  harbor = await startHarborSim();
  flush = new Redis(inject('redisUrl'), { db: REGISTRY_DB });
});
afterAll(async () => {
  await flush?.flushdb();
  flush?.disconnect();
  await harbor?.close();
});

async function scan(st: ArtifactSimState) {
  harbor.state.artifacts = st;
  return runOn(check, harborDeps(harbor, { now }));
}

/** The scenario on a fresh real registry (through the simulated Harbor's /v2/ proxy), then on the simulator. */
async function both(cache: RegistryCache, setup: Setup) {
  await flush.flushdb();
  const storage = setup.redirect ? await startStorageServer() : null;
  const registry = await startRealRegistry({ cache, redis, redirectTo: storage?.url });
  if (storage) storage.root = registry.root;
  try {
    const st = scenario(setup);
    await mirrorToRegistry(st, registry);
    const real = await scan(st);
    const realVerdicts = verdicts(real.findings, st);
    const storageReads = storage?.sim.requests ?? [];
    const sim = await scan(scenario(setup));
    const simVerdicts = verdicts(sim.findings, harbor.state.artifacts as ArtifactSimState);
    return { real, realVerdicts, sim, simVerdicts, storageReads };
  } finally {
    await registry.stop();
    await storage?.close();
  }
}

const broken = ['blob-missing v7', 'blob-missing v6', 'manifest-missing v5', 'manifest-missing v4'];

// Each test starts a registry and pushes a scenario: generous on a machine shared with other work.
describe('artifact-integrity against the real registry (distribution 2.8.2)', { timeout: 120_000 }, () => {
  it('without a cache: every broken artifact gets its cause, the healthy ones none, as on the simulator', async () => {
    const r = await both('none', { cache: false, tags: 'registry' });
    expect(r.realVerdicts).toEqual([...broken, 'blob-missing v3'].sort());
    expect(r.simVerdicts).toEqual(r.realVerdicts);
    expect(comparable(r.sim.findings)).toEqual(comparable(r.real.findings));
    const text = r.real.findings.flatMap((f) => f.evidence).join('\n');
    expect(text).toContain('(Range: bytes=0-0) → 404 BLOB_UNKNOWN (layer 1)');
    expect(text).toContain('→ 416 (Content-Range: bytes */0) for a 1000-byte blob: storage holds none of its bytes');
    expect(text).toMatch(/HEAD \/v2\/library\/app\/manifests\/stable → 404 \(no body\): tag "stable" does not resolve/);
    const tagOnly = r.real.findings.find((f) => f.evidence.some((l) => l.includes('"stable"')));
    expect(tagOnly).toMatchObject({ title: 'Tag(s) stable of library/app unknown to the registry', remediations: [] });
  });

  it("with Harbor's blob-descriptor cache on Redis: the lost data shows as a cut body; a lost layer link hides", async () => {
    const r = await both('redis', { cache: true, tags: 'registry' });
    expect(r.realVerdicts).toEqual(broken.sort());
    expect(r.simVerdicts).toEqual(r.realVerdicts);
    expect(comparable(r.sim.findings)).toEqual(comparable(r.real.findings));
    const cut = r.real.findings.flatMap((f) => f.evidence).filter((l) => l.includes('body cut'));
    expect(cut).toHaveLength(2);
    expect(cut[0]).toContain(
      "→ 206, body cut after 0 of 1 bytes (the registry's blob-descriptor cache answered; storage has no data)",
    );
    expect(await flush.dbsize()).toBeGreaterThan(0); // the registry really cached in its own database
  });

  it('through Harbor 2.x, which asks the registry by digest, a lost tag link is invisible', async () => {
    const r = await both('redis', { cache: true, tags: 'core' });
    expect(r.realVerdicts).toEqual(broken.filter((v) => v !== 'manifest-missing v4').sort());
    expect(r.simVerdicts).toEqual(r.realVerdicts);
  });

  it('on redirecting storage: follows every 307 to storage, without the bearer token', async () => {
    const r = await both('inmemory', { cache: true, tags: 'registry', redirect: true });
    expect(r.realVerdicts).toEqual(broken.sort());
    expect(r.simVerdicts).toEqual(r.realVerdicts);
    expect(comparable(r.sim.findings)).toEqual(comparable(r.real.findings));
    const text = r.real.findings.flatMap((f) => f.evidence).join('\n');
    expect(text).toMatch(/→ 307 to http:\/\/127\.0\.0\.1:\d+ \(storage\) → 404 NoSuchKey \(layer 1\)/);
    expect(text).not.toContain('Signature');
    expect(r.storageReads.length).toBeGreaterThan(0);
    expect(r.storageReads.every((q) => q.headers.authorization === undefined)).toBe(true);
  });

  it('lab --real-registry serves the storage-loss scenarios from the real registry, and they hold there', async () => {
    for (const name of ['manifest-missing', 'zero-size-tags']) {
      const scenario = pickScenarios(loadScenarios(), [name])[0] as Scenario;
      const lab = await startLab({ scenario, realRegistry: true });
      try {
        expect(describeLab(lab)).toContain(`Registry        ${lab.registry?.registry.url}`);
        const { log } = memoryLogger();
        const deps = { config: lab.config, clients: createClientSet(lab.config, { log }), log };
        const run = await runCheck({ check, target: targetOf('harbor', labTarget) }, deps);
        expect(run.findings.map((f) => f.cause).sort(), name).toEqual([...scenario.expect.causes].sort());
        const text = run.findings.flatMap((f) => f.evidence).join('\n');
        if (name === 'manifest-missing') expect(text).toContain('body cut after 0 of 1 bytes');
      } finally {
        await lab.close();
      }
    }
  });

  it('says how to install the registry when it is missing', () => {
    const saved = process.env.DOCKER_REGISTRY_BIN;
    process.env.DOCKER_REGISTRY_BIN = '/nonexistent/docker-registry';
    try {
      expect(() => registryBinary()).toThrow(/apt-get install -y docker-registry/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_REGISTRY_BIN;
      else process.env.DOCKER_REGISTRY_BIN = saved;
    }
  });
});
