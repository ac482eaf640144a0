import { createHash } from 'node:crypto';
import type { Artifact, Manifest } from '../harbor/artifact-schemas.js';
import { emptyArtifactState, type ArtifactSimState } from './harbor-artifacts-state.js';

// Registries for failure modes B and F, built consistently (a manifest's digest is the sha256 of
// the bytes served), then broken on purpose. Tests, the lab and the benchmark share them.

export interface RepoSpec {
  /** Full name, `project/repo` (may contain more slashes). */
  name: string;
  artifacts: number;
  /** Tags of the i-th artifact (newest first); default `v<n>`. */
  tags?: (i: number) => string[];
  /** Base layers every artifact of the repository shares (default 2). */
  sharedLayers?: number;
  /** Layers of its own per artifact (default 1). */
  uniqueLayers?: number;
}

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const layerType = 'application/vnd.oci.image.layer.v1.tar+gzip';
const manifestType = 'application/vnd.oci.image.manifest.v1+json';

/** Builds the database records and matching storage for `repos`; everything is consistent. */
export function buildRegistry(repos: RepoSpec[], now = new Date()): ArtifactSimState {
  const st = emptyArtifactState();
  const projectNames = [...new Set(repos.map((r) => r.name.split('/')[0] as string))];
  st.projects = projectNames.map((name, i) => ({
    project_id: i + 1,
    name,
    repo_count: repos.filter((r) => r.name.startsWith(`${name}/`)).length,
  }));
  let artifactId = 1;
  repos.forEach((spec, ri) => {
    const projectId = projectNames.indexOf(spec.name.split('/')[0] as string) + 1;
    st.repositories.push({
      id: ri + 1,
      project_id: projectId,
      name: spec.name,
      artifact_count: spec.artifacts,
      update_time: now.toISOString(),
    });
    const shared = Array.from({ length: spec.sharedLayers ?? 2 }, (_, k) => sha(`${spec.name}/base/${k}`));
    for (const d of shared) stored(st, d, 1000);
    const list: Artifact[] = [];
    for (let i = 0; i < spec.artifacts; i++) {
      const config = sha(`${spec.name}/config/${i}`);
      const own = Array.from({ length: spec.uniqueLayers ?? 1 }, (_, k) => sha(`${spec.name}/layer/${i}/${k}`));
      const layers = [...shared, ...own];
      const doc: Manifest = {
        schemaVersion: 2,
        mediaType: manifestType,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 1469 },
        layers: layers.map((digest) => ({ mediaType: layerType, digest, size: 1000 })),
      };
      const digest = sha(JSON.stringify(doc));
      st.storage.manifests[digest] = doc;
      st.pushed.manifests[digest] = doc;
      stored(st, config, 1469);
      for (const d of own) stored(st, d, 1000);
      const pushed = new Date(now.getTime() - (i + 1) * 3600_000).toISOString();
      const tags = (spec.tags?.(i) ?? [`v${spec.artifacts - i}`]).map((name, k) => ({
        id: artifactId * 10 + k,
        repository_id: ri + 1,
        artifact_id: artifactId,
        name,
        push_time: pushed,
        immutable: false,
      }));
      list.push({
        id: artifactId++,
        type: 'IMAGE',
        media_type: 'application/vnd.oci.image.config.v1+json',
        manifest_media_type: manifestType,
        project_id: projectId,
        repository_id: ri + 1,
        repository_name: spec.name,
        digest,
        size: 1469 + layers.length * 1000 + 400,
        push_time: pushed,
        pull_time: '0001-01-01T00:00:00.000Z',
        tags,
        references: null,
      } as Artifact);
    }
    st.artifacts[spec.name] = list;
  });
  return st;
}

/** Storage lost the manifest; with `cached`, core's cache layer still serves it (failure B hidden). */
export function loseManifest(st: ArtifactSimState, digest: string, options: { cached?: boolean } = {}): void {
  const doc = st.storage.manifests[digest];
  delete st.storage.manifests[digest];
  if (options.cached && doc) {
    st.cache.enabled = true;
    st.cache.manifests[digest] = doc;
  }
}

/** How storage lost a blob (rows of the table "Measured on the real registry"). */
export type BlobLoss = 'deleted' | 'truncated' | 'unlinked';

/**
 * Storage lost a blob: its data file `deleted` (default) or `truncated` to 0 B, or the repository's
 * link to it `unlinked`. The registry's blob-descriptor cache (on unless `st.registryCache` is off)
 * still answers for it; `cached: false` says the cache forgot it too.
 */
export function loseBlob(
  st: ArtifactSimState,
  digest: string,
  options: { how?: BlobLoss; repository?: string; cached?: boolean } = {},
): void {
  const how = options.how ?? 'deleted';
  if (how === 'deleted') delete st.storage.blobs[digest];
  if (how === 'truncated') st.storage.blobs[digest] = 0;
  if (how === 'unlinked') {
    if (!options.repository) throw new Error('an unlinked blob needs the repository whose link was deleted');
    st.storage.unlinked[`${options.repository}@${digest}`] = true;
  }
  if (options.cached === false) st.uncached[digest] = true;
}

/** The registry lost a tag's link: by tag MANIFEST_UNKNOWN, by digest the manifest is still there. */
export function loseTag(st: ArtifactSimState, repository: string, tag: string): void {
  st.storage.lostTags[`${repository}:${tag}`] = true;
}

/** Failure F: a record of size 0 whose manifest was never written. */
export function zeroSizeArtifact(st: ArtifactSimState, repo: string, digest: string): void {
  const a = st.artifacts[repo]?.find((x) => x.digest === digest);
  if (a) a.size = 0;
  delete st.storage.manifests[digest];
}

function stored(st: ArtifactSimState, digest: string, size: number): void {
  st.storage.blobs[digest] = size;
  st.pushed.blobs[digest] = size;
}

/** The `index`-th (newest first) artifact of `repo`; throws when there is none. */
export function artifactAt(st: ArtifactSimState, repo: string, index: number): Artifact {
  const a = st.artifacts[repo]?.[index];
  if (!a) throw new Error(`no artifact ${index} in ${repo}`);
  return a;
}

/** A small registry in the shape of the incident reports: nested names, a unicode tag. */
export function sampleRegistry(now = new Date()): ArtifactSimState {
  return buildRegistry(
    [
      { name: 'library/nginx', artifacts: 3, tags: (i) => [['1.27', 'latest'], ['1.26'], ['1.25-测试']][i] ?? [] },
      { name: 'team/app/backend', artifacts: 2 },
      { name: 'team/tools', artifacts: 1, tags: () => ['version-ünïcødé'] },
    ],
    now,
  );
}
