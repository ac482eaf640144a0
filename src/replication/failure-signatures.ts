import { clip, inOrder } from '../checks/format.js';

export type ReplicationFailureCause = 'replication-tag-unknown-race' | 'replication-tag-listing-failed';

export interface FailureSignature {
  cause: ReplicationFailureCause;
  /** The line that matched, as Harbor wrote it (clipped). */
  line: string;
  /** The repository named by the line, when it names one. */
  repository?: string;
}

// Harbor's own wording (failure-modes.md E): 1.x says FetchImages/"failed to fetch image", 2.x
// FetchArtifacts/"failed to fetch artifacts"; the listing error that precedes it names the repository.
const listing = [
  /collect tags for repos/i,
  /List tags for repo '([^']+)' error: http error: code (?:500|502|503|504)/i,
];
const race = [
  inOrder('pull manifest from local registry failed', 'tag unknown'),
  /\b404 tag unknown\b/i,
  inOrder('manifest unknown', 'tag='),
];

/** Classifies the lines of a status_text or task log; the first listing or race line wins per cause. */
export function classifyReplicationFailure(text: string): FailureSignature[] {
  const found = new Map<ReplicationFailureCause, FailureSignature>();
  for (const raw of text.split(/\r?\n/)) {
    if (!found.has('replication-tag-listing-failed') && listing.some((r) => r.test(raw))) {
      const repo = /List tags for repo '([^']+)'/i.exec(raw)?.[1];
      found.set('replication-tag-listing-failed', {
        cause: 'replication-tag-listing-failed',
        line: clip(raw),
        repository: repo,
      });
    }
    if (!found.has('replication-tag-unknown-race') && race.some((r) => r.test(raw))) {
      found.set('replication-tag-unknown-race', {
        cause: 'replication-tag-unknown-race',
        line: clip(raw),
        repository: /copying ([^:\s]+)/.exec(raw)?.[1],
      });
    }
  }
  return [...found.values()];
}
