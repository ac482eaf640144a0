import type { V1Ingress } from '@kubernetes/client-node';
import type { FindingInput } from '../checks/define.js';
import { UpstreamError, errorMessage } from '../errors.js';
import type { HarborClient } from '../harbor/client.js';
import type { KubeClients } from '../kube/client.js';
import { deployedAndPrevious, manifestObjects, type HelmRelease, type ManifestObject } from '../kube/helm-release.js';
import { getViaServiceProxy } from '../kube/proxy.js';
import { backendServices, ingressDrift } from './ingress-baseline.js';

/** The Ingress of a revision's manifest, by name. */
export function baselineIngress(revision: HelmRelease | undefined, name: string): ManifestObject | undefined {
  return revision
    ? manifestObjects(revision.manifest).find((o) => o.kind === 'Ingress' && o.metadata?.name === name)
    : undefined;
}

/** Drift of a live Ingress from the deployed revision, with the previous revision as a second opinion. */
export function driftFinding(
  live: V1Ingress,
  revisions: readonly HelmRelease[],
  namespace: string,
): { finding: FindingInput; revision: number } | undefined {
  const name = live.metadata?.name ?? '';
  const { deployed, previous } = deployedAndPrevious(revisions);
  const base = baselineIngress(deployed, name);
  if (!deployed || !base) return undefined;
  const diff = ingressDrift(base, live);
  if (!diff) return undefined;
  const prev = baselineIngress(previous, name);
  const lines = diff.split('\n');
  const evidence = [
    `live Ingress ${name} (resourceVersion ${live.metadata?.resourceVersion}) differs from Helm release ` +
      `${deployed.name} revision ${deployed.version} ` +
      `(${deployed.info.status}${deployed.info.last_deployed ? `, ${deployed.info.last_deployed}` : ''}):`,
    ...lines.slice(0, 16).map((l) => `  ${l}`),
    ...(lines.length > 16 ? [`  … ${lines.length - 16} more changed lines`] : []),
  ];
  if (previous)
    evidence.push(
      prev && !ingressDrift(prev, live)
        ? `the live Ingress matches the previous revision ${previous.version}: the upgrade's change to it was ` +
            `undone by hand`
        : `it differs from the previous revision ${previous.version} as well: edited outside Helm`,
    );
  return {
    revision: deployed.version,
    finding: {
      cause: 'ingress-drift',
      title:
        `Ingress ${name} was changed outside Helm (${lines.filter((l) => l.startsWith('+')).length} changed ` +
        `settings)`,
      summary:
        `Its annotations, class, hosts or backends no longer match what revision ${deployed.version} of ` +
        `the release deployed, which can stop traffic reaching Harbor even while every pod runs. Restore it from ` +
        `the release (shown as a diff), or put the change into the chart values.`,
      resource: { kind: 'Ingress', name, namespace },
      evidence,
    },
  };
}

/** Backend Services of an Ingress without a ready endpoint. */
export async function endpointFindings(kube: KubeClients, live: V1Ingress): Promise<FindingInput[]> {
  const out: FindingInput[] = [];
  for (const svc of backendServices(live)) {
    let ready = 0;
    let detail: string;
    try {
      const ep = await kube.call({ verb: 'get', resource: 'endpoints', namespace: kube.namespace }, () =>
        kube.core.readNamespacedEndpoints({ name: svc, namespace: kube.namespace }),
      );
      const subsets = ep.subsets ?? [];
      ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
      const notReady = subsets.flatMap((s) => s.notReadyAddresses ?? []).map((a) => a.targetRef?.name ?? a.ip);
      detail =
        `Endpoints ${svc}: ${ready} ready, ${notReady.length} not ` +
        `ready${notReady.length ? ` (${notReady.slice(0, 5).join(', ')})` : ''}`;
    } catch (err) {
      if (!(err instanceof UpstreamError) || err.status !== 404) throw err;
      detail = `Endpoints ${svc}: none (the Service does not exist or selects nothing)`;
    }
    if (ready > 0) continue;
    out.push({
      cause: 'ingress-no-endpoints',
      title: `Ingress ${live.metadata?.name} routes to Service ${svc}, which has no ready endpoints`,
      summary:
        `Requests the Ingress sends to ${svc} fail (503 from the ingress controller) because no pod ` +
        `behind it is ready. Look at the pods of ${svc} (pod-health, image-pull).`,
      resource: { kind: 'Service', name: svc, namespace: kube.namespace },
      evidence: [detail, `Ingress ${live.metadata?.name} sends ${backendPaths(live, svc).join(', ')} to ${svc}`],
    });
  }
  return out;
}

function backendPaths(ing: V1Ingress, svc: string): string[] {
  return (ing.spec?.rules ?? []).flatMap((r) =>
    (r.http?.paths ?? []).filter((p) => p.backend.service?.name === svc).map((p) => `${r.host ?? '*'}${p.path ?? '/'}`),
  );
}

/** External URL failing while core answers through the Kubernetes service proxy. */
export async function externalFinding(
  kube: KubeClients,
  harbor: HarborClient,
  coreService: { name: string; port: string | number },
  signal: AbortSignal,
): Promise<FindingInput | undefined> {
  let external: string | undefined;
  try {
    if (await harbor.ping(AbortSignal.any([signal, AbortSignal.timeout(5000)]))) return undefined;
    external = 'answered, but not 200';
  } catch (err) {
    external = errorMessage(err).slice(0, 200);
  }
  let internal: unknown;
  try {
    internal = await getViaServiceProxy(kube, kube.namespace, coreService.name, coreService.port, '/api/v2.0/ping');
  } catch {
    return undefined; // core itself does not answer: pod-health and harbor-health say why
  }
  if (typeof internal !== 'string' || !internal.includes('Pong')) return undefined;
  return {
    cause: 'external-unreachable',
    title: `Harbor's external URL fails while core answers inside the cluster`,
    summary:
      `${harbor.baseUrl}/api/v2.0/ping fails but core answers through its Service, so the break is ` +
      `between users and the Service: the Ingress (annotations, class, backends), the ingress controller, DNS or ` +
      `a load balancer.`,
    resource: { kind: 'Service', name: coreService.name, namespace: kube.namespace },
    evidence: [
      `GET ${harbor.baseUrl}/api/v2.0/ping: ${external}`,
      `GET /api/v1/namespaces/${kube.namespace}/services/${coreService.name}:${coreService.port}` +
        `/proxy/api/v2.0/ping: ${String(internal).trim().slice(0, 40)}`,
    ],
  };
}
