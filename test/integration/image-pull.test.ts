import { describe, expect, it } from 'vitest';
import imagePull from '../../jobs/image-pull.js';
import { setDeploymentImages, setStatefulSetImages } from '../../jobs/remediations/set-images.js';
import { artifactState } from '../../src/sim/harbor-artifacts-state.js';
import { rolloutWithFailingPull, upgradeThroughOwnProxyCache } from '../../src/sim/harbor-incidents.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { startClusterHarness, useClusterHarness } from '../support/cluster-harness.js';

const now = new Date('2026-11-22T10:00:00Z');
const h = useClusterHarness({
  now,
  harborYaml: '    aliases: [harbor.example.com]',
  withHarbor: (sim) => artifactState(sim).projects.push({ name: 'dockerhub-proxy', project_id: 7, registry_id: 3 }),
});

describe('image-pull', () => {
  it('finds nothing on a healthy release', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    const run = await h.run(imagePull);
    expect(run.status).toBe('ok');
    expect(run.findings).toEqual([]);
  });

  it('reports a circular image dependency per workload, decided from the cluster while Harbor answers 503', async () => {
    loadScenario(h.kube, upgradeThroughOwnProxyCache(buildHarborRelease({ now })));
    h.harbor.fault({ path: /\/projects\//, status: 503 });
    const run = await h.run(imagePull);
    expect(run.findings.map((f) => [f.cause, f.severity, f.resource.kind, f.resource.name])).toEqual([
      ['circular-image-dependency', 'critical', 'Deployment', 'harbor-core'],
      ['circular-image-dependency', 'critical', 'StatefulSet', 'harbor-database'],
      ['circular-image-dependency', 'critical', 'Deployment', 'harbor-jobservice'],
      ['circular-image-dependency', 'critical', 'Deployment', 'harbor-portal'],
      ['circular-image-dependency', 'critical', 'StatefulSet', 'harbor-redis'],
      ['circular-image-dependency', 'critical', 'Deployment', 'harbor-registry'],
      ['circular-image-dependency', 'critical', 'StatefulSet', 'harbor-trivy'],
    ]);
    // Every workload pulls through the same project: Harbor is asked about it once.
    expect(h.harbor.requests.filter((r) => r.path === '/api/v2.0/projects/dockerhub-proxy').length).toBeLessThanOrEqual(
      3,
    );
    const registry = run.findings.find((f) => f.resource.name === 'harbor-registry');
    const evidence = registry?.evidence.join('\n') ?? '';
    expect(evidence).toContain('harbor.example.com/dockerhub-proxy/goharbor/harbor-registryctl:v2.10.3');
    expect(evidence).toContain("registry host harbor.example.com is harbor/prod's own host");
    expect(evidence).toMatch(/event Warning Failed \(x9\): Failed to pull image .*503 Service Unavailable/);
    expect(evidence).toMatch(/could not say what project "dockerhub-proxy" is .*503/);
    expect(registry?.remediations).toEqual([
      expect.objectContaining({
        id: 'set-deployment-images',
        params: expect.objectContaining({
          cluster: 'prod',
          namespace: 'harbor',
          deployment: 'harbor-registry',
          images: {
            registry: 'docker.io/goharbor/registry-photon:v2.10.3',
            registryctl: 'docker.io/goharbor/harbor-registryctl:v2.10.3',
          },
        }),
      }),
    ]);
  });

  it('names the proxy-cache project when the Harbor API still answers', async () => {
    loadScenario(h.kube, upgradeThroughOwnProxyCache(buildHarborRelease({ now })));
    const run = await h.run(imagePull);
    expect(run.findings[0]?.evidence).toContain(
      'Harbor project "dockerhub-proxy" is a proxy-cache project (registry_id 3)',
    );
  });

  it('classifies other pull failures and proposes the mirror only where it differs', async () => {
    const r = buildHarborRelease({ now });
    rolloutWithFailingPull(r, 'core', (img) => img.replace(':v2.10.3', ':v2.10.9'), 'not-found');
    rolloutWithFailingPull(
      r,
      'portal',
      (img) => img.replace('docker.io/goharbor', 'mirror.example.org/goharbor'),
      'rate-limited',
    );
    loadScenario(h.kube, r);
    const run = await h.run(imagePull);
    const [core, portal] = run.findings;
    expect(core).toMatchObject({
      cause: 'image-pull-failed',
      severity: 'critical',
      title: expect.stringContaining('(not-found)'),
    });
    expect(core?.summary).toContain('Critical: core is a Harbor component');
    expect(core?.remediations).toEqual([]);
    expect(portal).toMatchObject({ cause: 'image-pull-failed', title: expect.stringContaining('(rate-limited)') });
    expect(portal?.remediations[0]?.params.images).toEqual({ portal: 'docker.io/goharbor/harbor-portal:v2.10.3' });
  });

  it('reports pods of other namespaces only with allNamespaces, as a warning', async () => {
    const r = buildHarborRelease({ now });
    r.objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-0',
        namespace: 'shop',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', controller: true }],
      },
      spec: { containers: [{ name: 'web', image: 'harbor.example.com/shop/web:1.4' }] },
      status: {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'web',
            image: 'harbor.example.com/shop/web:1.4',
            ready: false,
            restartCount: 0,
            state: {
              waiting: {
                reason: 'ErrImagePull',
                message: 'failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized',
              },
            },
          },
        ],
      },
    });
    loadScenario(h.kube, r);
    expect((await h.run(imagePull)).findings).toEqual([]);
    const run = await h.run(imagePull, { allNamespaces: true });
    expect(run.findings).toEqual([
      expect.objectContaining({
        cause: 'image-pull-failed',
        severity: 'warning',
        resource: { kind: 'StatefulSet', name: 'web', namespace: 'shop' },
        title: expect.stringContaining('(unauthorized)'),
      }),
    ]);
    expect(run.findings[0]?.summary).toContain('not part of the Harbor release');
  });

  it('proposes the configured mirror instead of docker.io', async () => {
    const other = await startClusterHarness({
      now,
      clusterYaml: '    imageMirror: registry.mirror.lan/goharbor',
      harborYaml: '    aliases: [harbor.example.com]',
    });
    try {
      loadScenario(other.kube, upgradeThroughOwnProxyCache(buildHarborRelease({ now })));
      const fix = (await other.run(imagePull)).findings.find((f) => f.resource.name === 'harbor-core')?.remediations[0];
      expect(fix).toMatchObject({
        title: 'Pull harbor-core images from registry.mirror.lan/goharbor',
        params: { images: { core: 'registry.mirror.lan/goharbor/harbor-core:v2.10.3' } },
      });
    } finally {
      await other.close();
    }
  });

  it('turns a 403 into a finding naming the RBAC verb and resource', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    h.kube.state.forbidden = ['list pods'];
    const run = await h.run(imagePull);
    expect(run.status).toBe('error');
    expect(run.findings[0]).toMatchObject({ cause: 'permission-denied', severity: 'critical' });
    expect(run.findings[0]?.summary).toContain('list pods in harbor');
    expect(run.findings[0]?.evidence.join()).toContain('cannot list resource "pods"');
  });

  it('says clearly when the namespace does not exist', async () => {
    loadScenario(h.kube, { objects: [], logs: {}, proxy: {} });
    const run = await h.run(imagePull);
    expect(run.findings).toEqual([
      expect.objectContaining({
        cause: 'check-failed',
        resource: { kind: 'Namespace', name: 'harbor', namespace: null },
      }),
    ]);
    expect(run.findings[0]?.summary).toContain('namespace "harbor" does not exist');
  });
});

