import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { hoursAgo, releaseLabels, type HarborRelease } from './harbor-chart.js';
import type { KubeObject } from './kube-sim.js';
import { createTestCertificate } from './test-certificate.js';

const day = 24 * 3600_000;
let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

export interface IngressCertificateOptions {
  /** Days from the release's `now` to the certificate's notAfter; negative: expired. */
  expiresInDays: number;
  /** DNS names; default the release's host. */
  dnsNames?: string[];
}

/** A `kubernetes.io/tls` Secret holding a self-signed certificate (one key pair per process). */
export function tlsSecret(r: HarborRelease, name: string, o: IngressCertificateOptions): KubeObject {
  keys ??= generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = r.options.now.getTime();
  const { cert, key } = createTestCertificate({
    commonName: o.dnsNames?.[0] ?? r.options.host,
    dnsNames: o.dnsNames ?? [r.options.host],
    notBefore: new Date(now + o.expiresInDays * day - 90 * day),
    notAfter: new Date(now + o.expiresInDays * day),
    ...keys,
  });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name,
      namespace: r.options.namespace,
      labels: releaseLabels(r.options),
      creationTimestamp: hoursAgo(r.options.now, 24 * 30),
    },
    data: { 'tls.crt': b64(cert), 'tls.key': b64(key) },
  };
}

/** The name of the TLS Secret the chart's Ingress references (expose.tls.certSource=auto). */
export const ingressTlsSecretName = (r: HarborRelease) => `${r.fullname}-ingress`;

/** Replaces the certificate of the Ingress's TLS Secret. */
export function replaceIngressCertificate(r: HarborRelease, o: IngressCertificateOptions): HarborRelease {
  const name = ingressTlsSecretName(r);
  const at = r.objects.findIndex((x) => x.kind === 'Secret' && x.metadata.name === name);
  r.objects.splice(at < 0 ? r.objects.length : at, at < 0 ? 0 : 1, tlsSecret(r, name, o));
  return r;
}

/** A TLS Secret nothing references (a leftover of an old install): it must not be reported. */
export function addUnusedTlsSecret(r: HarborRelease, name: string, o: IngressCertificateOptions): HarborRelease {
  r.objects.push(tlsSecret(r, name, o));
  return r;
}
