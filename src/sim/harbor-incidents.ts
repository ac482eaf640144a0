import {
  harborComponents,
  imageOf,
  podTemplate,
  shortHash,
  type ComponentSpec,
  type HarborRelease,
} from './harbor-chart.js';
import { chartIngress, chartServices, endpointsOf, helmRevision } from './harbor-release-net.js';
import { addReplicaSet, buildPod, event, restatePod, type ContainerCondition } from './harbor-release-pods.js';
import type { KubeObject } from './kube-sim.js';

export type PullProblem = 'not-found' | 'unauthorized' | 'rate-limited' | 'unreachable' | 'harbor-503';

/** The kubelet's (containerd's) error text for each way a pull fails. */
export function pullErrorMessage(image: string, problem: PullProblem): string {
  const host = image.split('/')[0] ?? 'docker.io';
  const path = image.slice(host.length + 1).replace(/:([^:/]+)$/, '/manifests/$1');
  const head =
    `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to resolve ` +
    `reference "${image}"`;
  switch (problem) {
    case 'not-found':
      return (
        `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve ` +
        `reference "${image}": ${image}: not found`
      );
    case 'unauthorized':
      return (
        `${head}: pull access denied, repository does not exist or may require authorization: server ` +
        `message: insufficient_scope: authorization failed`
      );
    case 'rate-limited':
      return (
        `${head}: unexpected status from HEAD request to ` +
        `https://${host === 'docker.io' ? 'registry-1.docker.io' : host}/v2/${path}: 429 Too Many Requests - ` +
        `Server message: toomanyrequests: You have reached your pull rate limit.`
      );
    case 'unreachable':
      return `${head}: failed to do request: Head "https://${host}/v2/${path}": dial tcp 203.0.113.7:443: i/o timeout`;
    case 'harbor-503':
      return `${head}: unexpected status from HEAD request to https://${host}/v2/${path}: 503 Service Unavailable`;
  }
}

export function specOf(component: string): ComponentSpec {
  const spec = harborComponents.find((c) => c.component === component);
  if (!spec) throw new Error(`no chart component "${component}"`);
  return spec;
}

export function refreshEndpoints(r: HarborRelease, component: string): void {
  const i = r.objects.findIndex((o) => o.kind === 'Endpoints' && o.metadata.name === `${r.fullname}-${component}`);
  if (i >= 0) r.objects[i] = endpointsOf(r, component);
}

/**
 * Rolls a component's Deployment to a new pod template (new images and/or a new `seed` for its
 * `checksum/*` annotations): a new ReplicaSet with pods in `conditions`. `keepOld` pods of the old
 * ReplicaSet stay (a rollout midway); the others are gone.
 */
export function rollout(
  r: HarborRelease,
  component: string,
  opts: {
    imageFor?: (img: string) => string;
    seed?: string;
    conditions?: Record<string, ContainerCondition>;
    replicas?: number;
    keepOld?: number;
    mutate?: (template: PodTemplate) => void;
  },
): KubeObject {
  const spec = specOf(component);
  const dep = r.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `${r.fullname}-${component}`);
  if (!dep) throw new Error(`${component} is not a Deployment`);
  const template = podTemplate(r.options, spec, r.fullname, opts.seed) as PodTemplate;
  for (const c of template.spec.containers) c.image = opts.imageFor ? opts.imageFor(c.image) : c.image;
  opts.mutate?.(template);
  const replicas = Number((dep.spec as { replicas: number }).replicas);
  const revision = Number(dep.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 1) + 1;
  const old = r.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.component === component);
  const keep = new Set(old.slice(0, opts.keepOld ?? 0));
  r.objects = r.objects.filter((o) => !old.includes(o) || keep.has(o));
  for (const rs of r.objects.filter((o) => o.kind === 'ReplicaSet' && o.metadata.labels?.component === component)) {
    rs.spec = { ...(rs.spec as object), replicas: keep.size };
    rs.status = { replicas: keep.size, readyReplicas: keep.size, availableReplicas: keep.size };
  }
  addReplicaSet(r, spec, {
    replicas: opts.replicas ?? replicas - keep.size,
    template,
    revision,
    conditions: opts.conditions,
  });
  const pods = r.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.component === component);
  const ready = pods.filter((p) =>
    (p.status as { containerStatuses: { ready: boolean }[] }).containerStatuses.every((c) => c.ready),
  ).length;
  dep.spec = { ...(dep.spec as object), template };
  dep.metadata = {
    ...dep.metadata,
    generation: 2,
    annotations: { ...dep.metadata.annotations, 'deployment.kubernetes.io/revision': String(revision) },
  };
  dep.status = {
    observedGeneration: 2,
    replicas: pods.length,
    updatedReplicas: pods.length - keep.size,
    readyReplicas: ready,
    availableReplicas: ready,
    unavailableReplicas: Math.max(0, replicas - ready),
  };
  refreshEndpoints(r, component);
  return dep;
}

