import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../jobs/tls-certificates.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import type { HarborSim } from '../../src/sim/harbor-sim.js';
import { addUnusedTlsSecret, replaceIngressCertificate } from '../../src/sim/ingress-tls.js';
import { createTestCertificate } from '../../src/sim/test-certificate.js';
import { useClusterHarness } from '../support/cluster-harness.js';
import { harborDeps, runOn } from '../support/harbor-context.js';

const now = new Date();
const day = 24 * 3600_000;
const h = useClusterHarness({ now });

describe('tls-certificates on a cluster (the Harbor Ingress TLS Secret)', () => {
  it('finds nothing with a valid certificate, and ignores a TLS Secret the Harbor Ingress does not use', async () => {
    loadScenario(h.kube, addUnusedTlsSecret(buildHarborRelease({ now }), 'old-wildcard-tls', { expiresInDays: -30 }));
    const run = await h.run(check);
    expect(run).toMatchObject({ status: 'ok', findings: [] });
    const reads = h.kube.requests.filter((r) => r.path.includes('/secrets/')).map((r) => r.path);
    expect(reads).toEqual(['/api/v1/namespaces/harbor/secrets/harbor-ingress']);
  });

  it('reports a certificate expiring within 14 days, with subject, names and dates but no PEM or key', async () => {
    loadScenario(h.kube, replaceIngressCertificate(buildHarborRelease({ now }), { expiresInDays: 5 }));
    const run = await h.run(check);
    expect(run.findings).toHaveLength(1);
    const [f] = run.findings;
    expect(f).toMatchObject({
      cause: 'certificate-expiring',
      severity: 'warning',
      resource: { kind: 'Secret', name: 'harbor-ingress', namespace: 'harbor' },
    });
    expect(f?.title).toMatch(/^The certificate in TLS Secret harbor-ingress expires in (4d23h|5d)$/);
    expect(f?.evidence).toEqual([
      'Secret harbor/harbor-ingress (tls.crt), served by Ingress harbor-ingress for harbor.example.com',
      'subject CN=harbor.example.com; names DNS:harbor.example.com',
      expect.stringMatching(/^valid from \S+ to \S+$/),
    ]);
    expect(JSON.stringify(run.findings)).not.toMatch(/BEGIN|PRIVATE|LS0t/);
  });

  it('reports an expired certificate as critical and a host it does not cover', async () => {
    loadScenario(
      h.kube,
      replaceIngressCertificate(buildHarborRelease({ now }), { expiresInDays: -2, dnsNames: ['registry.example.com'] }),
    );
    const run = await h.run(check);
    expect(run.findings.map((f) => [f.cause, f.severity])).toEqual([
      ['certificate-expired', 'critical'],
      ['certificate-name-mismatch', 'critical'],
    ]);
    expect(run.findings[1]?.title).toBe(
      'The certificate in TLS Secret harbor-ingress does not cover harbor.example.com',
    );
  });
});

describe('tls-certificates on a Harbor (the certificate its URL presents)', () => {
  let server: Server;
  let port = 0;
  let cert = createTestCertificate({
    commonName: 'localhost',
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + 90 * day),
  });
  beforeAll(async () => {
    server = createServer({ key: cert.key, cert: cert.cert }, (s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const serve = (c: typeof cert) => {
    cert = c;
    server.setSecureContext({ key: c.key, cert: c.cert });
  };
  const deps = () => harborDeps({ url: `https://localhost:${port}` } as HarborSim, { now });

  it('finds nothing when the presented certificate is valid and covers the host', async () => {
    expect(await runOn(check, deps())).toMatchObject({ status: 'ok', findings: [] });
  });

  it('reports an expired presented certificate and one for another name', async () => {
    serve(
      createTestCertificate({
        commonName: 'harbor.other.example',
        notBefore: new Date(now.getTime() - 100 * day),
        notAfter: new Date(now.getTime() - day),
      }),
    );
    const run = await runOn(check, deps());
    expect(run.findings.map((f) => [f.cause, f.resource])).toEqual([
      ['certificate-expired', { kind: 'HarborURL', name: `https://localhost:${port}`, namespace: null }],
      ['certificate-name-mismatch', { kind: 'HarborURL', name: `https://localhost:${port}`, namespace: null }],
    ]);
    expect(run.findings[1]?.evidence[1]).toBe('subject CN=harbor.other.example; names DNS:harbor.other.example');
  });
});
