import { errorMessage, UpstreamError } from '../errors.js';
import type { Artifact } from '../harbor/artifact-schemas.js';
import { createLimiter, type Limiter } from '../harbor/limiter.js';
import { probeArtifact, type RepoProbeContext } from './probe.js';
import { listScope, type ScanClient, type ScanOptions, type ScanResult } from './scope.js';

export type { RepositoryFailure, ScanOptions, ScanResult, ScanScope } from './scope.js';

/**
 * Artifacts of one repository probed at once. With one repository worker per allowed request this
 * keeps the request cap busy while only a few dozen requests wait: queued work that outlives a
 * young-generation GC would be promoted and inflate memory.
 */
const LANES_PER_REPOSITORY = 3;

/** Harbor's query time format: `2020-04-09 02:36:00` (UTC). */
export function harborTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** What the repository workers of one scan share. */
interface ScanRun {
  harbor: ScanClient;
  o: ScanOptions;
  limiter: Limiter;
  result: ScanResult;
  /** Artifacts claimed so far (the limit counts these). */
  started: number;
  /** Harbor's `q` for `since`. */
  query?: string;
}

/**
 * Streams the artifacts in scope page by page and probes each against storage, with at most
 * `concurrency` Harbor requests in flight. Memory holds one page per repository worker, the blobs
 * already probed in those repositories, and the problems found: never the registry.
 */
export async function scanArtifacts(harbor: ScanClient, o: ScanOptions): Promise<ScanResult> {
  const limiter = createLimiter(o.concurrency);
  const repos = await listScope(harbor, o, limiter.run.bind(limiter));
  const inScope = repos.reduce((n, r) => n + r.count, 0);
  const total = o.since ? null : Math.min(inScope, o.limit ?? Number.POSITIVE_INFINITY);
  const result: ScanResult = {
    problems: [],
    failures: [],
    artifacts: 0,
    repositories: 0,
    peakConcurrency: 0,
    total,
    stopped: false,
  };
  const query = o.since ? `push_time=[${harborTime(o.since)}~]` : undefined;
  const run: ScanRun = { harbor, o, limiter, result, started: 0, query };
  let cursor = 0;
  const worker = async () => {
    while (cursor < repos.length && open(run)) await scanRepository(run, (repos[cursor++] as { name: string }).name);
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  o.onProgress?.(result.artifacts, total === null || result.stopped ? total : result.artifacts);
  result.peakConcurrency = limiter.peak;
  return result;
}

/** False once the deadline, the limit or a cancel says to take no more work. */
function open(run: ScanRun): boolean {
  const { o, result } = run;
  if (o.deadline !== undefined && (o.now ?? Date.now)() >= o.deadline) result.stopped = true;
  return !result.stopped && !o.signal?.aborted && (o.limit === undefined || run.started < o.limit);
}

/** Takes one artifact when the scan is still open; claimed one by one so the limit and deadline stop work promptly. */
function claim(run: ScanRun): boolean {
  if (!open(run)) return false;
  run.started += 1;
  return true;
}

async function scanRepository(run: ScanRun, repository: string): Promise<void> {
  const { o, limiter, harbor, result } = run;
  // Requests take a per-repository signal: every request signal combined with the scan's
  // long-lived one stays registered on it until it aborts, which grows memory over 10^5 requests.
  const abort = new AbortController();
  const onAbort = () => abort.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const rc: RepoProbeContext = { repository, token: '', blobs: new Map(), limiter, signal: abort.signal };
  try {
    rc.token = await limiter.run(() => harbor.pullToken(repository, rc.signal));
    await probePages(run, rc);
    result.repositories += 1;
  } catch (err) {
    if (o.signal?.aborted || isFatal(err)) throw err;
    result.failures.push({ repository, error: describe(err) });
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** The repository's artifact pages, the next one fetched while this one is probed. */
async function probePages(run: ScanRun, rc: RepoProbeContext): Promise<void> {
  const pages = run.harbor.artifactPages(rc.repository, run.query, rc.signal);
  const prefetch = () => {
    const p = run.limiter.run(() => pages.next());
    p.catch(() => {}); // awaited on the next turn; a failure must not count as unhandled meanwhile
    return p;
  };
  let next = prefetch();
  for (;;) {
    const page = await next;
    if (page.done) break;
    const items = page.value.items.filter((a) => inWindow(a, run.o.since));
    next = open(run) ? prefetch() : Promise.resolve({ done: true as const, value: undefined });
    await each(items, LANES_PER_REPOSITORY, (a) => (claim(run) ? probeOne(run, rc, a) : Promise.resolve(false)));
    if (!open(run)) break;
  }
}

async function probeOne(run: ScanRun, rc: RepoProbeContext, a: Artifact): Promise<boolean> {
  const { o, result } = run;
  try {
    const problem = await probeArtifact(run.harbor, rc, a);
    if (problem) result.problems.push(problem);
  } catch (err) {
    if (o.signal?.aborted || isFatal(err)) throw err;
    result.failures.push({ repository: rc.repository, error: `${a.digest}: ${describe(err)}` });
  }
  result.artifacts += 1;
  if (result.artifacts % 100 === 0) o.onProgress?.(result.artifacts, result.total);
  return true;
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