describe('set-deployment-images', () => {
  async function circularFinding() {
    loadScenario(h.kube, upgradeThroughOwnProxyCache(buildHarborRelease({ now })));
    const run = await h.run(imagePull);
    const fix = run.findings.find((f) => f.resource.name === 'harbor-core')?.remediations[0];
    return setDeploymentImages.params.parse(fix?.params);
  }

  it('plans with a server-side dry run and a diff, executes a strategic merge patch, and verifies the rollout', async () => {
    const params = await circularFinding();
    h.kube.requests.length = 0;
    const ctx = h.context();
    const plan = await setDeploymentImages.plan(ctx, params);
    expect(plan.refuse).toBeUndefined();
    expect(plan.diff).toBe(
      '- containers[core].image: harbor.example.com/dockerhub-proxy/goharbor/harbor-core:v2.10.3\n+ containers[core].image: docker.io/goharbor/harbor-core:v2.10.3',
    );
    const dry = h.kube.requests.find((r) => r.method === 'PATCH');
    expect(dry?.query.get('dryRun')).toBe('All');
    expect(dry?.query.get('fieldManager')).toBe('harbor-pilot');
    expect(dry?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    const untouched = h.kube.get('Deployment', 'harbor', 'harbor-core') as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(untouched.spec.template.spec.containers[0]?.image).toContain('harbor.example.com/');

    const outcome = await setDeploymentImages.execute(ctx, params, plan);
    expect(outcome.ok).toBe(true);
    const patched = h.kube.get('Deployment', 'harbor', 'harbor-core') as unknown as typeof untouched;
    expect(patched.spec.template.spec.containers[0]?.image).toBe('docker.io/goharbor/harbor-core:v2.10.3');
    expect(await setDeploymentImages.verify(ctx, params)).toEqual({
      ok: true,
      detail: expect.stringContaining('rollout complete'),
    });
  });

  it('refuses to plan or execute when the Deployment changed since the finding', async () => {
    const params = await circularFinding();
    const ctx = h.context();
    const plan = await setDeploymentImages.plan(ctx, params);
    const dep = h.kube.get('Deployment', 'harbor', 'harbor-core');
    if (dep) h.kube.put({ ...dep, metadata: { ...dep.metadata, labels: { ...dep.metadata.labels, touched: 'yes' } } });
    expect(await setDeploymentImages.execute(ctx, params, plan)).toEqual({
      ok: false,
      detail: expect.stringContaining('changed since the finding'),
    });
    expect((await setDeploymentImages.plan(ctx, params)).refuse).toContain('changed since the finding');
    expect(h.kube.requests.filter((r) => r.method === 'PATCH' && r.query.get('dryRun') !== 'All')).toEqual([]);
  });

  it('refuses, naming the RBAC verb and resource, when the bot may not patch Deployments', async () => {
    const params = await circularFinding();
    h.kube.state.forbidden = ['patch deployments'];
    const plan = await setDeploymentImages.plan(h.context(), params);
    expect(plan.refuse).toBe(
      'the API server refused patch deployments in harbor (403): grant the bot RBAC "patch deployments" (deploy/kubernetes/rbac-remediation.yaml)',
    );
  });
});

describe('set-statefulset-images', () => {
  type Sts = { spec: { template: { spec: { containers: { image: string }[] } } }; status: Record<string, unknown> };
  async function databaseFix() {
    loadScenario(h.kube, upgradeThroughOwnProxyCache(buildHarborRelease({ now })));
    const run = await h.run(imagePull);
    const fix = run.findings.find((f) => f.resource.name === 'harbor-database')?.remediations[0];
    expect(fix?.id).toBe('set-statefulset-images');
    return setStatefulSetImages.params.parse(fix?.params);
  }
  const writes = () =>
    h.kube.requests
      .filter((r) => r.method !== 'GET' && r.query.get('dryRun') !== 'All')
      .map((r) => `${r.method} ${r.path}`);

  it('proposes the mirror images and the replacement of the pod stuck on the old ones', async () => {
    const params = await databaseFix();
    const pod = h.kube.get('Pod', 'harbor', 'harbor-database-0');
    expect(params).toMatchObject({
      statefulset: 'harbor-database',
      images: { database: 'docker.io/goharbor/harbor-db:v2.10.3' },
      pods: [{ name: 'harbor-database-0', uid: pod?.metadata.uid }],
    });
  });

  it('plans a dry-run patch and deletion, patches, deletes the stuck pod once, and verifies the rollout', async () => {
    const params = await databaseFix();
    h.kube.requests.length = 0;
    const ctx = h.context();
    const plan = await setStatefulSetImages.plan(ctx, params);
    expect(plan.refuse).toBeUndefined();
    expect(plan.diff).toBe(
      [
        '- containers[database].image: harbor.example.com/dockerhub-proxy/goharbor/harbor-db:v2.10.3',
        '+ containers[database].image: docker.io/goharbor/harbor-db:v2.10.3',
        `- pod harbor/harbor-database-0 (uid ${params.pods[0]?.uid}, stuck pulling)`,
        '+ (deleted; StatefulSet harbor-database recreates it from the new template)',
      ].join('\n'),
    );
    expect(plan.requests).toContain(
      `DELETE /api/v1/namespaces/harbor/pods/harbor-database-0 (precondition uid ${params.pods[0]?.uid})`,
    );
    expect(
      h.kube.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.query.get('dryRun')}`),
    ).toEqual(['PATCH All', 'DELETE All']);
    expect(h.kube.get('Pod', 'harbor', 'harbor-database-0')).toBeDefined();

    const outcome = await setStatefulSetImages.execute(ctx, params, plan);
    expect(outcome).toEqual({
      ok: true,
      detail: expect.stringMatching(
        /^patched StatefulSet harbor\/harbor-database .*; deleted stuck pod harbor-database-0$/,
      ),
    });
    expect(writes()).toEqual([
      'PATCH /apis/apps/v1/namespaces/harbor/statefulsets/harbor-database',
      'DELETE /api/v1/namespaces/harbor/pods/harbor-database-0',
    ]);
    const sts = h.kube.get('StatefulSet', 'harbor', 'harbor-database') as unknown as Sts;
    expect(sts.spec.template.spec.containers[0]?.image).toBe('docker.io/goharbor/harbor-db:v2.10.3');
    expect(await setStatefulSetImages.verify(ctx, params)).toEqual({
      ok: true,
      detail: expect.stringContaining('rollout complete'),
    });
  });

  it('does not delete a pod that was replaced since the finding', async () => {
    const params = await databaseFix();
    const plan = await setStatefulSetImages.plan(h.context(), params);
    const pod = h.kube.get('Pod', 'harbor', 'harbor-database-0');
    if (pod) h.kube.put({ ...pod, metadata: { ...pod.metadata, uid: 'uid-replacement' } });
    h.kube.requests.length = 0;
    const outcome = await setStatefulSetImages.execute(h.context(), params, plan);
    expect(outcome).toEqual({ ok: true, detail: expect.not.stringContaining('deleted') });
    expect(writes()).toEqual(['PATCH /apis/apps/v1/namespaces/harbor/statefulsets/harbor-database']);
  });

  it('refuses, naming the RBAC verb and resource, when the bot may not delete the stuck pod', async () => {
    const params = await databaseFix();
    h.kube.state.forbidden = ['delete pods'];
    const plan = await setStatefulSetImages.plan(h.context(), params);
    expect(plan.refuse).toBe(
      'the API server refused delete pods in harbor (403): grant the bot RBAC "delete pods" (deploy/kubernetes/rbac-remediation.yaml)',
    );
    expect(await setStatefulSetImages.execute(h.context(), params, plan)).toEqual({
      ok: false,
      detail: expect.stringContaining('not run'),
    });
    expect(writes()).toEqual([]);
  });
});
