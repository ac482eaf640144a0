import type { CoreV1Event, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { UpstreamError } from '../errors.js';
import type { KubeClients } from './client.js';

/** The chart's component label of a pod (`component`, or its `app.kubernetes.io/component` twin). */
export function componentOf(pod: { metadata?: { labels?: Record<string, string> } }): string | undefined {
  const labels = pod.metadata?.labels ?? {};
  return labels.component ?? labels['app.kubernetes.io/component'];
}

/** A release-scoped read, shared by the checks of one diagnosis when the clients carry its reads. */
async function sharedRead<T>(kube: KubeClients, key: string, load: () => Promise<T[]>): Promise<T[]> {
  const items = await (kube.reads ? kube.reads.get(`${kube.namespace}/${key}`, load) : load());
  return [...items];
}

/** Pods of the Harbor release (`app=harbor,release=<release>`) in its namespace. */
export function listReleasePods(kube: KubeClients, component?: string): Promise<V1Pod[]> {
  const labelSelector = component ? `${kube.releaseSelector},component=${component}` : kube.releaseSelector;
  return sharedRead(kube, `pods?${labelSelector}`, async () => {
    const list = await kube.call({ verb: 'list', resource: 'pods', namespace: kube.namespace }, () =>
      kube.core.listNamespacedPod({ namespace: kube.namespace, labelSelector }),
    );
    return list.items;
  });
}

/** Pods of every namespace (needs cluster-wide `list pods`), in chunks of 500 as large clusters need. */
export async function listAllPods(kube: KubeClients): Promise<V1Pod[]> {
  return listChunked((_continue) =>
    kube.call({ verb: 'list', resource: 'pods (all namespaces)' }, () =>
      kube.core.listPodForAllNamespaces({ limit: 500, _continue }),
    ),
  );
}

/**
 * Follows `metadata.continue` until the list is complete. A continue token that expired while we
 * paged (410 Gone) restarts the list once from the beginning, as the API server advises.
 */
export async function listChunked<T>(
  page: (token: string | undefined) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
): Promise<T[]> {
  for (let restarts = 0; ; restarts++) {
    const items: T[] = [];
    let token: string | undefined;
    try {
      do {
        const res = await page(token);
        items.push(...res.items);
        token = res.metadata?._continue || undefined;
      } while (token);
      return items;
    } catch (err) {
      if (!(err instanceof UpstreamError && err.status === 410 && token && restarts === 0)) throw err;
    }
  }
}

/** ReplicaSets of the release, optionally of one component. */
export function listReleaseReplicaSets(kube: KubeClients, component?: string): Promise<V1ReplicaSet[]> {
  const labelSelector = component ? `${kube.releaseSelector},component=${component}` : kube.releaseSelector;
  return sharedRead(kube, `replicasets?${labelSelector}`, async () => {
    const list = await kube.call({ verb: 'list', resource: 'replicasets', namespace: kube.namespace }, () =>
      kube.apps.listNamespacedReplicaSet({ namespace: kube.namespace, labelSelector }),
    );
    return list.items;
  });
}

/** Events of a namespace grouped by the name of the object they are about, newest last. */
export async function listEventsByObject(kube: KubeClients, namespace: string): Promise<Map<string, CoreV1Event[]>> {
  const list = await kube.call({ verb: 'list', resource: 'events', namespace }, () =>
    kube.core.listNamespacedEvent({ namespace }),
  );
  const byName = new Map<string, CoreV1Event[]>();
  for (const e of list.items) {
    const name = e.involvedObject?.name ?? '';
    byName.set(name, [...(byName.get(name) ?? []), e]);
  }
  for (const events of byName.values()) events.sort((a, b) => eventTime(a) - eventTime(b));
  return byName;
}

function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/** The controlling owner of an object (`ownerReferences[].controller`). */
export function controllerOf(obj: {
  metadata?: { ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
}) {
  const refs = obj.metadata?.ownerReferences ?? [];
  return refs.find((r) => r.controller) ?? refs[0];
}

/** The workload a pod belongs to: its Deployment (through the ReplicaSet), StatefulSet, DaemonSet or Job. */
export function workloadOf(
  pod: V1Pod,
  replicaSets: readonly V1ReplicaSet[],
): { kind: string; name: string } | undefined {
  const owner = controllerOf(pod);
  if (!owner) return undefined;
  if (owner.kind !== 'ReplicaSet') return { kind: owner.kind, name: owner.name };
  const rs = replicaSets.find((r) => r.metadata?.name === owner.name);
  const dep = rs ? controllerOf(rs) : undefined;
  if (dep?.kind === 'Deployment') return { kind: 'Deployment', name: dep.name };
  // Without the ReplicaSet, the Deployment's name is the ReplicaSet's minus its pod-template hash.
  return { kind: 'Deployment', name: owner.name.replace(/-[a-z0-9]{6,10}$/, '') };
}

/** True when the pod is Running and every container is ready. */
export function podReady(pod: V1Pod): boolean {
  return (
    pod.status?.phase === 'Running' &&
    (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/**
 * Explains an empty release: the namespace is missing, or it holds no pods with the chart's labels.
 * Where the bot may not read namespaces, it says only what it saw.
 */
export async function describeMissingRelease(kube: KubeClients): Promise<string> {
  try {
    await kube.call({ verb: 'get', resource: 'namespaces', namespace: kube.namespace }, () =>
      kube.core.readNamespace({ name: kube.namespace }),
    );
  } catch (err) {
    if ((err as { status?: number }).status === 404) return `namespace "${kube.namespace}" does not exist`;
    return `no pods labelled ${kube.releaseSelector} in namespace "${kube.namespace}"`;
  }
  return `namespace "${kube.namespace}" holds no pods labelled ${kube.releaseSelector}`;
}
