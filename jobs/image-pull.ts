import type { V1Deployment } from '@kubernetes/client-node';
import * as z from 'zod';
import { defineCheck, defineRemediation, propose, type FindingInput, type RunContext } from '../src/checks/define.js';
import { independentImage, parseImageRef } from '../src/cluster/image-ref.js';
import { deploymentPatchTarget, executePatch, planPatch, type PatchSpec } from '../src/cluster/patch-plan.js';
import { describeProxyCacheProject } from '../src/cluster/proxy-cache.js';
import { failingPulls, pullFailureText } from '../src/cluster/pull-failure.js';
import { failingImagesByContainer, groupPullFailures, pullEvidence, type PullGroup } from '../src/cluster/pull-groups.js';
import { releaseMissingFinding } from '../src/cluster/release-missing.js';
import { readDeployment, rolloutStatus } from '../src/kube/patch.js';
import { pollUntil } from '../src/kube/poll.js';
import { listAllPods, listEventsByObject, listReleasePods, listReleaseReplicaSets } from '../src/kube/release.js';

const setImagesParams = z.strictObject({
  cluster: z.string().min(1),
  namespace: z.string().min(1),
  deployment: z.string().min(1),
  resourceVersion: z.string().min(1),
  images: z.record(z.string(), z.string().min(1)).refine((m) => Object.keys(m).length > 0, { error: 'name at least one container' }),
});
type SetImagesParams = z.infer<typeof setImagesParams>;

function imagesSpec(ctx: RunContext, p: SetImagesParams): PatchSpec<V1Deployment> {
  const kube = ctx.kube();
  const project = (d: V1Deployment) => ({
    containers: (d.spec?.template.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image })),
    initContainers: (d.spec?.template.spec?.initContainers ?? []).map((c) => ({ name: c.name, image: c.image })),
  });
  return {
    ...deploymentPatchTarget(kube, p),
    summary: `Set the images of Deployment ${p.namespace}/${p.deployment}: ${Object.entries(p.images).map(([c, i]) => `${c}=${i}`).join(', ')}`,
    build(current) {
      const { containers, initContainers } = project(current);
      const missing = Object.keys(p.images).filter((n) => ![...containers, ...initContainers].some((c) => c.name === n));
      if (missing.length > 0) return { refuse: `Deployment ${p.deployment} has no container ${missing.join(', ')}` };
      const pick = (list: { name: string }[]) => list.filter((c) => c.name in p.images).map((c) => ({ name: c.name, image: p.images[c.name] }));
      const spec: Record<string, unknown> = { containers: pick(containers) };
      if (pick(initContainers).length > 0) spec.initContainers = pick(initContainers);
      return { body: { spec: { template: { spec } } } };
    },
    project,
  };
}

export const setDeploymentImages = defineRemediation({
  id: 'set-deployment-images',
  title: 'Point the Deployment at independent images',
  description: "Patches a Deployment's container images (strategic merge patch, field manager harbor-pilot) so it no longer pulls from a source that cannot serve, e.g. the Harbor being upgraded. Dry-run and diff first; refuses when the Deployment changed since the finding.",
  risk: 'medium',
  targetKind: 'cluster',
  params: setImagesParams,
  plan: (ctx, p) => planPatch(imagesSpec(ctx, p)),
  execute: (ctx, p, plan) => executePatch(imagesSpec(ctx, p), plan),
  async verify(ctx, p) {
    const dep = await pollUntil(() => readDeployment(ctx.kube(), p.namespace, p.deployment), (d) => rolloutStatus(d).done, { signal: ctx.signal });
    const all = [...(dep.spec?.template.spec?.containers ?? []), ...(dep.spec?.template.spec?.initContainers ?? [])];
    const wrong = Object.entries(p.images).filter(([n, img]) => all.find((c) => c.name === n)?.image !== img);
    const rollout = rolloutStatus(dep);
    if (wrong.length > 0) return { ok: false, detail: `images not applied: ${wrong.map(([n]) => n).join(', ')}` };
    return { ok: rollout.done, detail: `images set; rollout ${rollout.done ? 'complete' : 'in progress'} (${rollout.detail})` };
  },
});

