import type { Artifact, Manifest } from '../harbor/artifact-schemas.js';
import type { ArtifactSimState } from './harbor-artifacts-state.js';
import type { RealRegistry } from './real-registry.js';
import { breakStorage, type Descriptor, pushBlob, pushManifest } from './registry-content.js';

// A simulated registry made real: every artifact Harbor's database lists is pushed to a real
// registry with bytes of its own, then the real storage is broken wherever the simulated storage
// lost something. The simulated Harbor then proxies /v2/ to it (state.upstream), so the same
// scenario can be checked against the simulator's answers and against the real registry's.

/** Pushes `st` into `registry`, breaks its storage like `st.storage`, and points the simulator at it. */
export async function mirrorToRegistry(st: ArtifactSimState, registry: RealRegistry): Promise<void> {
  const real = new Map<string, { digest: string; doc: Manifest }>();
  const losses: (() => void)[] = [];
  const broken = breakStorage(registry.root);
  for (const [repo, artifacts] of Object.entries(st.artifacts)) {
    const blobs = new Map<string, Descriptor>();
    for (const a of [...artifacts].reverse()) {
      const doc = st.pushed.manifests[a.digest];
      if (!doc || (doc.manifests ?? []).length > 0)
        throw new Error(`${repo}@${a.digest}: only image manifests can be mirrored`);
      for (const d of [doc.config, ...(doc.layers ?? [])]) {
        if (!d || blobs.has(d.digest)) continue;
        const bytes = Buffer.alloc(d.size ?? 1, `${d.digest}\n`);
        blobs.set(d.digest, await pushBlob(registry.url, repo, bytes, d.mediaType ?? 'application/octet-stream'));
        losses.push(...blobLosses(st, repo, d.digest, blobs.get(d.digest) as Descriptor, broken));
      }
      const realDoc = rewrite(doc, blobs);
      // A registry takes only tags of the reference grammar; Harbor 2.x resolves the others by digest.
      const tags = (a.tags ?? []).map((t) => t.name).filter((t) => /^\w[\w.-]{0,127}$/.test(t));
      const digest = await pushManifest(registry.url, repo, realDoc, tags);
      if (!st.storage.manifests[a.digest]) losses.push(() => broken.deleteData(digest));
      for (const t of tags) if (st.storage.lostTags[`${repo}:${t}`]) losses.push(() => broken.deleteTagLink(repo, t));
      real.set(a.digest, { digest, doc: realDoc });
    }
  }
  for (const lose of losses) lose();
  rekey(st, real);
  st.upstream = registry.url;
}

function blobLosses(
  st: ArtifactSimState,
  repo: string,
  digest: string,
  real: Descriptor,
  broken: ReturnType<typeof breakStorage>,
): (() => void)[] {
  const held = st.storage.blobs[digest];
  const out: (() => void)[] = [];
  if (held === undefined) out.push(() => broken.deleteData(real.digest));
  else if (held === 0) out.push(() => broken.truncateData(real.digest));
  if (st.storage.unlinked[`${repo}@${digest}`]) out.push(() => broken.deleteLayerLink(repo, real.digest));
  return out;
}

function rewrite(doc: Manifest, blobs: Map<string, Descriptor>): Manifest {
  const swap = (d: { digest: string }) => blobs.get(d.digest) as Descriptor;
  return {
    schemaVersion: 2,
    mediaType: doc.mediaType,
    ...(doc.config ? { config: swap(doc.config) } : {}),
    layers: (doc.layers ?? []).map(swap),
  };
}

/** Harbor's records (and its cache layer) now name the digests the real registry computed. */
function rekey(st: ArtifactSimState, real: Map<string, { digest: string; doc: Manifest }>): void {
  for (const list of Object.values(st.artifacts)) {
    for (const a of list as Artifact[]) a.digest = real.get(a.digest)?.digest ?? a.digest;
  }
  const cached = Object.keys(st.cache.manifests).flatMap((d) => {
    const r = real.get(d);
    return r ? [[r.digest, r.doc] as const] : [];
  });
  st.cache.manifests = Object.fromEntries(cached);
}
