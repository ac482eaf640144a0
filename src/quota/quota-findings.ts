import type { FindingInput } from '../checks/define.js';
import type { Quota } from '../harbor/admin-schemas.js';
import type { HarborClient } from '../harbor/client.js';
import { formatBytes } from './bytes.js';

/** A project's storage quota with a limit (an unlimited one, hard -1, has none). */
export interface StorageUsage {
  quotaId: number;
  project: string;
  used: number;
  hard: number;
  percent: number;
}

/** The storage usage of a project quota, or null when the quota is unlimited or has no storage limit. */
export function storageUsage(q: Quota): StorageUsage | null {
  const hard = q.hard?.storage;
  const used = q.used?.storage ?? 0;
  if (hard === undefined || hard <= 0) return null;
  return { quotaId: q.id, project: q.ref?.name ?? `quota ${q.id}`, used, hard, percent: (used / hard) * 100 };
}

interface RepoSize {
  name: string;
  artifacts: number;
  bytes: number;
  /** True when only the first `maxArtifacts` artifacts were summed. */
  partial: boolean;
}

/** The repositories of `project` with the most artifacts, and the size of those artifacts (bounded reads). */
export async function largestRepositories(
  harbor: HarborClient,
  project: string,
  opts: { top: number; maxRepos: number; maxArtifacts: number },
  signal?: AbortSignal,
): Promise<RepoSize[]> {
  const repos: { name: string; artifact_count: number }[] = [];
  for await (const page of harbor.repositoryPages(project, signal)) {
    repos.push(...page.items);
    if (repos.length >= opts.maxRepos) break;
  }
  repos.sort((a, b) => b.artifact_count - a.artifact_count);
  const out: RepoSize[] = [];
  for (const repo of repos.slice(0, opts.top)) {
    let bytes = 0;
    let seen = 0;
    for await (const page of harbor.artifactPages(repo.name, undefined, signal)) {
      for (const a of page.items) bytes += a.size;
      seen += page.items.length;
      if (seen >= opts.maxArtifacts) break;
    }
    out.push({ name: repo.name, artifacts: repo.artifact_count, bytes, partial: seen < repo.artifact_count });
  }
  return out;
}

const advice =
  'Raise the quota (Administration > Project Quotas, or PUT /api/v2.0/quotas/{id}), or free space: delete ' +
  'artifacts nobody pulls (a tag retention policy keeps this from coming back), then let garbage collection ' +
  'reclaim the blobs in storage.';

/** The finding for a project at or over `nearPercent` of its storage limit, or null below it. */
export function quotaFinding(u: StorageUsage, nearPercent: number, repos: RepoSize[]): FindingInput | null {
  if (u.percent < nearPercent) return null;
  const exceeded = u.used >= u.hard;
  const pct = `${Math.floor(u.percent)}%`;
  const numbers = `${formatBytes(u.used)} of ${formatBytes(u.hard)}`;
  const effect = exceeded
    ? `Pushes to project ${u.project} fail with QUOTA_EXCEED ("will exceed the configured upper ` +
      `limit") until storage is freed or the limit raised.`
    : `Project ${u.project} uses ${pct} of its storage quota; at 100% every push fails with QUOTA_EXCEED.`;
  return {
    cause: exceeded ? 'quota-exceeded' : 'quota-near-limit',
    title: `Project ${u.project} ${exceeded ? 'is over' : 'is near'} its storage quota: ${numbers} (${pct})`,
    summary: `${effect} ${advice}`,
    resource: { kind: 'Project', name: u.project, namespace: null },
    evidence: [
      `GET /api/v2.0/quotas (quota ${u.quotaId}): hard.storage=${u.hard} (${formatBytes(u.hard)}), ` +
        `used.storage=${u.used} (${formatBytes(u.used)}), ${pct}`,
      ...repos.map(
        (r) => `repository ${r.name}: ${r.artifacts} artifacts, ${r.partial ? 'at least ' : ''}${formatBytes(r.bytes)}`,
      ),
    ],
  };
}
