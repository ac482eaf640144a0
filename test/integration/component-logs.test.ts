import { describe, expect, it } from 'vitest';
import componentLogs from '../../jobs/component-logs.js';
import { scanLog } from '../../src/cluster/log-signatures.js';
import { admiralUrlNoise, appendLog, migrationRunning } from '../../src/sim/harbor-incidents-core.js';
import { databaseConnectionsExhausted, redisOutOfMemory, storageBackendError } from '../../src/sim/saturation-logs.js';
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

  it('reports storage, database and Redis saturation under their own causes, and leaves benign lines alone', async () => {
    const r = buildHarborRelease({ now });
    storageBackendError(r, 's3-access-denied');
    databaseConnectionsExhausted(r);
    redisOutOfMemory(r);
    loadScenario(h.kube, r);
    const run = await h.run(componentLogs);
    const seen = run.findings.map((f) => [f.cause, f.severity, f.resource.name]);
    expect(seen.sort()).toEqual([
      ['database-connections-exhausted', 'critical', 'core'],
      ['database-connections-exhausted', 'critical', 'database'],
      ['harbor-redis-oom', 'critical', 'core'],
      ['harbor-redis-oom', 'critical', 'jobservice'],
      ['storage-backend-error', 'critical', 'registry'],
    ]);
    const storage = run.findings.find((f) => f.cause === 'storage-backend-error');
    expect(storage?.evidence[0]).toMatch(/^4 matching lines in the last 300 lines of harbor-registry-/);
    expect(storage?.evidence[1]).toContain('s3aws: AccessDenied: Access Denied');
    expect(storage?.summary).toContain('rollout-restart');
  });

  it('matches each saturation signature on its own wording and not on look-alike lines', () => {
    const scan = (component: string, line: string) => scanLog([line], component).map((h) => h.signature.id);
    expect(scan('registry', 'err.detail="filesystem: mkdir /storage/docker: no space left on device"')).toEqual([
      'storage-backend-error',
    ]);
    expect(scan('registry', 'err.detail="s3aws: NoSuchBucket: The specified bucket does not exist"')).toEqual([
      'storage-backend-error',
    ]);
    expect(scan('registry', 'err.detail="s3aws: SlowDown: Please reduce your request rate."')).toEqual([
      'storage-backend-error',
    ]);
    expect(
      scan('registry', 'err.code="blob unknown" err.detail="s3aws: Path not found: /docker/registry/v2/blobs"'),
    ).toEqual([]);
    expect(scan('registry', 'err.detail="s3aws: NoSuchKey: The specified key does not exist."')).toEqual([]);
    expect(
      scan('core', 'FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute'),
    ).toEqual(['database-connections-exhausted']);
    expect(scan('core', 'pool: max open connections reached, waiting')).toEqual([]);
    expect(scan('jobservice', "OOM command not allowed when used memory > 'maxmemory'.")).toEqual(['harbor-redis-oom']);
    expect(scan('core', 'used memory is 80% of maxmemory')).toEqual([]);
    const long = `${'s3aws: '.repeat(20_000)}x`;
    const started = performance.now();
    scan('registry', long);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('names the missing RBAC verb when logs are forbidden', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    h.kube.state.forbidden = ['get pods/log'];
    const run = await h.run(componentLogs);
    expect(run.findings[0]).toMatchObject({ cause: 'permission-denied' });
    expect(run.findings[0]?.summary).toContain('get pods/log in harbor');
  });
});
