import { harborComponents, podTemplate, type ComponentSpec, type HarborRelease } from './harbor-chart.js';
import { endpointsOf } from './harbor-release-net.js';
import { addReplicaSet, event, type ContainerCondition } from './harbor-release-pods.js';
import type { KubeObject } from './kube-sim.js';

export type PullProblem = 'not-found' | 'unauthorized' | 'rate-limited' | 'unreachable' | 'harbor-503';

/** The kubelet's (containerd's) error text for each way a pull fails. */
export function pullErrorMessage(image: string, problem: PullProblem): string {
  const host = image.split('/')[0] ?? 'docker.io';
  const path = image.slice(host.length + 1).replace(/:([^:/]+)$/, '/manifests/$1');
  const head = `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}"`;
  switch (problem) {
    case 'not-found':
      return `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
    case 'unauthorized':
      return `${head}: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
    case 'rate-limited':
      return `${head}: unexpected status from HEAD request to https://${host === 'docker.io' ? 'registry-1.docker.io' : host}/v2/${path}: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.`;
    case 'unreachable':
      return `${head}: failed to do request: Head "https://${host}/v2/${path}": dial tcp 203.0.113.7:443: i/o timeout`;
    case 'harbor-503':
      return `${head}: unexpected status from HEAD request to https://${host}/v2/${path}: 503 Service Unavailable`;
  }
}

function specOf(component: string): ComponentSpec {
  const spec = harborComponents.find((c) => c.component === component);
  if (!spec) throw new Error(`no chart component "${component}"`);
  return spec;
}

/** Removes a component's pods (and their ReplicaSets' replicas); the rollout replaces them. */
function dropPods(r: HarborRelease, component: string): void {
  r.objects = r.objects.filter((o) => !(o.kind === 'Pod' && o.metadata.labels?.component === component));
  for (const rs of r.objects.filter((o) => o.kind === 'ReplicaSet' && o.metadata.labels?.component === component)) {
    rs.spec = { ...(rs.spec as object), replicas: 0 };
    rs.status = { replicas: 0 };
  }
}

export function refreshEndpoints(r: HarborRelease, component: string): void {
  const i = r.objects.findIndex((o) => o.kind === 'Endpoints' && o.metadata.name === `${r.fullname}-${component}`);
  if (i >= 0) r.objects[i] = endpointsOf(r, component);
}

/**
 * A Deployment rolled to new images whose pulls fail: a new ReplicaSet whose pods wait in
 * ErrImagePull / ImagePullBackOff, the kubelet's events, and no ready endpoints.
 */
export function rolloutWithFailingPull(r: HarborRelease, component: string, imageFor: (img: string) => string, problem: PullProblem): KubeObject {
  const spec = specOf(component);
  const dep = r.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `${r.fullname}-${component}`);
  if (!dep) throw new Error(`${component} is not a Deployment`);
  const template = podTemplate(r.options, spec, r.fullname) as { spec: { containers: { name: string; image: string }[] } };
  for (const c of template.spec.containers) c.image = imageFor(c.image);
  const replicas = Number((dep.spec as { replicas: number }).replicas);
  const revision = Number(dep.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 1) + 1;
  dropPods(r, component);
  const conditions: Record<string, ContainerCondition> = {};
  template.spec.containers.forEach((c, i) => {
    conditions[c.name] = i % 2 === 0 ? { state: 'pull-failing', reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } : { state: 'pull-failing', reason: 'ErrImagePull', message: pullErrorMessage(c.image, problem) };
  });
  addReplicaSet(r, spec, { replicas, template, revision, conditions });
  for (const pod of r.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.component === component)) {
    for (const c of template.spec.containers) {
      r.objects.push(event(r, 'Pod', pod.metadata.name, 'Pulling', `Pulling image "${c.image}"`, { count: 9, hoursAgo: 0.05 }));
      r.objects.push(event(r, 'Pod', pod.metadata.name, 'Failed', `Failed to pull image "${c.image}": ${pullErrorMessage(c.image, problem)}`, { type: 'Warning', count: 9, hoursAgo: 0.05 }));
      r.objects.push(event(r, 'Pod', pod.metadata.name, 'BackOff', `Back-off pulling image "${c.image}"`, { type: 'Warning', count: 40, hoursAgo: 0.01 }));
    }
  }
  dep.spec = { ...(dep.spec as object), template };
  dep.metadata = { ...dep.metadata, generation: 2, annotations: { ...dep.metadata.annotations, 'deployment.kubernetes.io/revision': String(revision) } };
  dep.status = { observedGeneration: 2, replicas, updatedReplicas: replicas, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: replicas };
  refreshEndpoints(r, component);
  return dep;
}

/**
 * Failure mode A: an upgrade whose Harbor images come through a proxy-cache project of this same
 * Harbor, which cannot answer while its own pods are down (503 from the ingress).
 */
export function upgradeThroughOwnProxyCache(r: HarborRelease, opts: { project?: string; toVersion?: string } = {}): HarborRelease {
  const project = opts.project ?? 'dockerhub-proxy';
  const to = opts.toVersion ?? r.options.version;
  for (const c of harborComponents.filter((s) => s.kind === 'Deployment')) {
    rolloutWithFailingPull(r, c.component, (img) => `${r.options.host}/${project}/goharbor/${img.split('/').pop()?.replace(/:.*$/, '')}:v${to}`, 'harbor-503');
  }
  return r;
}
