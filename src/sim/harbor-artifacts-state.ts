import type { Artifact, Manifest, Project, Repository } from '../harbor/artifact-schemas.js';
import type { HarborSim } from './harbor-sim-types.js';

// Kept apart from the routes so scenario builders can be imported without the simulator itself.

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
  /** What the storage backend holds: manifests by digest, and blob sizes by digest. */
  storage: { manifests: Record<string, Manifest>; blobs: Record<string, number> };
  /**
   * Core's cache layer (`CACHE_ENABLED`: manifests served from Redis `cache:manifest:digest:<d>`)
   * and the registry's blob descriptor cache (`blobs::<digest>`), which answers blob HEADs.
   */
  cache: { enabled: boolean; manifests: Record<string, Manifest>; blobs: Record<string, true> };
  /** Bearer tokens issued by /service/token, with their scope. */
  tokens: Record<string, string>;
}

export function emptyArtifactState(): ArtifactSimState {
  return {
    projects: [],
    repositories: [],
    artifacts: {},
    storage: { manifests: {}, blobs: {} },
    cache: { enabled: false, manifests: {}, blobs: {} },
    tokens: {},
  };
}

/** The artifact state of `sim`, created on first use. */
export function artifactState(sim: HarborSim): ArtifactSimState {
  sim.state.artifacts ??= emptyArtifactState();
  return sim.state.artifacts as ArtifactSimState;
}
