import type { Artifact } from './artifact-schemas.js';
import type { HarborClient } from './client.js';
import type { Limiter } from './limiter.js';

export type IntegrityCause = 'artifact-zero-size' | 'manifest-missing' | 'blob-missing';

/** One broken artifact, with the lines that prove it. */
export interface ArtifactProblem {
  cause: IntegrityCause;
  repository: string;
  artifact: Pick<Artifact, 'digest' | 'size' | 'push_time'> & { tags: string[] };
  evidence: string[];
  /** Digests storage does not have (the manifest's own for manifest-missing). */
  missing: string[];
  /** The manifest GET answered 200: with the cache layer on, that may have come from Redis. */
  manifestServed: boolean;
}

type Registry = Pick<HarborClient, 'probeManifest' | 'probeBlob' | 'manifestPath' | 'blobPath' | 'artifactPath'>;

/** Per-repository state of a scan: its pull token and the blobs already probed (shared layers once). */
export interface RepoProbeContext {
  repository: string;
  token: string;
  blobs: Map<string, Promise<number>>;
  limiter: Limiter;
  /**
   * Checked before each probe rather than passed to it: a probe is short and bounded by its own
   * timeout, and combining signals per request costs more CPU than a probe's answer at 10^5 probes.
   */
  signal?: AbortSignal;
}

/**
 * Probes one artifact the way that reaches storage: its manifest (GET, no If-None-Match), then each
 * config and layer blob (GET, one byte), and for an index each child manifest. Returns its problem
 * or null when storage has everything.
 */
export async function probeArtifact(
  harbor: Registry,
  rc: RepoProbeContext,
  a: Artifact,
): Promise<ArtifactProblem | null> {
  const tags = (a.tags ?? []).map((t) => t.name);
  const record =
    `GET ${harbor.artifactPath(rc.repository, a.digest)}: size=${a.size} ` +
    `tags=${tags.join(',') || '(none)'} push_time=${a.push_time ?? '-'}`;
  const base = {
    repository: rc.repository,
    artifact: { digest: a.digest, size: a.size, push_time: a.push_time, tags },
  };
  const missingManifests: string[] = [];
  const missingBlobs: { digest: string; role: string }[] = [];
  await probeManifestTree(harbor, rc, a.digest, missingManifests, missingBlobs, 0);
  const manifestLine = (d: string) =>
    `GET ${harbor.manifestPath(rc.repository, d)} (no If-None-Match) → 404 MANIFEST_UNKNOWN`;
  if (a.size === 0) {
    const ev = [
      record,
      ...(missingManifests.length
        ? missingManifests.map(manifestLine)
        : [`GET ${harbor.manifestPath(rc.repository, a.digest)} → 200`]),
    ];
    return {
      ...base,
      cause: 'artifact-zero-size',
      evidence: [...ev, ...missingBlobs.slice(0, 5).map((b) => blobLine(harbor, rc, b))],
      missing: [...missingManifests, ...missingBlobs.map((b) => b.digest)],
      manifestServed: missingManifests.length === 0,
    };
  }
  if (missingManifests.length > 0) {
    return {
      ...base,
      cause: 'manifest-missing',
      evidence: [record, ...missingManifests.slice(0, 5).map(manifestLine)],
      missing: missingManifests,
      manifestServed: false,
    };
  }
  if (missingBlobs.length > 0) {
    const ev = [
      record,
      `GET ${harbor.manifestPath(rc.repository, a.digest)} → 200 (with Harbor's cache layer on, this answer may ` +
        `come from Redis rather than storage)`,
    ];
    return {
      ...base,
      cause: 'blob-missing',
      evidence: [...ev, ...missingBlobs.slice(0, 5).map((b) => blobLine(harbor, rc, b))],
      missing: missingBlobs.map((b) => b.digest),
      manifestServed: true,
    };
  }
  return null;
}

function blobLine(harbor: Registry, rc: RepoProbeContext, b: { digest: string; role: string }): string {
  return `GET ${harbor.blobPath(rc.repository, b.digest)} (Range: bytes=0-0) → 404 BLOB_UNKNOWN (${b.role})`;
}

async function probeManifestTree(
  harbor: Registry,
  rc: RepoProbeContext,
  digest: string,
  missingManifests: string[],
  missingBlobs: { digest: string; role: string }[],
  depth: number,
): Promise<void> {
  const probe = await rc.limiter.run(() => {
    rc.signal?.throwIfAborted();
    return harbor.probeManifest(rc.repository, digest, rc.token);
  });
  if (probe.status === 404 || !probe.manifest) {
    missingManifests.push(digest);
    return;
  }
  const m = probe.manifest;
  const blobs = [
    ...(m.config ? [{ digest: m.config.digest, role: 'config' }] : []),
    ...(m.layers ?? []).map((l, i) => ({ digest: l.digest, role: `layer ${i + 1}` })),
  ];
  const children =
    depth === 0
      ? (m.manifests ?? []).map((c) => probeManifestTree(harbor, rc, c.digest, missingManifests, missingBlobs, 1))
      : [];
  const statuses = await Promise.all(blobs.map((b) => blobStatus(harbor, rc, b.digest)));
  statuses.forEach((s, i) => {
    if (s === 404) missingBlobs.push(blobs[i] as { digest: string; role: string });
  });
  await Promise.all(children);
}

function blobStatus(harbor: Registry, rc: RepoProbeContext, digest: string): Promise<number> {
  let p = rc.blobs.get(digest);
  if (!p) {
    p = rc.limiter.run(() => {
      rc.signal?.throwIfAborted();
      return harbor.probeBlob(rc.repository, digest, rc.token);
    });
    rc.blobs.set(digest, p);
  }
  return p;
}
