import { UpstreamError, UserInputError } from '../errors.js';
import type { HarborClient } from '../harbor/client.js';
import type { ArtifactProblem } from './probe.js';

export interface ScanScope {
  projects?: string[];
  /** Full names (`project/repo`). */
  repositories?: string[];
  /** Only artifacts pushed at or after this time. */
  since?: Date;
  /** Stop after this many artifacts. */
  limit?: number;
}

export interface ScanOptions extends ScanScope {
  /** Cap on concurrent Harbor requests (the Harbor's `concurrency`). */
  concurrency: number;
  signal?: AbortSignal;
  /** Stop taking new artifacts at this time (ms since the epoch) and return what was found. */
  deadline?: number;
  now?: () => number;
  onProgress?(done: number, total: number | null): void;
}

/** A repository the scan could not (fully) check, and why. */
export interface RepositoryFailure {
  repository: string;
  error: string;
}

export interface ScanResult {
  problems: ArtifactProblem[];
  failures: RepositoryFailure[];
  artifacts: number;
  repositories: number;
  peakConcurrency: number;
  /** Artifacts in scope when known; set with `stopped` when the deadline cut the scan short. */
  total: number | null;
  stopped: boolean;
}

export type ScanClient = Pick<
  HarborClient,
  | 'repositoryPages'
  | 'artifactPages'
  | 'pullToken'
  | 'probeManifest'
  | 'probeBlob'
  | 'manifestPath'
  | 'blobPath'
  | 'artifactPath'
>;

/** The repositories in scope, with their artifact counts (small: names only, never artifacts). */
export async function listScope(
  harbor: ScanClient,
  o: ScanOptions,
  run: <T>(t: () => Promise<T>) => Promise<T>,
): Promise<{ name: string; count: number }[]> {
  const out: { name: string; count: number }[] = [];
  const wanted = o.repositories && o.repositories.length > 0 ? new Set(o.repositories) : null;
  const sources =
    o.projects && o.projects.length > 0
      ? o.projects
      : wanted
        ? [...new Set([...wanted].map((r) => r.split('/')[0] as string))]
        : [undefined];
  for (const project of sources) {
    const pages = harbor.repositoryPages(project, o.signal);
    try {
      for (let page = await run(() => pages.next()); !page.done; page = await run(() => pages.next())) {
        for (const r of page.value.items)
          if (!wanted || wanted.has(r.name)) out.push({ name: r.name, count: r.artifact_count });
      }
    } catch (err) {
      if (project && err instanceof UpstreamError && err.status === 404)
        throw new UserInputError(`project "${project}" does not exist on this Harbor`);
      throw err;
    }
  }
  const missing = [...(wanted ?? [])].filter((r) => !out.some((x) => x.name === r));
  if (missing.length > 0)
    throw new UserInputError(`no repository ${missing.map((m) => `"${m}"`).join(', ')} on this Harbor`);
  return out;
}