/**
 * Rolls a component's StatefulSet to new images as its controller does (RollingUpdate,
 * OrderedReady): the highest ordinal is replaced first by a pod of the new revision, in
 * `conditions`; the rollout waits there until that pod is ready.
 */
export function rolloutStatefulSet(
  r: HarborRelease,
  component: string,
  opts: { imageFor: (img: string) => string; conditions?: Record<string, ContainerCondition> },
): KubeObject {
  const spec = specOf(component);
  const name = `${r.fullname}-${component}`;
  const sts = r.objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === name);
  if (!sts) throw new Error(`${component} is not a StatefulSet`);
  const template = podTemplate(r.options, spec, r.fullname) as PodTemplate;
  for (const c of template.spec.containers) c.image = opts.imageFor(c.image);
  const replicas = Number((sts.spec as { replicas: number }).replicas);
  const [currentRevision, updateRevision] = [`${name}-${shortHash(`${name}/1`)}`, `${name}-${shortHash(`${name}/2`)}`];
  const podName = `${name}-${replicas - 1}`;
  const pod = buildPod(r, spec, podName, template, { kind: 'StatefulSet', name }, opts.conditions);
  pod.metadata.labels = { ...pod.metadata.labels, 'controller-revision-hash': updateRevision };
  r.objects = r.objects.filter((o) => !(o.kind === 'Pod' && o.metadata.name === podName));
  r.objects.push(pod);
  const ready =
    opts.conditions && Object.values(opts.conditions).some((c) => c.state !== 'running') ? replicas - 1 : replicas;
  sts.spec = {
    ...(sts.spec as object),
    template,
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    podManagementPolicy: 'OrderedReady',
  };
  sts.metadata = { ...sts.metadata, generation: 2 };
  sts.status = {
    observedGeneration: 2,
    replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    currentReplicas: replicas - 1,
    updatedReplicas: 1,
    currentRevision,
    updateRevision,
  };
  refreshEndpoints(r, component);
  return sts;
}

export type PodTemplate = {
  metadata: { annotations: Record<string, string> };
  spec: {
    containers: { name: string; image: string }[];
    volumes?: { name: string; secret?: { secretName: string } }[];
  };
};

/**
 * A workload rolled to new images whose pulls fail: a Deployment's new ReplicaSet, or a
 * StatefulSet's highest ordinal, with pods waiting in ErrImagePull / ImagePullBackOff, the kubelet's
 * events, and no ready endpoints.
 */
