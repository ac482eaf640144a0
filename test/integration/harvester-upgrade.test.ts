import { describe, expect, it } from 'vitest';
import harvesterUpgrade from '../../jobs/harvester-upgrade.js';
import { deletePodRemediation } from '../../jobs/remediations/delete-pod.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { buildHarvesterUpgrade } from '../../src/sim/harvester-scenario.js';
import { useClusterHarness } from '../support/cluster-harness.js';

const now = new Date('2026-11-22T10:00:00Z');
const h = useClusterHarness({ now });
const ns = 'harvester-system';

describe('harvester-upgrade', () => {
  it('is silent on a cluster without Harvester', async () => {
    loadScenario(h.kube, buildHarborRelease({ now }));
    expect(await h.run(harvesterUpgrade)).toMatchObject({ status: 'ok', findings: [] });
    expect(h.kube.requests.map((r) => r.path)).toEqual([`/apis/harvesterhci.io/v1beta1/namespaces/${ns}/upgrades`]);
  });

  it('reports the missing Version and the upgrade pod stuck pulling, with node commands (seed 002)', async () => {
    loadScenario(h.kube, buildHarvesterUpgrade({ now }));
    const run = await h.run(harvesterUpgrade);
    expect(run.findings.map((f) => [f.cause, f.severity, f.resource.kind, f.resource.name])).toEqual([
      ['harvester-upgrade-image-pull', 'critical', 'Upgrade', 'hvst-upgrade-6hp8n'],
      ['harvester-version-missing', 'critical', 'Upgrade', 'hvst-upgrade-6hp8n'],
    ]);
    const [pull, version] = run.findings;
    expect(version?.evidence).toEqual([
      'Upgrade hvst-upgrade-6hp8n v1.4.2 → v1.5.0-rc4: LogReady=True, ImageReady=Unknown (downloading upgrade image), Completed=Unknown',
      `GET /apis/harvesterhci.io/v1beta1/namespaces/${ns}/versions/v1.5.0-rc4: 404 not found`,
      `command: kubectl get versions.harvesterhci.io -n ${ns}`,
      `command: curl -sfL https://releases.rancher.com/harvester/v1.5.0-rc4/version.yaml | kubectl apply -n ${ns} -f -`,
    ]);
    const ev = pull?.evidence.join('\n') ?? '';
    expect(ev).toContain(
      'pod hvst-upgrade-6hp8n-upgradelog-infra-fluentbit-6xk2p container fluent-bit: ImagePullBackOff pulling docker.io/fluent/fluent-bit:2.1.8 (rate-limited)',
    );
    expect(ev).toMatch(/event Warning Failed \(x12\): .*429 Too Many Requests/);
    for (const img of [
      'docker.io/fluent/fluent-bit:2.1.8',
      'ghcr.io/kube-logging/fluentd:v1.15-ruby3',
      'ghcr.io/kube-logging/config-reloader:v0.0.5',
    ]) {
      expect(ev).toContain(`node harvester-node-0 caches ${img}`);
      expect(ev).toContain(
        `command (on node harvester-node-0): sudo /var/lib/rancher/rke2/bin/crictl --runtime-endpoint unix:///run/k3s/containerd/containerd.sock rmi ${img}`,
      );
    }
    expect(ev).not.toContain('rancher/harvester:v1.4.2');
    expect(pull?.remediations).toEqual([
      expect.objectContaining({
        id: 'delete-pod',
        risk: 'low',
        params: expect.objectContaining({
          cluster: 'prod',
          namespace: ns,
          name: 'hvst-upgrade-6hp8n-upgradelog-infra-fluentbit-6xk2p',
        }),
      }),
    ]);
  });

  it('stays quiet about the Version once it exists, and entirely after a completed upgrade', async () => {
    loadScenario(h.kube, buildHarvesterUpgrade({ now, versionExists: true }));
    expect((await h.run(harvesterUpgrade)).findings.map((f) => f.cause)).toEqual(['harvester-upgrade-image-pull']);
    loadScenario(h.kube, buildHarvesterUpgrade({ now, completed: true }));
    expect((await h.run(harvesterUpgrade)).findings).toEqual([]);
  });

  it('names the RBAC verb and resource when upgrades may not be listed', async () => {
    loadScenario(h.kube, buildHarvesterUpgrade({ now }));
    h.kube.state.forbidden = ['list upgrades'];
    const f = (await h.run(harvesterUpgrade)).findings[0];
    expect(f).toMatchObject({ cause: 'permission-denied' });
    expect(f?.summary).toContain('list upgrades.harvesterhci.io in harvester-system');
  });
});

describe('delete-pod', () => {
  async function proposal() {
    loadScenario(h.kube, buildHarvesterUpgrade({ now, versionExists: true }));
    return deletePodRemediation.params.parse((await h.run(harvesterUpgrade)).findings[0]?.remediations[0]?.params);
  }

  it('dry-runs the delete, shows what goes, deletes with a uid precondition and verifies', async () => {
    const params = await proposal();
    const ctx = h.context();
    h.kube.requests.length = 0;
    const plan = await deletePodRemediation.plan(ctx, params);
    expect(plan.diff).toBe(
      `- pod ${ns}/${params.name} (uid ${params.uid}, Pending; fluent-bit ImagePullBackOff)\n+ (deleted; DaemonSet hvst-upgrade-6hp8n-upgradelog-infra-fluentbit creates a replacement)`,
    );
    const dry = h.kube.requests.find((r) => r.method === 'DELETE');
    expect(dry?.query.get('dryRun')).toBe('All');
    expect(JSON.parse(dry?.body ?? '{}')).toMatchObject({ preconditions: { uid: params.uid } });
    expect(h.kube.get('Pod', ns, params.name)).toBeDefined();
    expect(await deletePodRemediation.execute(ctx, params, plan)).toEqual({
      ok: true,
      detail: `deleted pod ${ns}/${params.name}`,
    });
    expect(h.kube.get('Pod', ns, params.name)).toBeUndefined();
    expect(await deletePodRemediation.verify(ctx, params)).toEqual({ ok: true, detail: `pod ${params.name} is gone` });
  });

  it('refuses a pod replaced since the finding', async () => {
    const params = await proposal();
    const ctx = h.context();
    const plan = await deletePodRemediation.plan(ctx, params);
    const pod = h.kube.get('Pod', ns, params.name);
    if (pod) h.kube.put({ ...pod, metadata: { ...pod.metadata, uid: 'uid-new' } });
    expect(await deletePodRemediation.execute(ctx, params, plan)).toEqual({
      ok: false,
      detail: expect.stringContaining('was replaced since the finding'),
    });
    expect((await deletePodRemediation.plan(ctx, params)).refuse).toContain('uid-new');
    expect(h.kube.get('Pod', ns, params.name)).toBeDefined();
  });

  it('refuses, naming the RBAC verb and resource, when the bot may not delete pods', async () => {
    const params = await proposal();
    h.kube.state.forbidden = ['delete pods'];
    expect((await deletePodRemediation.plan(h.context(), params)).refuse).toContain('grant the bot RBAC "delete pods"');
  });
});
