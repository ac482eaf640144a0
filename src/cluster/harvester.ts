import type { V1Node } from '@kubernetes/client-node';
import * as z from 'zod';
import { UpstreamError } from '../errors.js';
import type { KubeClients } from '../kube/client.js';
import { parseImageRef } from './image-ref.js';

export const harvesterNamespace = 'harvester-system';
const group = 'harvesterhci.io';
const version = 'v1beta1';

const conditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export const upgradeSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
    creationTimestamp: z.string().optional(),
    resourceVersion: z.string().optional(),
  }),
  spec: z.looseObject({ version: z.string() }),
  status: z
    .looseObject({
      previousVersion: z.string().optional(),
      upgradeLog: z.string().optional(),
      conditions: z.array(conditionSchema).default([]),
    })
    .optional(),
});
export type Upgrade = z.infer<typeof upgradeSchema>;

/** Images the seed 002 operators had to remove from the node before the upgrade could pull. */
export const knownStaleImages = [
  'fluent/fluent-bit:2.1.8',
  'kube-logging/fluentd:v1.15-ruby3',
  'kube-logging/config-reloader:v0.0.5',
];

/**
 * The latest Upgrade (label `harvesterhci.io/latestUpgrade=true`, else the newest), or undefined on
 * a cluster without Harvester (the API answers 404 for an unknown resource type).
 */
export async function latestUpgrade(kube: KubeClients): Promise<Upgrade | undefined> {
  let body: unknown;
  try {
    body = await kube.call({ verb: 'list', resource: 'upgrades.harvesterhci.io', namespace: harvesterNamespace }, () =>
      kube.custom.listNamespacedCustomObject({ group, version, namespace: harvesterNamespace, plural: 'upgrades' }),
    );
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 404) return undefined;
    throw err;
  }
  const items = z.object({ items: z.array(upgradeSchema).default([]) }).parse(body).items;
  const latest = items.find((u) => u.metadata.labels?.['harvesterhci.io/latestUpgrade'] === 'true');
  return (
    latest ??
    [...items]
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))
      .pop()
  );
}

/** True when the Version object the upgrade names exists. */
export async function versionExists(kube: KubeClients, name: string): Promise<boolean> {
  try {
    await kube.call({ verb: 'get', resource: 'versions.harvesterhci.io', namespace: harvesterNamespace }, () =>
      kube.custom.getNamespacedCustomObject({
        group,
        version,
        namespace: harvesterNamespace,
        plural: 'versions',
        name,
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 404) return false;
    throw err;
  }
}

export function isCompleted(u: Upgrade): boolean {
  return (u.status?.conditions ?? []).some((c) => c.type === 'Completed' && c.status === 'True');
}

export function describeConditions(u: Upgrade): string {
  const cs = (u.status?.conditions ?? []).map(
    (c) => `${c.type}=${c.status}${c.message ? ` (${c.message.slice(0, 80)})` : ''}`,
  );
  return (
    `Upgrade ${u.metadata.name} ${u.status?.previousVersion ?? '?'} → ${u.spec.version}: ` +
    `${cs.join(', ') || 'no conditions yet'}`
  );
}

function sameImage(cached: string, wanted: string): boolean {
  const a = parseImageRef(cached);
  const b = parseImageRef(wanted);
  return (
    a.repository === b.repository &&
    (a.registry === b.registry || a.registry === 'docker.io' || b.registry === 'docker.io')
  );
}

/** Cached images on the nodes that conflict with the upgrade: the known stale ones, and other tags of failing
 * images. */
export function staleImagesOnNodes(
  nodes: readonly V1Node[],
  failing: readonly string[],
): { node: string; image: string }[] {
  const out: { node: string; image: string }[] = [];
  for (const n of nodes) {
    for (const img of n.status?.images ?? []) {
      const name = (img.names ?? []).find((x) => !x.includes('@'));
      if (!name) continue;
      const known = knownStaleImages.some((k) => name.endsWith(k));
      if (known || failing.some((f) => sameImage(name, f) && name !== f))
        out.push({ node: n.metadata?.name ?? '?', image: name });
    }
  }
  return out;
}

/** The node commands that remove a cached image (Harvester runs RKE2's containerd). */
export function removeImageCommand(image: string): string {
  return (
    `sudo /var/lib/rancher/rke2/bin/crictl --runtime-endpoint unix:///run/k3s/containerd/containerd.sock ` +
    `rmi ${image}`
  );
}
