import { describe, expect, it } from 'vitest';
import { classifyReplicationFailure } from '../../src/replication/failure-signatures.js';

describe('classifyReplicationFailure', () => {
  it('recognises the Harbor 1.x and 2.x tag listing failures and the repository', () => {
    const v1 =
      "2020-05-17T15:32:52Z [ERROR] [/common/utils/passports.go:109]: List tags for repo 'ai-cloud/quay.io/coreos/kube-state-metrics' error: http error: code 500, message ";
    expect(classifyReplicationFailure(v1)).toEqual([
      {
        cause: 'replication-tag-listing-failed',
        line: v1.trim(),
        repository: 'ai-cloud/quay.io/coreos/kube-state-metrics',
      },
    ]);
    expect(
      classifyReplicationFailure('failed to fetch image: FetchImages error when collect tags for repos')[0]?.cause,
    ).toBe('replication-tag-listing-failed');
    expect(
      classifyReplicationFailure('failed to fetch artifacts: FetchArtifacts error when collect tags for repos')[0]
        ?.repository,
    ).toBeUndefined();
  });

  it('recognises the tag race in both spellings', () => {
    expect(
      classifyReplicationFailure('pull manifest from local registry failed404 tag unknown, tag=xxx.')[0]?.cause,
    ).toBe('replication-tag-unknown-race');
    expect(
      classifyReplicationFailure('x\n[ERROR] pull manifest from local registry failed, 404 tag unknown, tag=v1\ny').map(
        (s) => s.cause,
      ),
    ).toEqual(['replication-tag-unknown-race']);
  });

  it('ignores unrelated failures and a 401 listing error', () => {
    expect(
      classifyReplicationFailure(
        "List tags for repo 'a/b' error: http error: code 401, message unauthorized\nconnection refused",
      ),
    ).toEqual([]);
  });
});
