import { describe, expect, it } from 'vitest';
import podHealth from '../../jobs/pod-health.js';
import { crashLoop, downgradeBelowSchema } from '../../src/sim/harbor-incidents-core.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { useClusterHarness } from '../support/cluster-harness.js';

const now = new Date('2026-11-22T10:00:00Z');
const h = useClusterHarness({ now });

describe('pod-health', () => {
  it('finds nothing on a healthy release', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    expect(await h.run(podHealth)).toMatchObject({ status: 'ok', findings: [] });
  });

  it('reports a crash-looping core with restarts, exit code, last log lines and the known signature', async () => {
    loadScenario(h.kube, downgradeBelowSchema(buildHarborRelease({ now }), { toVersion: '2.9.4' }));
    const run = await h.run(podHealth);
    expect(run.findings).toHaveLength(1);
    const f = run.findings[0];
    expect(f).toMatchObject({
      cause: 'pod-crashloop',
      severity: 'critical',
      resource: { kind: 'Deployment', name: 'harbor-core', namespace: 'harbor' },
    });
    expect(f?.evidence[0]).toMatch(
      /^pod harbor-core-\w+-\w+ container core: CrashLoopBackOff, 14 restarts, last exit code 1 \(Error\) at 2026-11-22T09:58/,
    );
    expect(f?.evidence).toContain(
      '  2026-11-22T09:59:00Z [FATAL] [/core/main.go:103]: failed to initialize database: file does not exist',
    );
    expect(f?.evidence.join('\n')).toContain('log signature schema-file-missing (schema-newer-than-binary)');
    const logReq = h.kube.requests.find((r) => r.path.endsWith('/log'));
    expect(logReq?.query.get('previous')).toBe('true');
    expect(Number(logReq?.query.get('tailLines'))).toBeLessThanOrEqual(300);
    expect(Number(logReq?.query.get('limitBytes'))).toBeGreaterThan(0);
  });

  it('never posts a whole log: only the last few lines, each cut short', async () => {
    const noisy = Array.from(
      { length: 2000 },
      (_, i) => `2026-11-22T09:50:00Z [ERROR] [/jobservice/main.go:60]: line ${i} ${'x'.repeat(400)}`,
    );
    loadScenario(h.kube, crashLoop(buildHarborRelease({ now }), 'jobservice', { lastLog: noisy }));
    const f = (await h.run(podHealth, { logLines: 5 })).findings[0];
    const logEvidence = f?.evidence.filter((e) => e.startsWith('  ')) ?? [];
    expect(logEvidence).toHaveLength(5);
    expect(logEvidence.every((l) => l.length <= 245)).toBe(true);
    expect(logEvidence[4]).toContain('line 1999');
  });

  it('blanks the credentials a crash log prints before it becomes evidence', async () => {
    const log = [
      '2026-11-22T09:50:00Z [ERROR] [/jobservice/main.go:60]: failed to connect redis://:Redis-Pw-123@harbor-redis:6379/2',
      '2026-11-22T09:50:01Z [ERROR] [/jobservice/main.go:61]: config dump password=Core-Pw-456 secretKey: not-a-16-char-k',
      '2026-11-22T09:50:02Z [ERROR] [/jobservice/main.go:62]: request with Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.x',
    ];
    loadScenario(h.kube, crashLoop(buildHarborRelease({ now }), 'jobservice', { lastLog: log }));
    const f = (await h.run(podHealth, { logLines: 5 })).findings[0];
    const text = f?.evidence.join('\n') ?? '';
    expect(text).toContain('redis://[redacted]@harbor-redis:6379/2');
    expect(text).toContain('password=[redacted]');
    expect(text).toContain('Authorization: Bearer [redacted]');
    for (const secret of ['Redis-Pw-123', 'Core-Pw-456', 'not-a-16-char-k', 'eyJhbGciOiJSUzI1NiJ9'])
      expect(text).not.toContain(secret);
  });

  it('keeps the finding when logs are forbidden and says which permission is missing', async () => {
    loadScenario(h.kube, downgradeBelowSchema(buildHarborRelease({ now }), { toVersion: '2.9.4' }));
    h.kube.state.forbidden = ['get pods/log'];
    const f = (await h.run(podHealth)).findings[0];
    expect(f?.cause).toBe('pod-crashloop');
    expect(f?.evidence.join('\n')).toContain('refused get pods/log in harbor (403)');
  });

  it('names the missing RBAC verb when pods cannot be listed', async () => {
    h.kube.state.forbidden = ['list pods'];
    const run = await h.run(podHealth);
    expect(run.findings[0]).toMatchObject({ cause: 'permission-denied' });
    expect(run.findings[0]?.summary).toContain('list pods in harbor');
  });
});
