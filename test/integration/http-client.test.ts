import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { createHttp } from '../../src/http.js';
import { startHttpSim, type HttpSim } from '../../src/sim/http-sim.js';

let sim: HttpSim;
let storage: HttpSim;
beforeAll(async () => {
  sim = await startHttpSim();
  storage = await startHttpSim();
  storage.route('GET', /^\/bucket\/blob$/, () => ({
    status: 206,
    body: 'x',
    headers: { 'content-range': 'bytes 0-0/1000' },
  }));
  sim.route('GET', /^\/v2\/blob$/, () => ({ status: 307, headers: { location: `${storage.url}/bucket/blob` } }));
  sim.route('GET', /^\/plain-error$/, () => ({ status: 502 }));
  sim.route('HEAD', /^\/head$/, () => ({ status: 200, headers: { 'docker-content-digest': 'sha256:abc' } }));
});
afterAll(async () => {
  await Promise.all([sim.close(), storage.close()]);
});

describe('the HTTP client', () => {
  it('follows a redirect to storage, as a registry on S3 answers blob GETs', async () => {
    const http = createHttp({ service: 'registry', baseUrl: sim.url, timeoutMs: 1000 });
    const res = await http.request({ path: '/v2/blob', headers: { range: 'bytes=0-0' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 0-0/1000');
    expect(storage.requests.map((r) => r.headers.range)).toEqual(['bytes=0-0']);
  });

  it('names the status of an error answer without a body, after bounded retries', async () => {
    const http = createHttp({ service: 'harbor', baseUrl: sim.url, timeoutMs: 1000, retries: 1, retryBaseMs: 1 });
    const err = (await http.request({ path: '/plain-error' }).catch((e: unknown) => e)) as UpstreamError;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toBe('harbor GET /plain-error: 502 Bad Gateway');
    expect(sim.requests.filter((r) => r.path === '/plain-error')).toHaveLength(2);
  });

  it('reads HEAD answers and keeps using its connections', async () => {
    const http = createHttp({ service: 'registry', baseUrl: sim.url, timeoutMs: 1000 });
    for (let i = 0; i < 20; i++) {
      const res = await http.request({ method: 'HEAD', path: '/head' });
      expect(res.headers.get('docker-content-digest')).toBe('sha256:abc');
    }
  });
});
