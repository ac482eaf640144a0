import type { HarborClient } from '../harbor/client.js';
import type { Limiter } from '../harbor/limiter.js';

/** What the probes call on Harbor: the registry API's probes and the paths they name. */
export type Registry = Pick<HarborClient, 'probeManifest' | 'probeBlob' | 'manifestPath' | 'blobPath' | 'artifactPath'>;

/** Per-repository state of a scan: its pull token and the blobs already probed (shared layers once). */
export interface RepoProbeContext {
  repository: string;
  token: string;
  /** Blob digest → what its probe saw when storage lost it, null when the byte arrived. */
  blobs: Map<string, Promise<string | null>>;
  limiter: Limiter;
  /**
   * Checked before each probe rather than passed to it: a probe is short and bounded by its own
   * timeout, and combining signals per request costs more CPU than a probe's answer at 10^5 probes.
   */
  signal?: AbortSignal;
}