export function rolloutWithFailingPull(
  r: HarborRelease,
  component: string,
  imageFor: (img: string) => string,
  problem: PullProblem,
): KubeObject {
  const images = specOf(component).containers.map((c) => imageFor(imageOf(r.options, c.image)));
  const conditions: Record<string, ContainerCondition> = {};
  specOf(component).containers.forEach((c, i) => {
    const image = images[i] as string;
    conditions[c.name] =
      i % 2 === 0
        ? { state: 'pull-failing', reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` }
        : { state: 'pull-failing', reason: 'ErrImagePull', message: pullErrorMessage(image, problem) };
  });
  const workload =
    specOf(component).kind === 'StatefulSet'
      ? rolloutStatefulSet(r, component, { imageFor, conditions })
      : rollout(r, component, { imageFor, conditions });
  const failing = (pod: KubeObject) =>
    (pod.spec as { containers: { image: string }[] }).containers.some((c) => images.includes(c.image));
  for (const pod of r.objects.filter(
    (o) => o.kind === 'Pod' && o.metadata.labels?.component === component && failing(o),
  )) {
    for (const image of images) {
      r.objects.push(
        event(r, 'Pod', pod.metadata.name, 'Pulling', `Pulling image "${image}"`, { count: 9, hoursAgo: 0.05 }),
      );
      r.objects.push(
        event(
          r,
          'Pod',
          pod.metadata.name,
          'Failed',
          `Failed to pull image "${image}": ${pullErrorMessage(image, problem)}`,
          { type: 'Warning', count: 9, hoursAgo: 0.05 },
        ),
      );
      r.objects.push(
        event(r, 'Pod', pod.metadata.name, 'BackOff', `Back-off pulling image "${image}"`, {
          type: 'Warning',
          count: 40,
          hoursAgo: 0.01,
        }),
      );
    }
  }
  return workload;
}

/**
 * Failure mode A: an upgrade whose Harbor images come through a proxy-cache project of this same
 * Harbor, which cannot answer while its own pods are down (503 from the ingress). Every component
 * is rolled, Deployments and StatefulSets (database, redis, trivy) alike.
 */
export function upgradeThroughOwnProxyCache(
  r: HarborRelease,
  opts: { project?: string; toVersion?: string } = {},
): HarborRelease {
  const project = opts.project ?? 'dockerhub-proxy';
  const to = opts.toVersion ?? r.options.version;
  for (const c of harborComponents) {
    rolloutWithFailingPull(
      r,
      c.component,
      (img) => `${r.options.host}/${project}/goharbor/${img.split('/').pop()?.replace(/:.*$/, '')}:v${to}`,
      'harbor-503',
    );
  }
  return r;
}

/** A2: the live Ingress edited by hand (annotations set or removed with null, class, a backend port). */
export function editIngress(
  r: HarborRelease,
  edit: { annotations?: Record<string, string | null>; className?: string; corePort?: number },
): KubeObject {
  const ing = r.objects.find((o) => o.kind === 'Ingress');
  if (!ing) throw new Error('the release has no Ingress');
  const annotations = { ...ing.metadata.annotations };
  for (const [k, v] of Object.entries(edit.annotations ?? {})) {
    if (v === null) delete annotations[k];
    else annotations[k] = v;
  }
  ing.metadata = { ...ing.metadata, annotations };
  const spec = structuredClone(ing.spec) as {
    ingressClassName?: string;
    rules: { http: { paths: { backend: { service: { name: string; port: { number: number } } } }[] } }[];
  };
  if (edit.className) spec.ingressClassName = edit.className;
  if (edit.corePort)
    for (const p of spec.rules.flatMap((x) => x.http.paths))
      if (p.backend.service.name.endsWith('-core')) p.backend.service.port = { number: edit.corePort };
  ing.spec = spec;
  return ing;
}

/** A component whose pods run but fail their readiness probe: the Service has no ready endpoints. */
export function failReadiness(r: HarborRelease, component: string): HarborRelease {
  for (const pod of r.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.component === component)) {
    const names = (pod.spec as { containers: { name: string }[] }).containers.map((c) => c.name);
    restatePod(r, pod, Object.fromEntries(names.map((n) => [n, { state: 'running', ready: false } as const])));
    r.objects.push(
      event(
        r,
        'Pod',
        pod.metadata.name,
        'Unhealthy',
        'Readiness probe failed: HTTP probe failed with statuscode: 503',
        { type: 'Warning', count: 120, hoursAgo: 0.01 },
      ),
    );
  }
  refreshEndpoints(r, component);
  return r;
}

/**
 * A helm upgrade (revision 3) changed the Ingress annotations, and someone put the live Ingress back
 * by hand: live matches revision 2, not the deployed one.
 */
export function upgradeChangedIngress(r: HarborRelease, annotations: Record<string, string>): HarborRelease {
  const ingress = chartIngress(r);
  ingress.metadata.annotations = { ...ingress.metadata.annotations, ...annotations };
  const v2 = r.objects.find(
    (o) => o.kind === 'Secret' && o.metadata.name === `sh.helm.release.v1.${r.options.release}.v2`,
  );
  if (v2)
    r.objects[r.objects.indexOf(v2)] = helmRevision(r, 2, 'superseded', [...chartServices(r), chartIngress(r)], 72);
  r.objects.push(helmRevision(r, 3, 'deployed', [...chartServices(r), ingress], 1));
  return r;
}
