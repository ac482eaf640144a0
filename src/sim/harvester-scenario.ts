import type { ClusterScenario } from './harbor-chart.js';
import type { KubeObject } from './kube-sim.js';

export const harvesterNamespace = 'harvester-system';

/** Images the seed 002 operators had to remove from the node before the upgrade could pull. */
export const staleUpgradeImages = [
  'docker.io/fluent/fluent-bit:2.1.8',
  'ghcr.io/kube-logging/fluentd:v1.15-ruby3',
  'ghcr.io/kube-logging/config-reloader:v0.0.5',
];

export interface HarvesterUpgradeOptions {
  now: Date;
  from: string;
  to: string;
  node: string;
  /** Whether the version syncer has created the Version object yet. */
  versionExists: boolean;
  /** Whether the upgrade log's fluent-bit pod is stuck pulling. */
  fluentbitStuck: boolean;
  completed: boolean;
}

const ago = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

function condition(type: string, status: string, now: Date, extra: { reason?: string; message?: string } = {}) {
  return { type, status, lastUpdateTime: ago(now, 30), ...extra };
}

/**
 * A Harvester cluster mid-upgrade as in seed 002 (single node, v1.4.2 → v1.5.0-rc4): the Upgrade
 * object and its conditions, the Version object (or not), the node with its cached images, and the
 * upgrade log's fluent-bit pod in ImagePullBackOff. `completed` gives a finished, healthy upgrade.
 */
export function buildHarvesterUpgrade(overrides: Partial<HarvesterUpgradeOptions> = {}): ClusterScenario {
  const o: HarvesterUpgradeOptions = {
    now: new Date(),
    from: 'v1.4.2',
    to: 'v1.5.0-rc4',
    node: 'harvester-node-0',
    versionExists: false,
    fluentbitStuck: true,
    completed: false,
    ...overrides,
  };
  const upgrade = 'hvst-upgrade-6hp8n';
  const upgradeLog = `${upgrade}-upgradelog`;
  const conditions = o.completed
    ? [
        'LogReady',
        'ImageReady',
        'RepoReady',
        'NodesPrepared',
        'SystemServicesUpgraded',
        'NodesUpgraded',
        'Completed',
      ].map((t) => condition(t, 'True', o.now))
    : [
        condition('LogReady', 'True', o.now),
        condition('ImageReady', 'Unknown', o.now, { reason: 'Downloading', message: 'downloading upgrade image' }),
        condition('Completed', 'Unknown', o.now),
      ];
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: harvesterNamespace } },
    ...harvesterCrds(),
    {
      apiVersion: 'harvesterhci.io/v1beta1',
      kind: 'Upgrade',
      metadata: {
        name: upgrade,
        namespace: harvesterNamespace,
        labels: {
          'harvesterhci.io/latestUpgrade': 'true',
          'harvesterhci.io/upgradeState': o.completed ? 'Succeeded' : 'PreparingRepo',
        },
        creationTimestamp: ago(o.now, 45),
      },
      spec: { version: o.to, image: '', logEnabled: true },
      status: { previousVersion: o.from, upgradeLog, conditions, ...(o.completed ? { state: 'Succeeded' } : {}) },
    },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: o.node,
        labels: { 'kubernetes.io/hostname': o.node, 'node-role.kubernetes.io/control-plane': 'true' },
      },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        nodeInfo: {
          containerRuntimeVersion: 'containerd://1.7.23-k3s2',
          kubeletVersion: 'v1.30.7+rke2r1',
          osImage: `Harvester ${o.from}`,
        },
        images: [
          ...staleUpgradeImages,
          'docker.io/rancher/harvester:v1.4.2',
          'docker.io/rancher/harvester-upgrade:v1.4.2',
        ].map((n, i) => ({
          names: [n, `${n.replace(/:.*$/, '')}@sha256:${String(i).repeat(64)}`],
          sizeBytes: 50_000_000 + i,
        })),
      },
    },
  ];
  if (o.versionExists || o.completed) {
    objects.push({
      apiVersion: 'harvesterhci.io/v1beta1',
      kind: 'Version',
      metadata: { name: o.to, namespace: harvesterNamespace },
      spec: {
        isoURL: `https://releases.rancher.com/harvester/${o.to}/harvester-${o.to}-amd64.iso`,
        releaseDate: '20250401',
      },
    });
  }
  if (o.fluentbitStuck && !o.completed) {
    const pod = `${upgradeLog}-infra-fluentbit-6xk2p`;
    const image = 'docker.io/fluent/fluent-bit:2.1.8';
    const message =
      `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to ` +
      `copy: httpReadSeeker: failed open: unexpected status code ` +
      `https://registry-1.docker.io/v2/fluent/fluent-bit/manifests/sha256:${'ab'.repeat(32)}: 429 Too Many ` +
      `Requests - Server message: toomanyrequests: You have reached your pull rate limit.`;
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod,
        namespace: harvesterNamespace,
        uid: `uid-${pod}`,
        labels: {
          'harvesterhci.io/upgradeLog': upgradeLog,
          'harvesterhci.io/upgradeLogComponent': 'infra',
          'app.kubernetes.io/name': 'fluentbit',
        },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'DaemonSet', name: `${upgradeLog}-infra-fluentbit`, controller: true },
        ],
        creationTimestamp: ago(o.now, 40),
      },
      spec: { nodeName: o.node, containers: [{ name: 'fluent-bit', image }] },
      status: {
        phase: 'Pending',
        startTime: ago(o.now, 40),
        containerStatuses: [
          {
            name: 'fluent-bit',
            image,
            imageID: '',
            ready: false,
            started: false,
            restartCount: 0,
            state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } },
          },
        ],
      },
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod}.17a1`, namespace: harvesterNamespace },
      involvedObject: { kind: 'Pod', name: pod, namespace: harvesterNamespace },
      reason: 'Failed',
      type: 'Warning',
      message: `Failed to pull image "${image}": ${message}`,
      count: 12,
      firstTimestamp: ago(o.now, 38),
      lastTimestamp: ago(o.now, 2),
      source: { component: 'kubelet', host: o.node },
    });
  }
  return { objects, logs: {}, proxy: {} };
}

/** The CustomResourceDefinitions that make a cluster a Harvester cluster (the checks need two). */
export function harvesterCrds(): KubeObject[] {
  return ['upgrades', 'versions'].map((plural) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.harvesterhci.io` },
    spec: {
      group: 'harvesterhci.io',
      scope: 'Namespaced',
      names: { plural, kind: plural === 'upgrades' ? 'Upgrade' : 'Version' },
      versions: [{ name: 'v1beta1', served: true, storage: true }],
    },
  }));
}
