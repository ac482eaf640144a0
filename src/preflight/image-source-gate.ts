import { harborHosts, normalizeHost, parseImageRef } from '../cluster/image-ref.js';
import { UserInputError } from '../errors.js';
import type { KubeClients } from '../kube/client.js';
import { defineGate, fail, pass } from './gate.js';

interface WorkloadImages {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  images: { container: string; image: string }[];
}

type PodSpecLike =
  | { containers?: { name: string; image?: string }[]; initContainers?: { name: string; image?: string }[] }
  | undefined;

function imagesOf(spec: PodSpecLike): { container: string; image: string }[] {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
    .filter((c) => c.image)
    .map((c) => ({ container: c.name, image: c.image as string }));
}

/** The Deployments and StatefulSets of the release with their images (what the next rollout pulls). */
export async function listReleaseWorkloadImages(kube: KubeClients): Promise<WorkloadImages[]> {
  const q = { namespace: kube.namespace, labelSelector: kube.releaseSelector };
  const [deps, sets] = await Promise.all([
    kube.call({ verb: 'list', resource: 'deployments', namespace: kube.namespace }, () =>
      kube.apps.listNamespacedDeployment(q),
    ),
    kube.call({ verb: 'list', resource: 'statefulsets', namespace: kube.namespace }, () =>
      kube.apps.listNamespacedStatefulSet(q),
    ),
  ]);
  return [
    ...deps.items.map((d) => ({
      kind: 'Deployment' as const,
      name: d.metadata?.name ?? '',
      images: imagesOf(d.spec?.template.spec),
    })),
    ...sets.items.map((s) => ({
      kind: 'StatefulSet' as const,
      name: s.metadata?.name ?? '',
      images: imagesOf(s.spec?.template.spec),
    })),
  ];
}

export const imageSourceGate = defineGate({
  id: 'image-source',
  title: 'Harbor images come from outside this Harbor',
  on: 'cluster',
  causes: ['circular-image-dependency'],
  async run(ctx) {
    const kube = ctx.kube();
    const harbor = ctx.harborConfig;
    if (!harbor) throw new UserInputError(`cluster/${ctx.target.name} names no Harbor`);
    const workloads = await listReleaseWorkloadImages(kube);
    if (workloads.length === 0)
      throw new UserInputError(
        `no Deployments or StatefulSets labelled ${kube.releaseSelector} in namespace ${kube.namespace}`,
      );
    const hosts = harborHosts(harbor.url, harbor.aliases);
    const own = workloads.flatMap((w) =>
      w.images.filter((i) => hosts.has(normalizeHost(parseImageRef(i.image).registry))).map((i) => ({ ...w, ...i })),
    );
    const total = workloads.reduce((n, w) => n + w.images.length, 0);
    if (own.length === 0) {
      const registries = [
        ...new Set(workloads.flatMap((w) => w.images.map((i) => parseImageRef(i.image).registry))),
      ].sort();
      return pass(
        `${total} images of ${workloads.length} workloads come from ${registries.join(', ')}, not from ` +
          `harbor/${harbor.name}`,
      );
    }
    const first = own[0] as (typeof own)[number];
    const names = [...new Set(own.map((o) => `${o.kind} ${o.name}`))];
    return fail({
      cause: 'circular-image-dependency',
      title:
        `${names.length} Harbor workload${names.length === 1 ? '' : 's'} would pull ${ctx.to} images from ` +
        `harbor/${harbor.name} itself`,
      summary:
        `The upgrade to ${ctx.to} changes every image tag; these pulls need harbor/${harbor.name} ` +
        `(${parseImageRef(first.image).registry}) while its own pods are being replaced, so every pod waits in ` +
        `ImagePullBackOff and the URL answers 503 (failure mode A). Point the chart's image repositories at an ` +
        `independent registry (for example ${ctx.clusterConfig?.imageMirror ?? 'docker.io/goharbor'}) before ` +
        `upgrading.`,
      resource: { kind: first.kind, name: first.name, namespace: kube.namespace },
      evidence: own.slice(0, 12).map((o) => `${o.kind} ${o.name} container ${o.container}: ${o.image}`),
    });
  },
});
