import type { Artifact, Manifest, Project, Repository } from '../harbor/artifact-schemas.js';
import type { HarborSim } from './harbor-sim-types.js';

// Kept apart from the routes so scenario builders can be imported without the simulator itself.

/** What the registry's storage holds, in the terms of failure-modes.md ("Measured on the real registry"). */
export interface SimStorage {
  /** Manifest revisions whose data storage holds, by digest. */
  manifests: Record<string, Manifest>;
  /** Bytes of data storage holds per blob: absent when the data file is gone, 0 when truncated. */
  blobs: Record<string, number>;
  /** `<repo>@<digest>` whose repository layer link (`_layers/sha256/<d>/link`) was deleted. */
  unlinked: Record<string, true>;
  /** `<repo>:<tag>` whose tag link (`_manifests/tags/<t>/current/link`) was deleted. */
  lostTags: Record<string, true>;
  /** Blob reads answer 307 to a signed storage URL, as on S3 or GCS. */
  redirect: boolean;
}

/**
 * Projects, repositories and artifacts as Harbor's database holds them (swagger shapes), and the
 * storage behind the registry. The two can disagree: that is failure modes B and F.
 */
export interface ArtifactSimState {
  projects: Project[];
  /** `artifact_count` is derived from `artifacts` when served. */
  repositories: Repository[];
  /** Artifacts by full repository name (`project/repo`), newest first. */
  artifacts: Record<string, Artifact[]>;
  storage: SimStorage;
  /** Everything as pushed (manifests by digest, blob sizes by digest), whatever storage lost since. */
  pushed: { manifests: Record<string, Manifest>; blobs: Record<string, number> };
  /**
   * The registry's blob-descriptor cache (`storage.cache.layerinfo: redis`, on in Harbor's registry
   * config): it remembers each pushed blob's size and answers for it whatever storage lost since.
   */
  registryCache: boolean;
  /** Blobs the registry's cache no longer holds (expired or flushed), by digest. */
  uncached: Record<string, true>;
  /**
   * Who resolves a tag in a manifest request: Harbor 2.x core rewrites it to the digest its database
   * holds before asking the registry (`core`); Harbor 1.x, and clients of the registry itself such
   * as replication, ask the registry by tag (`registry`).
   */
  tagResolution: 'core' | 'registry';
  /** Core's cache layer (`CACHE_ENABLED`: manifests served from Redis `cache:manifest:digest:<d>`). */
  cache: { enabled: boolean; manifests: Record<string, Manifest> };
  /** A real registry the simulated Harbor proxies `/v2/` to, instead of the storage above. */
  upstream?: string;
  /** Bearer tokens issued by /service/token, with their scope. */
  tokens: Record<string, string>;
}

export function emptyArtifactState(): ArtifactSimState {
  return {
    projects: [],
    repositories: [],
    artifacts: {},
    storage: { manifests: {}, blobs: {}, unlinked: {}, lostTags: {}, redirect: false },
    pushed: { manifests: {}, blobs: {} },
    registryCache: true,
    uncached: {},
    tagResolution: 'core',
    cache: { enabled: false, manifests: {} },
    tokens: {},
  };
}

/** The artifact state of `sim`, created on first use. */
export function artifactState(sim: HarborSim): ArtifactSimState {
  sim.state.artifacts ??= emptyArtifactState();
  return sim.state.artifacts as ArtifactSimState;
}

/** The record a reference (digest or tag) names in Harbor's database. */
export function findArtifact(st: ArtifactSimState, repo: string, ref: string): Artifact | undefined {
  return st.artifacts[repo]?.find((a) => a.digest === ref || a.tags?.some((t) => t.name === ref));
}
