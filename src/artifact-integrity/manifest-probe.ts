import type { Manifest } from '../harbor/artifact-schemas.js';
import type { ManifestProbe } from '../harbor/registry-v2.js';
import type { Registry, RepoProbeContext } from './probe-context.js';

/** What the manifest probes of one artifact saw: its document (null when storage lost it), its lost tags. */
export interface ManifestSight {
  manifest: Manifest | null;
  /** Evidence lines, in the order the requests were made. */
  lines: string[];
  /** Tags Harbor lists that the registry does not resolve to this artifact. */
  lostTags: string[];
}

/**
 * Probes an artifact's manifest by its first tag (GET: a tag link the registry lost answers
 * MANIFEST_UNKNOWN while the digest still resolves), by digest when the tag did not lead to it or
 * there is no tag, and by each further tag (HEAD). A single-tag artifact costs one request, as before.
 */
export async function probeManifests(
  harbor: Registry,
  rc: RepoProbeContext,
  digest: string,
  tags: string[],
): Promise<ManifestSight> {
  const sight: ManifestSight = { manifest: null, lines: [], lostTags: [] };
  const first = tags[0];
  const byTag = first === undefined ? null : await run(rc, () => harbor.probeManifest(rc.repository, first, rc.token));
  if (byTag && resolves(byTag, digest)) sight.manifest = byTag.manifest;
  else {
    const byDigest = await run(rc, () => harbor.probeManifest(rc.repository, digest, rc.token));
    const path = harbor.manifestPath(rc.repository, digest);
    if (byDigest.status === 404 || !byDigest.manifest) {
      // The manifest itself is gone: the tag failing says nothing more.
      if (first !== undefined && byTag)
        sight.lines.push(`GET ${harbor.manifestPath(rc.repository, first)} ${seen(byTag)}`);
      sight.lines.push(`GET ${path} (no If-None-Match) → 404 ${byDigest.code ?? 'Not Found'}`);
      return sight;
    }
    sight.manifest = byDigest.manifest;
    if (first !== undefined && byTag) {
      lostTag(harbor, rc, sight, first, byTag, digest, 'GET');
      sight.lines.push(`GET ${path} → 200: the manifest itself is in storage`);
    }
  }
  const rest = tags.slice(1);
  const heads = await Promise.all(
    rest.map((t) => run(rc, () => harbor.probeManifest(rc.repository, t, rc.token, 'HEAD'))),
  );
  heads.forEach((h, i) => {
    if (!resolves(h, digest)) lostTag(harbor, rc, sight, rest[i] as string, h, digest, 'HEAD');
  });
  return sight;
}

function seen(p: ManifestProbe): string {
  return `(no If-None-Match) → ${p.status}${p.code ? ` ${p.code}` : ''}`;
}

function resolves(p: ManifestProbe, digest: string): boolean {
  return p.status === 200 && (p.digest === null || p.digest === digest);
}

function lostTag(
  harbor: Registry,
  rc: RepoProbeContext,
  sight: ManifestSight,
  tag: string,
  p: ManifestProbe,
  digest: string,
  method: 'GET' | 'HEAD',
) {
  sight.lostTags.push(tag);
  const path = harbor.manifestPath(rc.repository, tag);
  const seen =
    p.status === 404
      ? `404 ${p.code ?? '(no body)'}: tag "${tag}" does not resolve in the registry although Harbor lists it`
      : `${p.status} naming ${p.digest}: tag "${tag}" resolves to another manifest than ${digest.slice(0, 19)}…`;
  sight.lines.push(`${method} ${path}${method === 'GET' ? ' (no If-None-Match)' : ''} → ${seen}`);
}

function run<T>(rc: RepoProbeContext, task: () => Promise<T>): Promise<T> {
  return rc.limiter.run(() => {
    rc.signal?.throwIfAborted();
    return task();
  });
}
