import { describe, expect, it } from 'vitest';
import { logSignatures, scanLog } from '../../src/cluster/log-signatures.js';
import { classifyPullFailure } from '../../src/cluster/pull-failure.js';
import { compileGlob } from '../../src/replication/glob.js';
import { classifyReplicationFailure } from '../../src/replication/failure-signatures.js';
import { parseHarborVersion } from '../../src/harbor/schema-versions.js';
import { nextLink } from '../../src/http.js';
import { scrubSlackText } from '../../src/slack/app.js';
import { scrubLogLine } from '../../src/log-scrub.js';

// Every pattern applied to text from Slack, Harbor, Kubernetes logs or events runs in time linear in
// the text: a quadratic pattern on 100 KB stalls the event loop for seconds (every command with it).
const budgetMs = 100;

function timed(fn: () => unknown): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

/** The literal runs of a pattern's source (`pull manifest from local registry failed`, ...). */
function literals(re: RegExp): string[] {
  return re.source.split(/[\\()[\]{}|*+?.^$]+/).filter((s) => s.length >= 4);
}

/** A line built to make a backtracking pattern retry from every position: its literals repeated. */
function hostileLines(re: RegExp): string[] {
  const lits = literals(re);
  const out = lits.map((l) => `${l} `.repeat(Math.ceil(100_000 / (l.length + 1))));
  if (lits.length > 0) out.push(lits.join(' ').repeat(Math.ceil(100_000 / lits.join(' ').length)));
  return out;
}

describe('patterns over untrusted text run in linear time', () => {
  it.each(logSignatures.map((s) => [s.id, s] as const))('log signature %s', (_id, s) => {
    for (const line of [...hostileLines(s.pattern), ...(s.until ? hostileLines(s.until) : [])]) {
      for (const component of s.components) expect(timed(() => scanLog([line], component))).toBeLessThan(budgetMs);
    }
  });

  it('replication failure classification', () => {
    const text = [
      'pull manifest from local registry failed ',
      'manifest unknown ',
      "List tags for repo '",
      'copying ',
    ].map((l) => l.repeat(Math.ceil(100_000 / l.length)));
    for (const t of text) expect(timed(() => classifyReplicationFailure(t))).toBeLessThan(budgetMs);
    expect(classifyReplicationFailure('pull manifest from local registry failed, 404 tag unknown')[0]?.cause).toBe(
      'replication-tag-unknown-race',
    );
    expect(classifyReplicationFailure('manifest unknown: repo x tag=v1')[0]?.cause).toBe(
      'replication-tag-unknown-race',
    );
    expect(classifyReplicationFailure('tag unknown then pull manifest from local registry failed')).toEqual([]);
  });

  it('pull failure classification', () => {
    expect(timed(() => classifyPullFailure('dial tcp '.repeat(12_000)))).toBeLessThan(budgetMs);
  });

  it('replication name filters (globs) with many stars, on names far past the 255 characters Harbor allows', () => {
    const glob = compileGlob(`${'a*'.repeat(12)}b`);
    for (let i = 0; i < 20; i++) glob.test('a'.repeat(200)); // the regex it replaced: 8 stars, 60 chars, 50 s
    expect(timed(() => glob.test('a'.repeat(2_000)))).toBeLessThan(budgetMs);
    expect(glob.test(`${'a'.repeat(30)}b`)).toBe(true);
  });

  it('Link headers and version strings from Harbor', () => {
    expect(timed(() => nextLink('<'.repeat(100_000)))).toBeLessThan(budgetMs);
    expect(nextLink('</api/v2.0/projects?page=2&page_size=10>; rel="next"')).toEqual({
      path: '/projects',
      query: { page: '2', page_size: '10' },
    });
    expect(
      nextLink('</api/v2.0/projects?page=1>; rel="prev" , </api/v2.0/projects?page=3>; rel="next"')?.query,
    ).toEqual({ page: '3' });
    expect(timed(() => parseHarborVersion('1'.repeat(100_000)))).toBeLessThan(budgetMs);
    expect(parseHarborVersion('harbor-core:v2.15.2-080b0220')).toEqual([2, 15, 2]);
  });

  it('blanking credentials in log lines shown as evidence', () => {
    const hostile = ['a', 'a:', 'password ', 'token: ', 'bearer ', 'authorization: bearer ', 'x://', 'a://b'].map((u) =>
      u.repeat(Math.ceil(100_000 / u.length)),
    );
    for (const t of hostile) expect(timed(() => scrubLogLine(t, 100_000))).toBeLessThan(budgetMs);
  });

  it('scrubbing Slack payload text for logs', () => {
    for (const t of ['"token":"'.repeat(20_000), 'token='.repeat(20_000), 'xoxb-'.repeat(20_000)])
      expect(timed(() => scrubSlackText(t))).toBeLessThan(budgetMs);
  });
});
