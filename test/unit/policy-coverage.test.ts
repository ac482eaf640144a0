import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../src/replication/glob.js';
import { describeFilters, policyCovers } from '../../src/replication/policy-coverage.js';
import { samplePolicies } from '../../src/sim/replication-scenarios.js';

describe('compileGlob (doublestar, as Harbor matches name filters)', () => {
  it.each([
    ['library/**', 'library/nginx', true],
    ['library/**', 'library/a/b', true],
    ['library/*', 'library/a/b', false],
    ['library/*', 'library/nginx', true],
    ['**', 'x/y/z', true],
    ['**/nginx', 'nginx', true],
    ['**/nginx', 'a/b/nginx', true],
    ['lib?ary/{nginx,redis}', 'library/redis', true],
    ['lib?ary/{nginx,redis}', 'library/node', false],
    ['team/[ab]pp', 'team/app', true],
    ['team/[!a]pp', 'team/app', false],
    ['a.b/c', 'axb/c', false],
    ['a,b/{x,y}', 'a,b/y', true],
  ])('%s vs %s → %s', (pattern, name, expected) => {
    expect(compileGlob(pattern).test(name)).toBe(expected);
  });
});

describe('policyCovers', () => {
  const [push, pull] = samplePolicies();
  it('matches a push rule against the local name', () => {
    expect(policyCovers(push!, 'library/nginx')).toBe(true);
    expect(policyCovers(push!, 'team/app')).toBe(false);
  });
  it('matches a pull rule under its destination namespace, on the remote part of the name', () => {
    expect(policyCovers(pull!, 'ai-cloud/coreos/kube-state-metrics')).toBe(true);
    expect(policyCovers(pull!, 'ai-cloud/quay.io/coreos/kube-state-metrics')).toBe(true);
    expect(policyCovers(pull!, 'other/coreos/kube-state-metrics')).toBe(false);
  });
  it('honours excludes, missing filters and disabled rules', () => {
    expect(
      policyCovers(
        { ...push!, filters: [{ type: 'name', value: 'library/**', decoration: 'excludes' }] },
        'library/nginx',
      ),
    ).toBe(false);
    expect(policyCovers({ ...push!, filters: [] }, 'anything/at/all')).toBe(true);
    expect(policyCovers({ ...push!, enabled: false }, 'library/nginx')).toBe(false);
    expect(describeFilters(push!)).toBe('name=library/**, tag=**');
  });
});
