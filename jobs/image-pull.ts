import * as z from 'zod';
import { defineCheck, propose, type FindingInput, type RunContext } from '../src/checks/define.js';
import { independentImage, parseImageRef } from '../src/cluster/image-ref.js';
import { describeProxyCacheProject } from '../src/cluster/proxy-cache.js';
import { failingPulls, pullFailureText } from '../src/cluster/pull-failure.js';
import {
  failingImagesByContainer,
  groupPullFailures,
  pullEvidence,
  type PullGroup,
} from '../src/cluster/pull-groups.js';
import { releaseMissingFinding } from '../src/cluster/release-missing.js';
import { readDeployment, readStatefulSet } from '../src/kube/patch.js';
import { listAllPods, listEventsByObject, listReleasePods, listReleaseReplicaSets } from '../src/kube/release.js';
import { setDeploymentImages, setStatefulSetImages } from './remediations/set-images.js';

/** What Harbor says about a project, asked once per run however many workloads pull through it. */
type ProjectLookup = (project: string) => Promise<string>;

async function describe(
  ctx: RunContext,
  group: PullGroup,
  mirror: string,
  projectOf: ProjectLookup,
): Promise<FindingInput> {
  const first = group.failures[0] as PullGroup['failures'][number];
  const what = `${group.workload.kind} ${group.workload.name}`;
  const evidence = pullEvidence(group);
  const resource = { kind: group.workload.kind, name: group.workload.name, namespace: group.namespace };
  if (group.circular && ctx.harborConfig) {
    const h = ctx.harborConfig;
    evidence.push(
      `registry host ${first.registry} is harbor/${h.name}'s own host (url ` +
        `${h.url}${h.aliases.length ? `, aliases ${h.aliases.join(', ')}` : ''})`,
    );
    const project = parseImageRef(first.image).repository.split('/')[0];
    if (project) evidence.push(await projectOf(project));
    return {
      cause: 'circular-image-dependency',
      title: `Harbor ${group.harborComponent} pulls its image from the Harbor it belongs to (${first.registry})`,
      summary:
        `${what} of the Harbor release pulls ${first.image} from this same Harbor, which cannot serve ` +
        `while its own pods are down: the pull can never succeed. Point the images at an independent source ` +
        `(${mirror}), in the chart values too so the next upgrade does not bring them back, and keep Harbor's ` +
        `own images out of Harbor.`,
      resource,
      evidence,
    };
  }
  const harbor = group.harborComponent !== undefined;
  return {
    cause: 'image-pull-failed',
    severity: harbor ? 'critical' : 'warning',
    title: `${what} cannot pull ${first.image} (${first.kind})`,
    summary:
      `${pullFailureText[first.kind]} (${first.registry}). ` +
      (harbor
        ? `Critical: ${group.harborComponent} is a Harbor component, so Harbor is degraded until it pulls.`
        : 'A warning: this pod is not part of the Harbor release.'),
    resource,
    evidence,
  };
}

export default defineCheck({
  id: 'image-pull',
  title: 'Image pulls',
  description:
    'Finds pods of the Harbor release (allNamespaces=true: of every namespace) waiting in ' +
    "ErrImagePull/ImagePullBackOff. An image whose registry host is this Harbor's own host or alias is a " +
    "bootstrap cycle (circular-image-dependency), decided from the cluster alone; otherwise the kubelet's reason " +
    "is classified (not found, unauthorized, rate limited, upstream unreachable). Proposes moving Harbor's " +
    'Deployments and StatefulSets to an independent image source (for a StatefulSet, also replacing the pod ' +
    'stuck on the old images).',
  appliesTo: ['cluster'],
  causes: ['circular-image-dependency', 'image-pull-failed', 'check-failed'],
  params: z.strictObject({ allNamespaces: z.boolean().default(false) }),
  remediations: [setDeploymentImages, setStatefulSetImages],
  async run(ctx) {
    const kube = ctx.kube();
    const pods = ctx.params.allNamespaces ? await listAllPods(kube) : await listReleasePods(kube);
    const isRelease = (p: (typeof pods)[number]) =>
      p.metadata?.namespace === kube.namespace &&
      p.metadata?.labels?.release === kube.release &&
      p.metadata?.labels?.app === 'harbor';
    const findings: FindingInput[] = pods.some(isRelease) ? [] : [await releaseMissingFinding(kube, 'Image pulls')];
    const failingNs = [
      ...new Set(pods.filter((p) => failingPulls(p).length > 0).map((p) => p.metadata?.namespace ?? '')),
    ];
    if (failingNs.length === 0) return findings;
    const events = new Map(
      await Promise.all(failingNs.map(async (ns) => [ns, await listEventsByObject(kube, ns)] as const)),
    );
    const replicaSets = failingNs.includes(kube.namespace) ? await listReleaseReplicaSets(kube) : [];
    const harbor = ctx.harborConfig ? { url: ctx.harborConfig.url, aliases: ctx.harborConfig.aliases } : undefined;
    const mirror = ctx.clusterConfig?.imageMirror ?? 'docker.io/goharbor';
    const projects = new Map<string, Promise<string>>();
    const projectOf: ProjectLookup = (project) => {
      if (!projects.has(project)) projects.set(project, describeProxyCacheProject(ctx.harbor(), project, ctx.signal));
      return projects.get(project) as Promise<string>;
    };
    for (const group of groupPullFailures({
      pods,
      replicaSets,
      events,
      namespace: kube.namespace,
      release: kube.release,
      harbor,
    })) {
      const finding = await describe(ctx, group, mirror, projectOf);
      const fix = group.harborComponent ? await proposeImages(ctx, group, mirror) : undefined;
      findings.push(fix ? { ...finding, remediations: [fix] } : finding);
    }
    return findings;
  },
});

/** The fix of a Harbor component's failing pulls: its Deployment's or StatefulSet's images from the mirror. */
async function proposeImages(ctx: RunContext, group: PullGroup, mirror: string) {
  const images: Record<string, string> = {};
  for (const [container, { image }] of failingImagesByContainer(group)) {
    const target = independentImage(image, mirror);
    if (target !== image) images[container] = target;
  }
  if (Object.keys(images).length === 0 || !ctx.clusterConfig) return undefined;
  const base = { cluster: ctx.clusterConfig.name, namespace: group.namespace, images };
  const title = `Pull ${group.workload.name} images from ${mirror}`;
  if (group.workload.kind === 'Deployment') {
    const dep = await readDeployment(ctx.kube(), group.namespace, group.workload.name);
    return propose(
      setDeploymentImages,
      { ...base, deployment: group.workload.name, resourceVersion: dep.metadata?.resourceVersion ?? '' },
      title,
    );
  }
  if (group.workload.kind !== 'StatefulSet') return undefined;
  const sts = await readStatefulSet(ctx.kube(), group.namespace, group.workload.name);
  const pods = [...new Map(group.failures.map((f) => [f.pod, { name: f.pod, uid: f.podUid }])).values()];
  return propose(
    setStatefulSetImages,
    { ...base, statefulset: group.workload.name, resourceVersion: sts.metadata?.resourceVersion ?? '', pods },
    title,
  );
}
