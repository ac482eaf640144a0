import { describe, expect, it } from 'vitest';
import coreTokenKeys from '../../jobs/core-token-keys.js';
import { rolloutRestart } from '../../jobs/remediations/rollout-restart.js';
import { skewCoreClock, tokenKeyMismatch } from '../../src/sim/harbor-incidents-core.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { useClusterHarness } from '../support/cluster-harness.js';

const now = new Date('2026-11-22T10:00:00Z');
const h = useClusterHarness({ now });

function secretValues(): string[] {
  return h.kube.state.objects
    .filter((o) => o.kind === 'Secret' && o.type === 'Opaque')
    .flatMap((s) =>
      Object.values(s.data as Record<string, string>).flatMap((v) => [v, Buffer.from(v, 'base64').toString()]),
    );
}

describe('core-token-keys', () => {
  it('finds nothing on a healthy release and reads each replica clock through the pod proxy', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    const run = await h.run(coreTokenKeys);
    expect(run).toMatchObject({ status: 'ok', findings: [] });
    const proxied = h.kube.requests.filter((r) => r.path.includes('/proxy/')).map((r) => r.path);
    expect(proxied).toHaveLength(2);
    expect(proxied.every((p) => /\/pods\/harbor-core-[\w-]+%3A8080\/proxy\/api\/v2\.0\/systeminfo$/.test(p))).toBe(
      true,
    );
  });

  it('reports ReplicaSets serving with different checksum/secret, stale pods and the log signature, with hashes only', async () => {
    loadScenario(h.kube, tokenKeyMismatch(buildHarborRelease({ now }), 'checksum'));
    const run = await h.run(coreTokenKeys);
    expect(run.findings).toHaveLength(1);
    const f = run.findings[0];
    expect(f).toMatchObject({
      cause: 'token-key-mismatch',
      severity: 'critical',
      resource: { kind: 'Deployment', name: 'harbor-core', namespace: 'harbor' },
    });
    const ev = f?.evidence.join('\n') ?? '';
    expect(ev.match(/ReplicaSet harbor-core-\w+ serves with 1 ready pod\(s\), checksum\/secret \w{12}…/g)).toHaveLength(
      2,
    );
    expect(ev).toMatch(
      /pod harbor-core-\w+-\w+ started 2026-11-20T10:00:00.000Z, before Secret harbor-core last changed at 2026-11-22T07:00:00.000Z/,
    );
    expect(ev).toContain('crypto/rsa: verification error');
    expect(ev).toMatch(/Secret harbor-core tls\.key sha256:[0-9a-f]{12} \(hash only\)/);
    for (const v of secretValues()) expect(JSON.stringify(run.findings)).not.toContain(v);
    expect(f?.remediations).toEqual([
      expect.objectContaining({
        id: 'rollout-restart',
        params: expect.objectContaining({ cluster: 'prod', namespace: 'harbor', deployment: 'harbor-core' }),
      }),
    ]);
  });

  it('reports a replica started before the key Secret changed', async () => {
    loadScenario(h.kube, tokenKeyMismatch(buildHarborRelease({ now }), 'stale-pod'));
    const ev = (await h.run(coreTokenKeys)).findings[0]?.evidence ?? [];
    expect(ev.filter((e) => e.includes('before Secret harbor-core last changed'))).toHaveLength(1);
    expect(ev.some((e) => e.startsWith('ReplicaSet'))).toBe(false);
  });

  it('reports replicas mounting different key Secrets', async () => {
    loadScenario(h.kube, tokenKeyMismatch(buildHarborRelease({ now }), 'secret-ref'));
    const ev = (await h.run(coreTokenKeys)).findings[0]?.evidence.join('\n') ?? '';
    expect(ev).toMatch(/pods harbor-core-[\w-]+ mount the token key from Secret harbor-core key tls\.key/);
    expect(ev).toMatch(/pods harbor-core-[\w-]+ mount the token key from Secret harbor-token-key key tls\.key/);
  });

  it('still reports the mismatch when Secrets may not be read, and says so', async () => {
    loadScenario(h.kube, tokenKeyMismatch(buildHarborRelease({ now }), 'checksum'));
    h.kube.state.forbidden = ['get secrets'];
    const f = (await h.run(coreTokenKeys)).findings[0];
    expect(f?.cause).toBe('token-key-mismatch');
    expect(f?.evidence.join('\n')).toContain('the API server refused get secrets (403)');
  });

  it('keeps the key evidence when logs are forbidden, naming get pods/log', async () => {
    loadScenario(h.kube, tokenKeyMismatch(buildHarborRelease({ now }), 'checksum'));
    h.kube.state.forbidden = ['get pods/log'];
    const f = (await h.run(coreTokenKeys)).findings[0];
    expect(f?.cause).toBe('token-key-mismatch');
    expect(f?.evidence.join('\n')).toContain('refused get pods/log in harbor (403); grant the bot "get pods/log"');
  });

  it("reports clock skew naming each replica's offset", async () => {
    const r = buildHarborRelease({ now });
    const pod = skewCoreClock(r, 1, 95_000);
    loadScenario(h.kube, r);
    const run = await h.run(coreTokenKeys);
    expect(run.findings).toHaveLength(1);
    const f = run.findings[0];
    expect(f).toMatchObject({ cause: 'clock-skew', severity: 'warning' });
    expect(f?.evidence).toContain(`pod ${pod.metadata.name}: current_time +95 s from the bot's clock`);
    expect(f?.evidence.filter((e) => e.includes('+0.0 s'))).toHaveLength(1);
    expect(f?.summary).toContain('tolerates no skew');
    expect((await h.run(coreTokenKeys, { clockSkewSeconds: 120 })).findings).toEqual([]);
  });

  it('turns a refused pod proxy into a finding naming get pods/proxy', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    h.kube.state.forbidden = ['get pods/proxy'];
    const f = (await h.run(coreTokenKeys)).findings[0];
    expect(f).toMatchObject({ cause: 'permission-denied' });
    expect(f?.summary).toContain('get pods/proxy');
  });
});

