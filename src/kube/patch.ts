import * as k8s from '@kubernetes/client-node';
import type { KubeClients } from './client.js';

/** Every write the bot makes carries this field manager, so `managedFields` shows who changed what. */
export const fieldManager = 'harbor-pilot';

const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

export interface PatchRequest {
  namespace: string;
  name: string;
  /** A strategic merge patch; include `metadata.resourceVersion` to fail (409) on a changed object. */
  body: object;
  dryRun: boolean;
}

/** Strategic merge patch of a Deployment (`patch deployments`). */
export function patchDeployment(kube: KubeClients, req: PatchRequest): Promise<k8s.V1Deployment> {
  return kube.call({ verb: 'patch', resource: 'deployments', namespace: req.namespace }, () =>
    kube.apps.patchNamespacedDeployment(
      { name: req.name, namespace: req.namespace, body: req.body, fieldManager, dryRun: req.dryRun ? 'All' : undefined },
      strategic,
    ),
  );
}

/** Strategic merge patch of an Ingress (`patch ingresses`). */
export function patchIngress(kube: KubeClients, req: PatchRequest): Promise<k8s.V1Ingress> {
  return kube.call({ verb: 'patch', resource: 'ingresses', namespace: req.namespace }, () =>
    kube.networking.patchNamespacedIngress(
      { name: req.name, namespace: req.namespace, body: req.body, fieldManager, dryRun: req.dryRun ? 'All' : undefined },
      strategic,
    ),
  );
}

export function readDeployment(kube: KubeClients, namespace: string, name: string): Promise<k8s.V1Deployment> {
  return kube.call({ verb: 'get', resource: 'deployments', namespace }, () => kube.apps.readNamespacedDeployment({ name, namespace }));
}

/** A Deployment has rolled out when the controller saw its last change and every replica is updated and ready. */
export function rolloutStatus(dep: k8s.V1Deployment): { done: boolean; detail: string } {
  const want = dep.spec?.replicas ?? 1;
  const s = dep.status ?? {};
  const observed = (s.observedGeneration ?? 0) >= (dep.metadata?.generation ?? 0);
  const updated = s.updatedReplicas ?? 0;
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const done = observed && updated >= want && ready >= want && available >= want && (s.replicas ?? 0) <= want;
  return { done, detail: `${updated}/${want} updated, ${ready}/${want} ready${observed ? '' : ', change not yet observed'}` };
}

/** What a remediation plan answers when the object moved on since the finding. */
export function changedSince(kind: string, name: string, expected: string, actual: string | undefined): string | undefined {
  if (actual === expected) return undefined;
  return `${kind} ${name} changed since the finding (resourceVersion ${expected} → ${actual ?? 'deleted'}); re-run the check and decide on the fresh finding`;
}
