import type { X509Certificate } from 'node:crypto';
import type { V1Ingress, V1Secret } from '@kubernetes/client-node';
import type { HarborConfig } from '../config.js';
import { UpstreamError } from '../errors.js';
import type { Resource } from '../findings/finding.js';
import type { KubeClients } from '../kube/client.js';
import { parseLeafCertificate } from './certificate-view.js';
import { presentedCertificate } from './presented-certificate.js';

/** A certificate the bot read, where it came from, and the names clients use it for. */
export interface ObservedCertificate {
  resource: Resource;
  /** One line for evidence: where the certificate was read and who serves it. */
  where: string;
  hosts: string[];
  /** Null when there is nothing to parse; `problem` says why. */
  cert: X509Certificate | null;
  problem?: string;
}

async function readSecret(kube: KubeClients, name: string): Promise<V1Secret | null> {
  try {
    return await kube.call({ verb: 'get', resource: 'secrets', namespace: kube.namespace }, () =>
      kube.core.readNamespacedSecret({ name, namespace: kube.namespace }),
    );
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 404) return null;
    throw err;
  }
}

function fromSecret(secret: V1Secret | null): Pick<ObservedCertificate, 'cert' | 'problem'> {
  if (!secret) return { cert: null, problem: 'the Secret does not exist' };
  const crt = secret.data?.['tls.crt'];
  if (!crt) return { cert: null, problem: 'the Secret has no tls.crt' };
  const cert = parseLeafCertificate(Buffer.from(crt, 'base64').toString('utf8'));
  return cert ? { cert } : { cert: null, problem: 'tls.crt holds no certificate that parses' };
}

/** The TLS Secrets the Harbor release's Ingresses reference, each read once and parsed (only `tls.crt`). */
export async function ingressCertificates(kube: KubeClients): Promise<ObservedCertificate[]> {
  const list = await kube.call({ verb: 'list', resource: 'ingresses', namespace: kube.namespace }, () =>
    kube.networking.listNamespacedIngress({ namespace: kube.namespace, labelSelector: kube.releaseSelector }),
  );
  const uses = new Map<string, { ingresses: Set<string>; hosts: Set<string> }>();
  for (const ingress of list.items as V1Ingress[]) {
    const ruleHosts = (ingress.spec?.rules ?? []).flatMap((r) => (r.host ? [r.host] : []));
    for (const tls of ingress.spec?.tls ?? []) {
      if (!tls.secretName) continue;
      const use = uses.get(tls.secretName) ?? { ingresses: new Set<string>(), hosts: new Set<string>() };
      use.ingresses.add(ingress.metadata?.name ?? '');
      for (const h of tls.hosts?.length ? tls.hosts : ruleHosts) use.hosts.add(h);
      uses.set(tls.secretName, use);
    }
  }
  const out: ObservedCertificate[] = [];
  for (const [name, use] of uses) {
    const hosts = [...use.hosts];
    out.push({
      resource: { kind: 'Secret', name, namespace: kube.namespace },
      where:
        `Secret ${kube.namespace}/${name} (tls.crt), served by Ingress ${[...use.ingresses].join(', ')} ` +
        `for ${hosts.join(', ') || 'every host'}`,
      hosts,
      ...fromSecret(await readSecret(kube, name)),
    });
  }
  return out;
}

/** The certificate the Harbor's external URL presents, or null when the URL is plain http. */
export async function urlCertificate(harbor: HarborConfig, signal?: AbortSignal): Promise<ObservedCertificate | null> {
  const url = new URL(harbor.url);
  if (url.protocol !== 'https:') return null;
  const cert = await presentedCertificate(url, harbor.timeoutMs ?? 10_000, signal);
  return {
    resource: { kind: 'HarborURL', name: url.origin, namespace: null },
    where: `the certificate ${url.host} presents in a TLS handshake`,
    hosts: [url.hostname.replace(/^\[|\]$/g, '')],
    cert,
  };
}
