import type * as K8s from '@kubernetes/client-node';
import { UpstreamError } from '../errors.js';
import { k8s } from './k8s.js';
import type { KubeClients } from './client.js';

/** Every write the bot makes carries this field manager, so `managedFields` shows who changed what. */
export const fieldManager = 'harbor-pilot';

/** Strategic merge patch needs its content type set explicitly; the client's default is JSON patch. */
function strategic() {
  const m = k8s();
  return m.setHeaderOptions('Content-Type', m.PatchStrategy.StrategicMergePatch);
}

export interface PatchRequest {
  namespace: string;
  name: string;
  /** A strategic merge patch; include `metadata.resourceVersion` to fail (409) on a changed object. */
  body: object;
  dryRun: boolean;
}

/** The arguments every patch call shares: the object, the bot's field manager, the server-side dry run. */
function patchArguments(req: PatchRequest) {
  return {
    name: req.name,
    namespace: req.namespace,
    body: req.body,
    fieldManager,
    dryRun: req.dryRun ? 'All' : undefined,
  };
}

/** Strategic merge patch of a Deployment (`patch deployments`). */
export function patchDeployment(kube: KubeClients, req: PatchRequest): Promise<K8s.V1Deployment> {
  return kube.call({ verb: 'patch', resource: 'deployments', namespace: req.namespace }, () =>
    kube.apps.patchNamespacedDeployment(patchArguments(req), strategic()),
  );
}

/** Strategic merge patch of a StatefulSet (`patch statefulsets`). */
export function patchStatefulSet(kube: KubeClients, req: PatchRequest): Promise<K8s.V1StatefulSet> {
  return kube.call({ verb: 'patch', resource: 'statefulsets', namespace: req.namespace }, () =>
    kube.apps.patchNamespacedStatefulSet(patchArguments(req), strategic()),
  );
}

/** Strategic merge patch of an Ingress (`patch ingresses`). */
export function patchIngress(kube: KubeClients, req: PatchRequest): Promise<K8s.V1Ingress> {
  return kube.call({ verb: 'patch', resource: 'ingresses', namespace: req.namespace }, () =>
    kube.networking.patchNamespacedIngress(patchArguments(req), strategic()),
  );
}

export function readDeployment(kube: KubeClients, namespace: string, name: string): Promise<K8s.V1Deployment> {
  return kube.call({ verb: 'get', resource: 'deployments', namespace }, () =>
    kube.apps.readNamespacedDeployment({ name, namespace }),
  );
}

export function readStatefulSet(kube: KubeClients, namespace: string, name: string): Promise<K8s.V1StatefulSet> {
  return kube.call({ verb: 'get', resource: 'statefulsets', namespace }, () =>
    kube.apps.readNamespacedStatefulSet({ name, namespace }),
  );
}

/** A StatefulSet has rolled out when the controller saw its last change and every replica runs the update revision,
 * ready. */
export function statefulSetRolloutStatus(sts: K8s.V1StatefulSet): { done: boolean; detail: string } {
  const want = sts.spec?.replicas ?? 1;
  const s = sts.status ?? { replicas: 0 };
  const observed = (s.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0);
  const updated = s.updatedReplicas ?? 0;
  const ready = s.readyReplicas ?? 0;
  const revision = !s.updateRevision || s.currentRevision === s.updateRevision;
  const done = observed && updated >= want && ready >= want && revision;
  return {
    done,
    detail: `${updated}/${want} updated, ${ready}/${want} ready${observed ? '' : ', change not yet observed'}`,
  };
}

/** A pod, or undefined when it does not exist. */
export async function readPodIfAny(kube: KubeClients, namespace: string, name: string): Promise<K8s.V1Pod | undefined> {
  try {
    return await kube.call({ verb: 'get', resource: 'pods', namespace }, () =>
      kube.core.readNamespacedPod({ name, namespace }),
    );
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 404) return undefined;
    throw err;
  }
}

/** Deletes exactly the pod with this uid (`delete pods`, a uid precondition: 409 when it was replaced). */
export function deletePodByUid(
  kube: KubeClients,
  p: { namespace: string; name: string; uid: string },
  dryRun: boolean,
): Promise<K8s.V1Pod> {
  return kube.call({ verb: 'delete', resource: 'pods', namespace: p.namespace }, () =>
    kube.core.deleteNamespacedPod({
      name: p.name,
      namespace: p.namespace,
      dryRun: dryRun ? 'All' : undefined,
      body: { preconditions: { uid: p.uid } },
    }),
  );
}

/** A Deployment has rolled out when the controller saw its last change and every replica is updated and ready. */
export function rolloutStatus(dep: K8s.V1Deployment): { done: boolean; detail: string } {
  const want = dep.spec?.replicas ?? 1;
  const s = dep.status ?? {};
  const observed = (s.observedGeneration ?? 0) >= (dep.metadata?.generation ?? 0);
  const updated = s.updatedReplicas ?? 0;
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const done = observed && updated >= want && ready >= want && available >= want && (s.replicas ?? 0) <= want;
  return {
    done,
    detail: `${updated}/${want} updated, ${ready}/${want} ready${observed ? '' : ', change not yet observed'}`,
  };
}

/** What a remediation plan answers when the object moved on since the finding. */
export function changedSince(
  kind: string,
  name: string,
  expected: string,
  actual: string | undefined,
): string | undefined {
  if (actual === expected) return undefined;
  return (
    `${kind} ${name} changed since the finding (resourceVersion ${expected} → ${actual ?? 'deleted'}); ` +
    `re-run the check and decide on the fresh finding`
  );
}