async function describe(ctx: RunContext, group: PullGroup, mirror: string): Promise<FindingInput> {
  const first = group.failures[0] as PullGroup['failures'][number];
  const what = `${group.workload.kind} ${group.workload.name}`;
  const evidence = pullEvidence(group);
  const resource = { kind: group.workload.kind, name: group.workload.name, namespace: group.namespace };
  if (group.circular && ctx.harborConfig) {
    const h = ctx.harborConfig;
    evidence.push(`registry host ${first.registry} is harbor/${h.name}'s own host (url ${h.url}${h.aliases.length ? `, aliases ${h.aliases.join(', ')}` : ''})`);
    const project = parseImageRef(first.image).repository.split('/')[0];
    if (project) evidence.push(await describeProxyCacheProject(ctx.harbor(), project, ctx.signal));
    return {
      cause: 'circular-image-dependency',
      title: `Harbor ${group.harborComponent} pulls its image from the Harbor it belongs to (${first.registry})`,
      summary: `${what} of the Harbor release pulls ${first.image} from this same Harbor, which cannot serve while its own pods are down: the pull can never succeed. Point the images at an independent source (${mirror})${group.workload.kind === 'Deployment' ? '' : ` in the chart values (a ${group.workload.kind} is not patched by the bot)`} and keep Harbor's own images out of Harbor.`,
      resource,
      evidence,
    };
  }
  const harbor = group.harborComponent !== undefined;
  return {
    cause: 'image-pull-failed',
    severity: harbor ? 'critical' : 'warning',
    title: `${what} cannot pull ${first.image} (${first.kind})`,
    summary: `${pullFailureText[first.kind]} (${first.registry}). ${harbor ? `Critical: ${group.harborComponent} is a Harbor component, so Harbor is degraded until it pulls.` : 'A warning: this pod is not part of the Harbor release.'}`,
    resource,
    evidence,
  };
}

export default defineCheck({
  id: 'image-pull',
  title: 'Image pulls',
  description:
    "Finds pods of the Harbor release (allNamespaces=true: of every namespace) waiting in ErrImagePull/ImagePullBackOff. An image whose registry host is this Harbor's own host or alias is a bootstrap cycle (circular-image-dependency), decided from the cluster alone; otherwise the kubelet's reason is classified (not found, unauthorized, rate limited, upstream unreachable). Proposes moving Harbor's Deployments to an independent image source.",
  appliesTo: ['cluster'],
  causes: ['circular-image-dependency', 'image-pull-failed', 'check-failed'],
  params: z.strictObject({ allNamespaces: z.boolean().default(false) }),
  remediations: [setDeploymentImages],
  async run(ctx) {
    const kube = ctx.kube();
    const pods = ctx.params.allNamespaces ? await listAllPods(kube) : await listReleasePods(kube);
    const isRelease = (p: (typeof pods)[number]) => p.metadata?.namespace === kube.namespace && p.metadata?.labels?.release === kube.release && p.metadata?.labels?.app === 'harbor';
    const findings: FindingInput[] = pods.some(isRelease) ? [] : [await releaseMissingFinding(kube, 'Image pulls')];
    const failingNs = [...new Set(pods.filter((p) => failingPulls(p).length > 0).map((p) => p.metadata?.namespace ?? ''))];
    if (failingNs.length === 0) return findings;
    const events = new Map(await Promise.all(failingNs.map(async (ns) => [ns, await listEventsByObject(kube, ns)] as const)));
    const replicaSets = failingNs.includes(kube.namespace) ? await listReleaseReplicaSets(kube) : [];
    const harbor = ctx.harborConfig ? { url: ctx.harborConfig.url, aliases: ctx.harborConfig.aliases } : undefined;
    const mirror = ctx.clusterConfig?.imageMirror ?? 'docker.io/goharbor';
    for (const group of groupPullFailures({ pods, replicaSets, events, namespace: kube.namespace, release: kube.release, harbor })) {
      const finding = await describe(ctx, group, mirror);
      const fix = group.harborComponent && group.workload.kind === 'Deployment' ? await proposeImages(ctx, group, mirror) : undefined;
      findings.push(fix ? { ...finding, remediations: [fix] } : finding);
    }
    return findings;
  },
});

async function proposeImages(ctx: RunContext, group: PullGroup, mirror: string) {
  const images: Record<string, string> = {};
  for (const [container, { image }] of failingImagesByContainer(group)) {
    const target = independentImage(image, mirror);
    if (target !== image) images[container] = target;
  }
  if (Object.keys(images).length === 0 || !ctx.clusterConfig) return undefined;
  const dep = await readDeployment(ctx.kube(), group.namespace, group.workload.name);
  const params = { cluster: ctx.clusterConfig.name, namespace: group.namespace, deployment: group.workload.name, resourceVersion: dep.metadata?.resourceVersion ?? '', images };
  return propose(setDeploymentImages, params, `Pull ${group.workload.name} images from ${mirror}`);
}
