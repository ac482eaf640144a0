import { UpstreamError, UserInputError, errorMessage } from '../errors.js';
import type { Artifact } from '../harbor/artifact-schemas.js';
import { probeArtifact, type ArtifactProblem, type RepoProbeContext } from './probe.js';
import type { HarborClient } from '../harbor/client.js';
import { createLimiter } from '../harbor/limiter.js';

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

/**
 * Artifacts of one repository probed at once. With one repository worker per allowed request this
 * keeps the request cap busy while only a few dozen requests wait: queued work that outlives a
 * young-generation GC would be promoted and inflate memory.
 */
const LANES_PER_REPOSITORY = 3;

type ScanClient = Pick<
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

/** Harbor's query time format: `2020-04-09 02:36:00` (UTC). */
export function harborTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Streams the artifacts in scope page by page and probes each against storage, with at most
 * `concurrency` Harbor requests in flight. Memory holds one page per repository worker, the blobs
 * already probed in those repositories, and the problems found: never the registry.
 */
export async function scanArtifacts(harbor: ScanClient, o: ScanOptions): Promise<ScanResult> {
  const limiter = createLimiter(o.concurrency);
  const repos = await listScope(harbor, o, limiter.run.bind(limiter));
  const knownTotal = o.since
    ? null
    : Math.min(
        repos.reduce((n, r) => n + r.count, 0),
        o.limit ?? Number.POSITIVE_INFINITY,
      );
  const result: ScanResult = {
    problems: [],
    failures: [],
    artifacts: 0,
    repositories: 0,
    peakConcurrency: 0,
    total: knownTotal,
    stopped: false,
  };
  const now = o.now ?? Date.now;
  const open = () => {
    if (o.deadline !== undefined && now() >= o.deadline) result.stopped = true;
    return !result.stopped && !o.signal?.aborted && (o.limit === undefined || started < o.limit);
  };
  let started = 0;
  const q = o.since ? `push_time=[${harborTime(o.since)}~]` : undefined;
  const claim = () => {
    if (!open()) return false;
    started++;
    return true;
  };

  const scanRepository = async (repository: string) => {
    // Requests take a per-repository signal: every request signal combined with the scan's
    // long-lived one stays registered on it until it aborts, which grows memory over 10^5 requests.
    const abort = new AbortController();
    const onAbort = () => abort.abort(o.signal?.reason);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const rc: RepoProbeContext = { repository, token: '', blobs: new Map(), limiter, signal: abort.signal };
    const prefetch = (pages: ReturnType<ScanClient['artifactPages']>) => {
      const p = limiter.run(() => pages.next());
      p.catch(() => {}); // awaited on the next turn; a failure must not count as unhandled meanwhile
      return p;
    };
    try {
      rc.token = await limiter.run(() => harbor.pullToken(repository, rc.signal));
      const pages = harbor.artifactPages(repository, q, rc.signal);
      let next = prefetch(pages);
      for (;;) {
        const page = await next;
        if (page.done) break;
        const items = page.value.items.filter((a) => inWindow(a, o.since));
        next = open() ? prefetch(pages) : Promise.resolve({ done: true, value: undefined });
        // Claimed one by one as a lane takes it, so the limit and the deadline stop work promptly.
        await each(items, LANES_PER_REPOSITORY, (a) => (claim() ? probeOne(a) : Promise.resolve(false)));
        if (!open()) break;
      }
      result.repositories += 1;
    } catch (err) {
      if (o.signal?.aborted || isFatal(err)) throw err;
      result.failures.push({ repository, error: describe(err) });
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }

    async function probeOne(a: Artifact): Promise<boolean> {
      try {
        const problem = await probeArtifact(harbor, rc, a);
        if (problem) result.problems.push(problem);
      } catch (err) {
        if (o.signal?.aborted || isFatal(err)) throw err;
        result.failures.push({ repository, error: `${a.digest}: ${describe(err)}` });
      }
      result.artifacts += 1;
      if (result.artifacts % 100 === 0) o.onProgress?.(result.artifacts, knownTotal);
      return true;
    }
  };

  let cursor = 0;
  const worker = async () => {
    while (cursor < repos.length && open()) {
      const repo = repos[cursor++] as { name: string };
      await scanRepository(repo.name);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  o.onProgress?.(result.artifacts, knownTotal === null || result.stopped ? knownTotal : result.artifacts);
  result.peakConcurrency = limiter.peak;
  return result;
}

/** The repositories in scope, with their artifact counts (small: names only, never artifacts). */
async function listScope(
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

/** Runs `fn` over `items` with `lanes` at a time (few requests wait in the limiter's queue) until one answers false. */
async function each<T>(items: readonly T[], lanes: number, fn: (item: T) => Promise<boolean>): Promise<void> {
  let i = 0;
  const lane = async () => {
    while (i < items.length && (await fn(items[i++] as T)));
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}

function inWindow(a: Artifact, since?: Date): boolean {
  return !since || Date.parse(a.push_time ?? '') >= since.getTime();
}

/** Credentials refused or the scan cancelled: nothing else would work either, so stop. */
function isFatal(err: unknown): boolean {
  return (err instanceof UpstreamError && err.forbidden) || (err instanceof Error && err.name === 'AbortError');
}

function describe(err: unknown): string {
  return err instanceof UpstreamError
    ? `${err.method} ${err.path} → ${err.status ?? 'no answer'}: ${err.detail}`
    : errorMessage(err);
}
