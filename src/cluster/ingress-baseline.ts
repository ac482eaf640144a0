import type { V1Ingress } from '@kubernetes/client-node';
import type { ManifestObject } from '../kube/helm-release.js';
import { diffObjects } from './diff.js';

/** Annotations Helm and kubectl add to live objects; they are not drift. */
export function ignoredAnnotation(key: string): boolean {
  return key.startsWith('meta.helm.sh/') || key === 'kubectl.kubernetes.io/last-applied-configuration';
}

type IngressLike = (Pick<V1Ingress, 'spec'> & { metadata?: { annotations?: Record<string, string> } }) | ManifestObject;

interface Rule {
  host?: string;
  http?: {
    paths?: { path?: string; backend?: { service?: { name?: string; port?: { number?: number; name?: string } } } }[];
  };
}

/** What matters of an Ingress for routing: annotations, class, hosts, TLS and each path's backend. */
export function ingressView(ing: IngressLike) {
  const spec = (ing.spec ?? {}) as {
    ingressClassName?: string;
    rules?: Rule[];
    tls?: { hosts?: string[]; secretName?: string }[];
  };
  const annotations = Object.fromEntries(
    Object.entries(ing.metadata?.annotations ?? {}).filter(
      ([k]) => !ignoredAnnotation(k) && k !== 'kubernetes.io/ingress.class',
    ),
  );
  const backends: Record<string, string> = {};
  for (const rule of spec.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      const svc = p.backend?.service;
      backends[`${rule.host ?? '*'}${p.path ?? '/'}`] = svc
        ? `${svc.name}:${svc.port?.number ?? svc.port?.name ?? '?'}`
        : '(non-service backend)';
    }
  }
  return {
    annotations,
    class: spec.ingressClassName ?? ing.metadata?.annotations?.['kubernetes.io/ingress.class'] ?? '(default)',
    hosts: [...new Set((spec.rules ?? []).map((r) => r.host ?? '*'))].sort(),
    tls: (spec.tls ?? []).map((t) => `${t.secretName ?? '(none)'} for ${(t.hosts ?? []).join(',')}`).sort(),
    backends,
  };
}

/** Backend Service names an Ingress routes to. */
export function backendServices(ing: IngressLike): string[] {
  return [
    ...new Set(
      Object.values(ingressView(ing).backends)
        .map((b) => b.replace(/:[^:]*$/, ''))
        .filter((n) => !n.startsWith('(')),
    ),
  ];
}

/** The readable drift of a live Ingress from a baseline (empty when it matches). */
export function ingressDrift(baseline: IngressLike, live: IngressLike): string {
  return diffObjects(ingressView(baseline), ingressView(live));
}

/**
 * The strategic merge patch that puts a live Ingress back to the baseline: the baseline's
 * annotations, live-only annotations removed (null), and the routing spec replaced.
 */
export function restorePatch(baseline: ManifestObject, live: V1Ingress): Record<string, unknown> {
  const want = baseline.metadata?.annotations ?? {};
  const annotations: Record<string, string | null> = { ...want };
  for (const k of Object.keys(live.metadata?.annotations ?? {}))
    if (!(k in want) && !ignoredAnnotation(k)) annotations[k] = null;
  const spec = (baseline.spec ?? {}) as Record<string, unknown>;
  return {
    metadata: { annotations },
    spec: {
      ingressClassName: spec.ingressClassName ?? null,
      rules: spec.rules ?? null,
      tls: spec.tls ?? null,
      defaultBackend: spec.defaultBackend ?? null,
    },
  };
}