describe('rollout-restart', () => {
  it('dry-runs, shows the restart annotation as a diff, patches and verifies the rollout', async () => {
    loadScenario(h.kube, tokenKeyMismatch(buildHarborRelease({ now }), 'checksum'));
    const params = rolloutRestart.params.parse((await h.run(coreTokenKeys)).findings[0]?.remediations[0]?.params);
    const ctx = h.context();
    h.kube.requests.length = 0;
    const plan = await rolloutRestart.plan(ctx, params);
    expect(plan.diff).toBe(
      '- pod template restartedAt: (never restarted)\n+ pod template restartedAt: 2026-11-22T10:00:00.000Z',
    );
    expect(h.kube.requests.map((r) => `${r.method} ${r.query.get('dryRun') ?? ''}`)).toEqual(['GET ', 'PATCH All']);
    expect(await rolloutRestart.execute(ctx, params, plan)).toMatchObject({ ok: true });
    const dep = h.kube.get('Deployment', 'harbor', 'harbor-core') as unknown as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    expect(dep.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(
      '2026-11-22T10:00:00.000Z',
    );
    expect(await rolloutRestart.verify(ctx, params)).toMatchObject({
      ok: true,
      detail: expect.stringContaining('rollout complete'),
    });
    expect((await rolloutRestart.plan(ctx, params)).refuse).toContain('changed since the finding');
  });

  it('watches a rollout still in progress until it completes', async () => {
    loadScenario(h.kube, tokenKeyMismatch(buildHarborRelease({ now }), 'checksum'));
    const params = rolloutRestart.params.parse((await h.run(coreTokenKeys)).findings[0]?.remediations[0]?.params);
    const ctx = h.context();
    expect(await rolloutRestart.execute(ctx, params, await rolloutRestart.plan(ctx, params))).toMatchObject({
      ok: true,
    });
    const dep = h.kube.get('Deployment', 'harbor', 'harbor-core');
    if (!dep) throw new Error('no deployment');
    const settled = dep.status;
    h.kube.put({ ...dep, status: { ...(settled as object), updatedReplicas: 1, readyReplicas: 1 } });
    const later = setTimeout(() => h.kube.put({ ...dep, status: settled }), 300);
    try {
      expect(await rolloutRestart.verify(ctx, params)).toMatchObject({
        ok: true,
        detail: expect.stringContaining('2/2 updated, 2/2 ready'),
      });
    } finally {
      clearTimeout(later);
    }
  });
});
