import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClients } from '../../src/kube/client.js';
import { loadKubernetesClient } from '../../src/kube/k8s.js';
import { UpstreamError } from '../../src/errors.js';
import { startKubeSim, type KubeSim } from '../../src/sim/kube-sim.js';
import { tempFiles } from '../support/helpers.js';

let a: KubeSim;
let b: KubeSim;
beforeAll(async () => {
  await loadKubernetesClient(); // what a worker does before it uses a cluster
  a = await startKubeSim();
  b = await startKubeSim();
  for (const [sim, name] of [
    [a, 'core-a'],
    [b, 'core-b'],
  ] as const) {
    sim.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'harbor', labels: { app: 'harbor', release: 'harbor', component: 'core' } },
      spec: { containers: [] },
    });
  }
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

/** One kubeconfig file with a context per simulated cluster, as operators have. */
function twoContexts(): string {
  const ka = a.kubeconfig('alpha');
  const kb = b.kubeconfig('beta');
  const pick = (k: string, key: string) => new RegExp(`${key}:\\n([\\s\\S]*?)\\n(?=[a-z-]+:)`).exec(k)?.[1] ?? '';
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters:\n${pick(ka, 'clusters')}\n${pick(kb, 'clusters')}`,
    `users:\n${pick(ka, 'users')}\n${pick(kb, 'users')}`,
    `contexts:\n${pick(ka, 'contexts')}\n${pick(kb, 'contexts')}`,
    'current-context: alpha',
    '',
  ].join('\n');
}

describe('Kubernetes client factory', () => {
  it('uses the kubeconfig file and the named context', async () => {
    const file = tempFiles({ kubeconfig: twoContexts() }).kubeconfig as string;
    for (const [context, pod] of [
      ['alpha', 'core-a'],
      ['beta', 'core-b'],
      [undefined, 'core-a'],
    ] as const) {
      const k = createKubeClients({ kubeconfig: file, context, namespace: 'harbor', release: 'harbor' });
      const pods = await k.call({ verb: 'list', resource: 'pods', namespace: 'harbor' }, () =>
        k.core.listNamespacedPod({ namespace: 'harbor', labelSelector: k.releaseSelector }),
      );
      expect(pods.items.map((p) => p.metadata?.name)).toEqual([pod]);
    }
  });

  it('names a context that does not exist', () => {
    const file = tempFiles({ kubeconfig: twoContexts() }).kubeconfig as string;
    expect(() =>
      createKubeClients({ kubeconfig: file, context: 'gamma', namespace: 'harbor', release: 'harbor' }),
    ).toThrow('context "gamma" is not in');
  });

  it('falls back to the in-cluster service account, and says so when there is none', () => {
    expect(process.env.KUBERNETES_SERVICE_HOST).toBeUndefined();
    expect(() => createKubeClients({ namespace: 'harbor', release: 'harbor' })).toThrow('not running in a cluster');
  });

  it('maps API errors and timeouts to UpstreamError with verb and resource', async () => {
    const file = tempFiles({ kubeconfig: a.kubeconfig() }).kubeconfig as string;
    const k = createKubeClients({ kubeconfig: file, namespace: 'harbor', release: 'harbor', timeoutMs: 200 });
    a.state.forbidden = ['list pods'];
    const denied = await k
      .call({ verb: 'list', resource: 'pods', namespace: 'harbor' }, () =>
        k.core.listNamespacedPod({ namespace: 'harbor' }),
      )
      .catch((e: unknown) => e);
    a.state.forbidden = [];
    expect(denied).toBeInstanceOf(UpstreamError);
    expect(denied).toMatchObject({ status: 403, method: 'list', path: 'pods in harbor' });
    expect((denied as UpstreamError).detail).toContain('cannot list resource "pods"');
    a.fault({ path: /pods/, delayMs: 1000, times: 1 });
    const slow = await k
      .call({ verb: 'list', resource: 'pods', namespace: 'harbor' }, () =>
        k.core.listNamespacedPod({ namespace: 'harbor' }),
      )
      .catch((e: unknown) => e);
    expect(slow).toMatchObject({ status: null, detail: 'no answer within 200 ms' });
  });
});
