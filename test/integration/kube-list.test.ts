import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { createKubeClients } from '../../src/kube/client.js';
import { loadKubernetesClient } from '../../src/kube/k8s.js';
import { listAllPods } from '../../src/kube/release.js';
import { startKubeSim, type KubeSim } from '../../src/sim/kube-sim.js';
import { tempFiles } from '../support/helpers.js';

let kube: KubeSim;
let clients: ReturnType<typeof createKubeClients>;
beforeAll(async () => {
  await loadKubernetesClient(); // what a worker does before it uses a cluster
  kube = await startKubeSim();
  for (let i = 0; i < 1234; i++)
    kube.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p-${i}`, namespace: `ns-${i % 7}` },
      spec: { containers: [] },
    });
  clients = createKubeClients({
    kubeconfig: tempFiles({ k: kube.kubeconfig() }).k as string,
    namespace: 'harbor',
    release: 'harbor',
  });
});
afterAll(() => kube.close());

const listRequests = () => kube.requests.filter((r) => r.path === '/api/v1/pods');

describe('listing every pod of a large cluster', () => {
  it('pages with limit and continue instead of one huge answer', async () => {
    kube.requests.length = 0;
    const pods = await listAllPods(clients);
    expect(pods).toHaveLength(1234);
    expect(new Set(pods.map((p) => p.metadata?.name)).size).toBe(1234);
    expect(listRequests().map((r) => r.query.get('limit'))).toEqual(['500', '500', '500']);
  });

  it('restarts once when a continue token expires (410), and reports a second expiry', async () => {
    kube.requests.length = 0;
    kube.fault({
      path: /^\/api\/v1\/pods$/,
      query: /continue=/,
      status: 410,
      body: { kind: 'Status', code: 410, reason: 'Expired', message: 'The provided continue parameter is too old' },
      times: 1,
    });
    expect(await listAllPods(clients)).toHaveLength(1234);
    expect(listRequests()).toHaveLength(5);
    kube.fault({
      path: /^\/api\/v1\/pods$/,
      query: /continue=/,
      status: 410,
      body: { kind: 'Status', code: 410, reason: 'Expired', message: 'The provided continue parameter is too old' },
      times: 2,
    });
    const err = await listAllPods(clients).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).detail).toContain('too old');
  });
});
