import type { V1Pod } from '@kubernetes/client-node';
import * as z from 'zod';
import { defineCheck, propose, type FindingInput } from '../src/checks/define.js';
import {
  describeConditions,
  harvesterNamespace,
  isCompleted,
  latestUpgrade,
  removeImageCommand,
  staleImagesOnNodes,
  versionExists,
  type Upgrade,
} from '../src/cluster/harvester.js';
import { classifyPullFailure, describeEvent, failingPulls, pullEvent } from '../src/cluster/pull-failure.js';
import type { KubeClients } from '../src/kube/client.js';
import { listEventsByObject } from '../src/kube/release.js';
import { deletePodRemediation } from './remediations/delete-pod.js';

/** Pods the upgrade runs: its jobs (`harvesterhci.io/upgrade`) and its log stack (`harvesterhci.io/upgradeLog`). */
async function upgradePods(kube: KubeClients, u: Upgrade): Promise<V1Pod[]> {
  const selectors = [
    `harvesterhci.io/upgrade=${u.metadata.name}`,
    ...(u.status?.upgradeLog ? [`harvesterhci.io/upgradeLog=${u.status.upgradeLog}`] : []),
  ];
  const lists = await Promise.all(
    selectors.map((labelSelector) =>
      kube.call({ verb: 'list', resource: 'pods', namespace: harvesterNamespace }, () =>
        kube.core.listNamespacedPod({ namespace: harvesterNamespace, labelSelector }),
      ),
    ),
  );
  return lists.flatMap((l) => l.items);
}

function versionMissing(u: Upgrade): FindingInput {
  const v = u.spec.version;
  return {
    cause: 'harvester-version-missing',
    title: `Harvester upgrade to ${v} waits for a Version object that does not exist`,
    summary:
      `versions.harvesterhci.io "${v}" is not in ${harvesterNamespace}: the version syncer (hourly) has ` +
      `not created it, so the upgrade cannot fetch its image. Create it from the release's version.yaml (command ` +
      `in the evidence), or wait for the syncer, then watch the Upgrade's conditions.`,
    resource: { kind: 'Upgrade', name: u.metadata.name, namespace: harvesterNamespace },
    evidence: [
      describeConditions(u),
      `GET /apis/harvesterhci.io/v1beta1/namespaces/${harvesterNamespace}/versions/${v}: 404 not found`,
      `command: kubectl get versions.harvesterhci.io -n ${harvesterNamespace}`,
      `command: curl -sfL https://releases.rancher.com/harvester/${v}/version.yaml | kubectl apply -n ` +
        `${harvesterNamespace} -f -`,
    ],
  };
}

async function pullStuck(
  ctx: { kube(): KubeClients; clusterConfig?: { name: string } },
  u: Upgrade,
  stuck: V1Pod[],
): Promise<FindingInput> {
  const kube = ctx.kube();
  const events = await listEventsByObject(kube, harvesterNamespace);
  const failing = stuck.flatMap((p) => failingPulls(p).map((f) => ({ pod: p, ...f })));
  const nodes = await kube.call({ verb: 'list', resource: 'nodes' }, () => kube.core.listNode({}));
  const stale = staleImagesOnNodes(
    nodes.items,
    failing.map((f) => f.image),
  );
  const evidence = [describeConditions(u)];
  for (const f of failing.slice(0, 6)) {
    const ev = pullEvent(events.get(f.pod.metadata?.name ?? '') ?? [], f.image);
    evidence.push(
      `pod ${f.pod.metadata?.name} container ${f.container}: ${f.reason} pulling ${f.image} ` +
        `(${classifyPullFailure(`${f.message} ${ev?.message ?? ''}`)})`,
    );
    if (ev) evidence.push(describeEvent(ev));
  }
  for (const s of stale) evidence.push(`node ${s.node} caches ${s.image}`);
  for (const s of stale) evidence.push(`command (on node ${s.node}): ${removeImageCommand(s.image)}`);
  const remediations = ctx.clusterConfig
    ? stuck.map((p) =>
        propose(
          deletePodRemediation,
          {
            cluster: ctx.clusterConfig?.name ?? '',
            namespace: harvesterNamespace,
            name: p.metadata?.name ?? '',
            uid: p.metadata?.uid ?? '',
            resourceVersion: p.metadata?.resourceVersion,
          },
          `Delete stuck pod ${p.metadata?.name}`,
        ),
      )
    : [];
  return {
    cause: 'harvester-upgrade-image-pull',
    title: `Harvester upgrade to ${u.spec.version} is stuck pulling images (${stuck.length} pod(s))`,
    summary:
      `Upgrade pods cannot pull their ` +
      `images${stale.length ? ', and the node caches stale images that conflict with the upgrade' : ''}. ` +
      `${stale.length ? 'Remove the stale images on the node (commands in the evidence; ' : ''}` +
      `${stale.length ? 'the bot cannot do this through the API), then ' : ''}delete ` +
      `the stuck pod so it pulls afresh; if the registry rate-limits, wait or use a mirror.`,
    resource: { kind: 'Upgrade', name: u.metadata.name, namespace: harvesterNamespace },
    evidence,
    remediations,
  };
}

export default defineCheck({
  id: 'harvester-upgrade',
  title: 'Harvester upgrade',
  description:
    'On a Harvester cluster, reads the latest upgrades.harvesterhci.io object: a missing ' +
    "versions.harvesterhci.io object, upgrade pods stuck pulling images, and the stale images in the nodes' " +
    'image cache. Gives the exact node commands for what the API cannot do and proposes deleting the stuck pod. ' +
    'Silent on clusters without Harvester and after a completed upgrade.',
  appliesTo: ['cluster'],
  causes: ['harvester-version-missing', 'harvester-upgrade-image-pull'],
  params: z.strictObject({}),
  remediations: [deletePodRemediation],
  async run(ctx) {
    const kube = ctx.kube();
    const upgrade = await latestUpgrade(kube);
    if (!upgrade || isCompleted(upgrade)) return [];
    const findings: FindingInput[] = [];
    if (!(await versionExists(kube, upgrade.spec.version))) findings.push(versionMissing(upgrade));
    const stuck = (await upgradePods(kube, upgrade)).filter((p) => failingPulls(p).length > 0);
    if (stuck.length > 0) findings.push(await pullStuck(ctx, upgrade, stuck));
    return findings;
  },
});
