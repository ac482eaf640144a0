import { describe, expect, it } from 'vitest';
import ingress, { restoreIngress } from '../../jobs/ingress.js';
import { editIngress, failReadiness, upgradeChangedIngress } from '../../src/sim/harbor-incidents.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { useClusterHarness } from '../support/cluster-harness.js';

const now = new Date('2026-11-22T10:00:00Z');
const h = useClusterHarness({ now, withHarbor: () => {} });

function seedA2() {
  const r = buildHarborRelease({ now });
  editIngress(r, {
    annotations: {
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/ssl-redirect': null,
    },
    className: 'traefik',
  });
  loadScenario(h.kube, r);
  h.harbor.fault({
    path: /\/api\/v2\.0\/ping$/,
    status: 503,
    body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
  });
}

describe('ingress', () => {
  it('finds nothing on a healthy release, reading the Helm release Secrets', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    expect(await h.run(ingress)).toMatchObject({ status: 'ok', findings: [] });
    const secrets = h.kube.requests.find((r) => r.path === '/api/v1/namespaces/harbor/secrets');
    expect(secrets?.query.get('labelSelector')).toBe('owner=helm,name=harbor');
  });

  it('reports annotations and class edited outside Helm, and the external URL failing while core answers (seed 000)', async () => {
    seedA2();
    const run = await h.run(ingress);
    expect(run.findings.map((f) => [f.cause, f.severity, f.resource.kind, f.resource.name])).toEqual([
      ['external-unreachable', 'critical', 'Service', 'harbor-core'],
      ['ingress-drift', 'warning', 'Ingress', 'harbor-ingress'],
    ]);
    const [external, drift] = run.findings;
    expect(external?.evidence[0]).toMatch(/\/api\/v2\.0\/ping: harbor GET \/ping: 503/);
    expect(external?.evidence[1]).toBe(
      'GET /api/v1/namespaces/harbor/services/harbor-core:http-web/proxy/api/v2.0/ping: Pong',
    );
    expect(drift?.evidence).toEqual(
      expect.arrayContaining([
        '  + annotations.nginx.ingress.kubernetes.io/backend-protocol: HTTPS',
        '  - annotations.nginx.ingress.kubernetes.io/ssl-redirect: true',
        '  - class: nginx',
        '  + class: traefik',
        'it differs from the previous revision 1 as well: edited outside Helm',
      ]),
    );
    expect(drift?.evidence[0]).toMatch(/differs from Helm release harbor revision 2 \(deployed/);
    expect(drift?.remediations).toEqual([
      expect.objectContaining({
        id: 'restore-ingress',
        params: expect.objectContaining({ cluster: 'prod', name: 'harbor-ingress', revision: 2 }),
      }),
    ]);
  });

  it("says when the live Ingress matches the previous revision: the upgrade's change was undone by hand", async () => {
    loadScenario(
      h.kube,
      upgradeChangedIngress(buildHarborRelease({ now }), { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '600' }),
    );
    const f = (await h.run(ingress)).findings[0];
    expect(f).toMatchObject({
      cause: 'ingress-drift',
      remediations: [expect.objectContaining({ params: expect.objectContaining({ revision: 3 }) })],
    });
    expect(f?.evidence).toEqual(
      expect.arrayContaining([
        '  - annotations.nginx.ingress.kubernetes.io/proxy-read-timeout: 600',
        "the live Ingress matches the previous revision 2: the upgrade's change to it was undone by hand",
      ]),
    );
  });

  it('reports a backend Service without ready endpoints', async () => {
    loadScenario(h.kube, failReadiness(buildHarborRelease({ now }), 'core'));
    h.harbor.fault({ path: /\/api\/v2\.0\/ping$/, status: 503 });
    const run = await h.run(ingress);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]).toMatchObject({
      cause: 'ingress-no-endpoints',
      severity: 'critical',
      resource: { kind: 'Service', name: 'harbor-core', namespace: 'harbor' },
    });
    expect(run.findings[0]?.evidence[0]).toMatch(/^Endpoints harbor-core: 0 ready, 2 not ready \(harbor-core-/);
    expect(run.findings[0]?.evidence[1]).toContain('harbor.example.com/api/');
  });

  it('still checks endpoints when Helm Secrets are forbidden, and names the missing permission', async () => {
    loadScenario(h.kube, failReadiness(buildHarborRelease({ now }), 'portal'));
    h.kube.state.forbidden = ['list secrets'];
    const findings = (await h.run(ingress)).findings;
    expect(findings.map((f) => [f.cause, f.resource.name])).toEqual([
      ['permission-denied', 'harbor'],
      ['ingress-no-endpoints', 'harbor-portal'],
    ]);
    expect(findings[0]?.summary).toContain('list secrets in harbor');
  });
});

describe('restore-ingress', () => {
  it('plans from the Helm revision with a dry run and diff, restores, verifies, and the drift is gone', async () => {
    seedA2();
    const params = restoreIngress.params.parse((await h.run(ingress)).findings[1]?.remediations[0]?.params);
    const ctx = h.context();
    h.kube.requests.length = 0;
    const plan = await restoreIngress.plan(ctx, params);
    expect(plan.diff?.split('\n')).toEqual([
      '- annotations.nginx.ingress.kubernetes.io/backend-protocol: HTTPS',
      '+ annotations.nginx.ingress.kubernetes.io/ssl-redirect: true',
      '- class: traefik',
      '+ class: nginx',
    ]);
    expect(h.kube.requests.filter((r) => r.method === 'PATCH').map((r) => r.query.get('dryRun'))).toEqual(['All']);
    expect(
      h.kube.get('Ingress', 'harbor', 'harbor-ingress')?.metadata.annotations?.[
        'nginx.ingress.kubernetes.io/backend-protocol'
      ],
    ).toBe('HTTPS');
    expect(await restoreIngress.execute(ctx, params, plan)).toMatchObject({ ok: true });
    const live = h.kube.get('Ingress', 'harbor', 'harbor-ingress');
    expect(live?.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      'meta.helm.sh/release-name': 'harbor',
    });
    expect(live?.metadata.annotations?.['nginx.ingress.kubernetes.io/backend-protocol']).toBeUndefined();
    expect(await restoreIngress.verify(ctx, params)).toEqual({
      ok: true,
      detail: 'Ingress harbor-ingress matches Helm revision 2',
    });
    h.harbor.clearFaults();
    expect((await h.run(ingress)).findings).toEqual([]);
  });

  it('refuses when the Ingress changed after the finding', async () => {
    seedA2();
    const params = restoreIngress.params.parse((await h.run(ingress)).findings[1]?.remediations[0]?.params);
    const live = h.kube.get('Ingress', 'harbor', 'harbor-ingress');
    if (live) h.kube.put(live);
    const plan = await restoreIngress.plan(h.context(), params);
    expect(plan.refuse).toContain('changed since the finding');
    expect(plan.diff).toBeUndefined();
  });
});
