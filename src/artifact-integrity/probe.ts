import type { Artifact, Manifest } from '../harbor/artifact-schemas.js';
import { blobLoss } from './blob-verdict.js';
import { type ManifestSight, probeManifests } from './manifest-probe.js';
import type { Registry, RepoProbeContext } from './probe-context.js';

export type { Registry, RepoProbeContext } from './probe-context.js';

export type IntegrityCause = 'artifact-zero-size' | 'manifest-missing' | 'blob-missing';

/** One broken artifact, with the lines that prove it. */
export interface ArtifactProblem {
  cause: IntegrityCause;
  repository: string;
  artifact: Pick<Artifact, 'digest' | 'size' | 'push_time'> & { tags: string[] };
  evidence: string[];
  /** Digests storage does not have (the manifest's own for manifest-missing). */
  missing: string[];
  /** Tags Harbor lists that the registry does not resolve to this artifact. */
  lostTags: string[];
  /** The manifest GET answered 200: with the cache layer on, that may have come from Redis. */
  manifestServed: boolean;
}

interface LostBlob {
  digest: string;
  role: string;
  seen: string;
}

/**
 * Probes one artifact the way that reaches storage: its manifest by tag and digest (GET, no
 * If-None-Match), each config and layer blob (GET of one byte, read), and for an index each child
 * manifest. Returns its problem, or null when storage has everything.
 */
export async function probeArtifact(
  harbor: Registry,
  rc: RepoProbeContext,
  a: Artifact,
): Promise<ArtifactProblem | null> {
  const tags = (a.tags ?? []).map((t) => t.name);
  const sight = await probeManifests(harbor, rc, a.digest, tags);
  const lostManifests: string[] = sight.manifest ? [] : [a.digest];
  const lostBlobs: LostBlob[] = [];
  if (sight.manifest) await probeContent(harbor, rc, sight.manifest, lostManifests, lostBlobs, 0);
  return judge(harbor, rc, a, tags, sight, lostManifests, lostBlobs);
}

/** The artifact's one cause (size 0, then a lost manifest, lost blobs, lost tags) and its evidence. */
function judge(
  harbor: Registry,
  rc: RepoProbeContext,
  a: Artifact,
  tags: string[],
  sight: ManifestSight,
  lostManifests: string[],
  lostBlobs: LostBlob[],
): ArtifactProblem | null {
  const listed = `size=${a.size} tags=${tags.join(',') || '(none)'} push_time=${a.push_time ?? '-'}`;
  const record = `GET ${harbor.artifactPath(rc.repository, a.digest)}: ${listed}`;
  const served = lostManifests.length === 0;
  const problem = (cause: IntegrityCause, evidence: string[], missing: string[]): ArtifactProblem => ({
    cause,
    repository: rc.repository,
    artifact: { digest: a.digest, size: a.size, push_time: a.push_time, tags },
    evidence: [record, ...evidence],
    missing,
    lostTags: sight.lostTags,
    manifestServed: served,
  });
  const manifestLines = [
    ...sight.lines,
    ...lostManifests.filter((d) => d !== a.digest).map((d) => manifestLine(harbor, rc, d)),
  ];
  const blobLines = lostBlobs
    .slice(0, 5)
    .map((b) => `GET ${harbor.blobPath(rc.repository, b.digest)} (Range: bytes=0-0) → ${b.seen} (${b.role})`);
  const by = tags[0] !== undefined && !sight.lostTags.includes(tags[0]) ? tags[0] : a.digest;
  const got = `GET ${harbor.manifestPath(rc.repository, by)} → 200`;
  const blobDigests = lostBlobs.map((b) => b.digest);
  if (a.size === 0) {
    const evidence = [...manifestLines, ...(served ? [got] : []), ...blobLines];
    return problem('artifact-zero-size', evidence, [...lostManifests, ...blobDigests]);
  }
  if (!served) return problem('manifest-missing', manifestLines.slice(0, 6), lostManifests);
  if (lostBlobs.length > 0) {
    const cacheNote = "(with Harbor's cache layer on, this answer may come from Redis rather than storage)";
    return problem('blob-missing', [`${got} ${cacheNote}`, ...blobLines, ...manifestLines.slice(0, 3)], blobDigests);
  }
  if (sight.lostTags.length > 0) return problem('manifest-missing', manifestLines.slice(0, 6), []);
  return null;
}

function manifestLine(harbor: Registry, rc: RepoProbeContext, digest: string): string {
  return `GET ${harbor.manifestPath(rc.repository, digest)} (no If-None-Match) → 404 MANIFEST_UNKNOWN`;
}

/** The blobs of a manifest, and for an index (depth 0) each child manifest and its blobs. */
async function probeContent(
  harbor: Registry,
  rc: RepoProbeContext,
  m: Manifest,
  lostManifests: string[],
  lostBlobs: LostBlob[],
  depth: number,
): Promise<void> {
  const config = m.config ? [{ ...m.config, role: 'config' }] : [];
  const blobs = [...config, ...(m.layers ?? []).map((l, i) => ({ ...l, role: `layer ${i + 1}` }))];
  const children =
    depth === 0 ? (m.manifests ?? []).map((c) => probeChild(harbor, rc, c.digest, lostManifests, lostBlobs)) : [];
  const seen = await Promise.all(blobs.map((b) => blobSeen(harbor, rc, b.digest, b.size)));
  seen.forEach((s, i) => {
    const b = blobs[i];
    if (s !== null && b) lostBlobs.push({ digest: b.digest, role: b.role, seen: s });
  });
  await Promise.all(children);
}

async function probeChild(
  harbor: Registry,
  rc: RepoProbeContext,
  digest: string,
  lostManifests: string[],
  lostBlobs: LostBlob[],
): Promise<void> {
  const probe = await rc.limiter.run(() => {
    rc.signal?.throwIfAborted();
    return harbor.probeManifest(rc.repository, digest, rc.token);
  });
  if (probe.status === 404 || !probe.manifest) lostManifests.push(digest);
  else await probeContent(harbor, rc, probe.manifest, lostManifests, lostBlobs, 1);
}

function blobSeen(
  harbor: Registry,
  rc: RepoProbeContext,
  digest: string,
  size: number | undefined,
): Promise<string | null> {
  let p = rc.blobs.get(digest);
  if (!p) {
    p = rc.limiter.run(async () => {
      rc.signal?.throwIfAborted();
      return blobLoss(
        await harbor.probeBlob(rc.repository, digest, rc.token),
        size,
        harbor.blobPath(rc.repository, digest),
      );
    });
    rc.blobs.set(digest, p);
  }
  return p;
}
