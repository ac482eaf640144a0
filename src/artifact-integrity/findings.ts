import type { FindingInput } from '../checks/define.js';
import type { ProposedRemediation } from '../findings/finding.js';
import type { ArtifactProblem } from './probe.js';
import type { RepositoryFailure, ScanResult } from './scan.js';
import { formatDuration } from '../checks/format.js';
import { blobCacheKey, manifestCacheKey, type CacheKey } from '../harbor/harbor-redis.js';

/** The Redis keys that could still claim the missing content exists. */
export function cacheKeysOf(p: ArtifactProblem, coreDb: number, registryDb: number): CacheKey[] {
  if (onlyTagsLost(p)) return [];
  const keys: CacheKey[] = [{ key: manifestCacheKey(p.artifact.digest), db: coreDb }];
  for (const d of p.missing)
    if (d !== p.artifact.digest)
      keys.push(
        p.cause === 'blob-missing'
          ? { key: blobCacheKey(d), db: registryDb }
          : { key: manifestCacheKey(d), db: coreDb },
      );
  return keys;
}

export function cacheLine(k: CacheKey): string {
  const why = k.key.startsWith('blobs::')
    ? "the registry's blob cache still claims this blob"
    : 'core may serve this manifest from cache although storage lost it';
  return `Harbor Redis db ${k.db}: ${k.key} exists (TTL ${k.ttl === -1 ? 'none' : `${k.ttl} s`}): ${why}`;
}

const what: Record<ArtifactProblem['cause'], (p: ArtifactProblem) => { title: string; summary: string }> = {
  'artifact-zero-size': (p) => ({
    title: `Artifact ${ref(p)} has size 0 B`,
    summary:
      `Harbor lists this artifact with size 0 ` +
      `B${p.manifestServed ? '' : ' and storage has no manifest for it'}, so pulls fail and the UI cannot delete ` +
      `it. Delete it with delete-artifact (one artifact per request), then re-push ${tagText(p)} if still needed.`,
  }),
  'manifest-missing': (p) => (onlyTagsLost(p) ? lostTags(p) : manifestLost(p)),
  'blob-missing': (p) => ({
    title: `${p.missing.length} blob(s) of ${ref(p)} missing from storage`,
    summary:
      `The manifest is there but ${p.missing.length} of its blobs are not in storage, so pulls fail ` +
      `part-way. Delete the artifact with delete-artifact and re-push ${tagText(p)}; if many artifacts share the ` +
      `blob, look for a storage or garbage-collection problem first.`,
  }),
};

/** The manifest and its blobs are in storage; only tag links the registry resolves are gone. */
export function onlyTagsLost(p: ArtifactProblem): boolean {
  return p.cause === 'manifest-missing' && p.missing.length === 0 && p.lostTags.length > 0;
}

function manifestLost(p: ArtifactProblem): { title: string; summary: string } {
  return {
    title: `Manifest of ${ref(p)} is missing from storage`,
    summary:
      `Harbor's database lists this artifact but storage does not hold its manifest, so pulls and ` +
      `re-pushes answer MANIFEST_UNKNOWN. Delete the record with delete-artifact (it also clears the ` +
      `cached entry where Harbor's Redis is configured), then re-push ${tagText(p)}. Do not copy manifests ` +
      `into storage by hand.`,
  };
}

function lostTags(p: ArtifactProblem): { title: string; summary: string } {
  const tags = p.lostTags.slice(0, 5).join(', ');
  const image = `${p.repository}@${p.artifact.digest}`;
  return {
    title: `Tag(s) ${tags} of ${p.repository} unknown to the registry`,
    summary:
      `Harbor lists ${tags} on this artifact, but the registry answers MANIFEST_UNKNOWN by tag while the ` +
      `manifest is in storage by digest: the tag's link in storage is gone. Whoever asks the registry by tag ` +
      `(Harbor 1.x pulls, replication reading the local registry) fails. Re-push the tag from the digest ` +
      `(docker pull ${image}, docker tag, docker push) to rewrite the link; the artifact needs no deletion.`,
  };
}

function ref(p: ArtifactProblem): string {
  const tag = p.artifact.tags[0];
  return tag ? `${p.repository}:${tag}` : `${p.repository}@${p.artifact.digest.slice(0, 19)}`;
}

function tagText(p: ArtifactProblem): string {
  return p.artifact.tags.length > 0 ? `its tag(s) ${p.artifact.tags.slice(0, 5).join(', ')}` : 'it by digest';
}

export function problemFinding(
  p: ArtifactProblem,
  cacheLines: string[],
  proposal: ProposedRemediation | null,
): FindingInput {
  return {
    cause: p.cause,
    ...what[p.cause](p),
    resource: { kind: 'Artifact', name: `${p.repository}@${p.artifact.digest}`, namespace: null },
    evidence: [...p.evidence, ...cacheLines],
    remediations: proposal ? [proposal] : [],
  };
}

/** A repository the scan could not check is reported, never skipped silently. */
export function failureFinding(f: RepositoryFailure[]): FindingInput {
  const repository = f[0]?.repository ?? '?';
  return {
    cause: 'check-failed',
    title: `artifact-integrity could not check ${repository}`,
    summary:
      `Harbor answered errors for ${repository}, so its artifacts were not verified (the rest of the scan ` +
      `went on). Check the core and registry logs for this repository, then re-run artifact-integrity with ` +
      `repositories=${repository}.`,
    resource: { kind: 'Repository', name: repository, namespace: null },
    evidence: f.slice(0, 5).map((x) => x.error),
  };
}

/** A scan cut short by its time budget: what was covered, and how to cover the rest. */
export function partialScanFinding(harbor: string, scan: ScanResult, budgetMs: number): FindingInput {
  return {
    cause: 'check-failed',
    title:
      `artifact-integrity checked ${scan.artifacts}${scan.total === null ? '' : ` of ${scan.total}`} ` +
      `artifacts before its time budget`,
    summary:
      `The scan stopped after ${formatDuration(budgetMs)} (85% of runner.checkTimeoutMs), so later ` +
      `repositories were not verified; the findings above stand. Narrow the scope (projects, repositories, ` +
      `since, limit) or raise runner.checkTimeoutMs.`,
    resource: { kind: 'Harbor', name: harbor, namespace: null },
    evidence: [
      `${scan.artifacts} artifacts in ${scan.repositories} repositories ` +
        `checked${scan.total === null ? '' : ` of ${scan.total} in scope`}`,
    ],
  };
}
