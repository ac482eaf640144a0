import { describe, expect, it } from 'vitest';
import { RunReads, RunReadsByRun } from '../../src/checks/run-reads.js';

describe('RunReads', () => {
  it('loads a key once for concurrent and later readers', async () => {
    const reads = new RunReads();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return ['pod-a'];
    };
    const answers = await Promise.all([reads.get('pods', load), reads.get('pods', load), reads.get('pods', load)]);
    expect(await reads.get('pods', load)).toEqual(['pod-a']);
    expect(answers).toEqual([['pod-a'], ['pod-a'], ['pod-a']]);
    expect(loads).toBe(1);
    expect(await reads.get('replicasets', async () => ['rs-a'])).toEqual(['rs-a']);
  });

  it('shares a failure with those who waited on it, then asks again', async () => {
    const reads = new RunReads();
    let loads = 0;
    const failing = async () => {
      loads++;
      throw new Error('kubernetes list pods: 403');
    };
    const settled = await Promise.allSettled([reads.get('pods', failing), reads.get('pods', failing)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    expect(await reads.get('pods', async () => ['pod-a'])).toEqual(['pod-a']);
  });
});

describe('RunReads.scoped', () => {
  it('shares within a scope and never across scopes', async () => {
    const reads = new RunReads();
    let loads = 0;
    const load = (answer: string) => async () => {
      loads++;
      return answer;
    };
    expect(await reads.scoped('cluster/prod').get('pods', load('prod pods'))).toBe('prod pods');
    expect(await reads.scoped('cluster/staging').get('pods', load('staging pods'))).toBe('staging pods');
    expect(await reads.scoped('cluster/prod').get('pods', load('again'))).toBe('prod pods');
    expect(loads).toBe(2);
  });
});

describe('RunReadsByRun', () => {
  it('gives the jobs of one run the same reads, other runs their own, and forgets a run after its TTL', () => {
    let now = 0;
    const byRun = new RunReadsByRun(1000, () => now);
    const first = byRun.of('run-1');
    expect(byRun.of('run-1')).toBe(first);
    expect(byRun.of('run-2')).not.toBe(first);
    now = 999;
    expect(byRun.of('run-1')).toBe(first);
    now = 1000;
    expect(byRun.of('run-1')).not.toBe(first);
    expect(byRun.size).toBe(1);
  });
});
