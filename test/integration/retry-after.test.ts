import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { createHttp } from '../../src/http.js';
import { createKubeClients } from '../../src/kube/client.js';
import { loadKubernetesClient } from '../../src/kube/k8s.js';
import { parseRetryAfter, retryDelayMs } from '../../src/retry-delay.js';
import { startHttpSim, type HttpSim } from '../../src/sim/http-sim.js';
import { startKubeSim, type KubeSim } from '../../src/sim/kube-sim.js';
import { tempFiles } from '../support/helpers.js';

describe('retry delays', () => {
  it('back off exponentially with jitter: between half and all of base × 2^(attempt−1)', () => {
    expect(retryDelayMs({ attempt: 1, baseMs: 200, random: () => 0 })).toBe(100);
    expect(retryDelayMs({ attempt: 1, baseMs: 200, random: () => 1 })).toBe(200);
    expect(retryDelayMs({ attempt: 3, baseMs: 200, random: () => 0.5 })).toBe(600);
    const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs({ attempt: 2, baseMs: 200 })));
    expect(spread.size).toBeGreaterThan(40); // concurrent retries do not arrive in lockstep
  });

  it('obey Retry-After up to the cap, and give up on a longer one', () => {
    expect(retryDelayMs({ attempt: 1, baseMs: 200, retryAfterMs: 1000 })).toBe(1000);
    expect(retryDelayMs({ attempt: 1, baseMs: 200, retryAfterMs: 60_000 })).toBeUndefined();
  });

  it('read Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-05T10:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Sat, 05 Dec 2026 10:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('the Harbor HTTP client and Retry-After', () => {
  let sim: HttpSim;
  beforeAll(async () => {
    sim = await startHttpSim();
    sim.route('GET', /^\/api\/v2.0\/projects$/, () => ({ body: [] }));
  });
  afterAll(() => sim.close());

  it('waits as long as a 429 asks before the retry', async () => {
    sim.requests.length = 0;
    sim.fault({ path: /projects/, status: 429, headers: { 'retry-after': '1' }, times: 1 });
    const http = createHttp({ service: 'harbor', baseUrl: sim.url, timeoutMs: 2000, retryBaseMs: 1 });
    const res = await http.request({ path: '/api/v2.0/projects' });
    expect(res.status).toBe(200);
    const [first, second] = sim.requests;
    expect(sim.requests).toHaveLength(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('does not retry a 503 that asks for longer than a check can wait, and says so', async () => {
    sim.requests.length = 0;
    sim.fault({ path: /projects/, status: 503, headers: { 'retry-after': '120' }, times: 1 });
    const http = createHttp({ service: 'harbor', baseUrl: sim.url, timeoutMs: 2000, retryBaseMs: 1 });
    const err = (await http.request({ path: '/api/v2.0/projects' }).catch((e: unknown) => e)) as UpstreamError;
    expect(err).toBeInstanceOf(UpstreamError);
    expect([err.status, err.retryAfterMs]).toEqual([503, 120_000]);
    expect(sim.requests).toHaveLength(1);
    sim.clearFaults();
  });
});

describe('the Kubernetes client and Retry-After', () => {
  let kube: KubeSim;
  beforeAll(async () => {
    kube = await startKubeSim();
    await loadKubernetesClient();
  });
  afterAll(() => kube.close());

  it('retries a throttled list once, after the Retry-After the API server sent', async () => {
    const file = tempFiles({ kubeconfig: kube.kubeconfig() }).kubeconfig as string;
    const k = createKubeClients({ kubeconfig: file, namespace: 'harbor', release: 'harbor', timeoutMs: 2000 });
    kube.requests.length = 0;
    kube.fault({
      path: /\/pods/,
      status: 429,
      headers: { 'retry-after': '1' },
      body: { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'Too many requests' },
      times: 1,
    });
    const pods = await k.call({ verb: 'list', resource: 'pods', namespace: 'harbor' }, () =>
      k.core.listNamespacedPod({ namespace: 'harbor' }),
    );
    expect(pods.items).toEqual([]);
    const calls = kube.requests.filter((r) => r.path.endsWith('/pods'));
    expect(calls).toHaveLength(2);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('does not retry a write', async () => {
    const file = tempFiles({ kubeconfig: kube.kubeconfig() }).kubeconfig as string;
    const k = createKubeClients({ kubeconfig: file, namespace: 'harbor', release: 'harbor', timeoutMs: 2000 });
    kube.requests.length = 0;
    kube.fault({ path: /\/pods\/x$/, status: 503, body: { kind: 'Status', code: 503, message: 'busy' }, times: 1 });
    const err = await k
      .call({ verb: 'delete', resource: 'pods', namespace: 'harbor' }, () =>
        k.core.deleteNamespacedPod({ namespace: 'harbor', name: 'x' }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(503);
    expect(kube.requests.filter((r) => r.path.endsWith('/pods/x'))).toHaveLength(1);
    kube.clearFaults();
  });
});
