import { describe, expect, it } from 'vitest';
import componentLogs from '../../jobs/component-logs.js';
import { admiralUrlNoise, appendLog, migrationRunning } from '../../src/sim/harbor-incidents-core.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { useClusterHarness } from '../support/cluster-harness.js';

const now = new Date('2026-11-22T10:00:00Z');
const h = useClusterHarness({ now });

describe('component-logs', () => {
  it('finds nothing on a healthy release and reads every log with limits', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    expect(await h.run(componentLogs)).toMatchObject({ status: 'ok', findings: [] });
    const logReads = h.kube.requests.filter((r) => r.path.endsWith('/log'));
    expect(logReads).toHaveLength(9);
    expect(logReads.every((r) => r.query.get('tailLines') === '300' && Number(r.query.get('limitBytes')) > 0)).toBe(
      true,
    );
  });

  it('reports the admiral_url noise as known-benign-log at info (seed 004 item 2)', async () => {
    loadScenario(h.kube, admiralUrlNoise(buildHarborRelease({ now })));
    const run = await h.run(componentLogs);
    expect(run.findings).toEqual([
      expect.objectContaining({
        cause: 'known-benign-log',
        severity: 'info',
        resource: { kind: 'HarborComponent', name: 'core', namespace: 'harbor' },
      }),
    ]);
    expect(run.findings[0]?.evidence[0]).toMatch(/^12 matching lines in the last 300 lines of harbor-core-/);
    expect(run.findings[0]?.summary).toContain('Harmless');
  });

  it('reports a running migration as a warning, and nothing once it completed (seed 004 item 3)', async () => {
    const r = migrationRunning(buildHarborRelease({ now }));
    loadScenario(h.kube, r);
    const run = await h.run(componentLogs);
    expect(run.findings).toEqual([expect.objectContaining({ cause: 'migration-in-progress', severity: 'warning' })]);
    expect(run.findings[0]?.evidence[1]).toContain('Migrating quota usage of project 41 of 310');
    appendLog(r, 'core', 'core', ['2026-11-22T09:59:00Z [INFO] [/core/main.go:270]: Success to sync quota data .....']);
    loadScenario(h.kube, r);
    expect((await h.run(componentLogs)).findings).toEqual([]);
  });

  it('maps replication, storage and token signatures to their causes', async () => {
    const r = buildHarborRelease({ now });
    appendLog(r, 'jobservice', 'jobservice', [
      '2026-11-22T09:40:00Z [ERROR] [/controller/replication/transfer/image/transfer.go:391]: pull manifest from local registry failed 404 tag unknown',
    ]);
    appendLog(r, 'registry', 'registry', [
      'time="2026-11-22T09:41:00Z" level=error msg="response completed with error" err.code="manifest unknown" err.detail="filesystem: Path not found: /docker/registry/v2/repositories/app/web/_manifests/tags/1.2/current/link"',
    ]);
    appendLog(r, 'core', 'core', [
      '2026-11-22T09:42:00Z [ERROR] [/server/middleware/security/v2_token.go:61]: failed to decode bearer token: parse token error, token signature is invalid: crypto/rsa: verification error',
    ]);
    loadScenario(h.kube, r);
    const run = await h.run(componentLogs);
    expect(run.findings.map((f) => [f.cause, f.severity, f.resource.name])).toEqual([
      ['token-key-mismatch', 'critical', 'core'],
      ['replication-tag-unknown-race', 'warning', 'jobservice'],
      ['manifest-missing', 'warning', 'registry'],
    ]);
  });

  it('names the missing RBAC verb when logs are forbidden', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    h.kube.state.forbidden = ['get pods/log'];
    const run = await h.run(componentLogs);
    expect(run.findings[0]).toMatchObject({ cause: 'permission-denied' });
    expect(run.findings[0]?.summary).toContain('get pods/log in harbor');
  });
});
