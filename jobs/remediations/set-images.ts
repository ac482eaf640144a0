import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import * as z from 'zod';
import {
  defineRemediation,
  type RemediationOutcome,
  type RemediationPlan,
  type RunContext,
} from '../../src/checks/define.js';
import {
  deploymentPatchTarget,
  executePatch,
  forbiddenRefusal,
  planPatch,
  statefulSetPatchTarget,
  type PatchSpec,
} from '../../src/cluster/patch-plan.js';
import { UpstreamError } from '../../src/errors.js';
import {
  deletePodByUid,
  readDeployment,
  readPodIfAny,
  readStatefulSet,
  rolloutStatus,
  statefulSetRolloutStatus,
} from '../../src/kube/patch.js';
import { pollUntil } from '../../src/kube/poll.js';
import { podReady } from '../../src/kube/release.js';

const images = z
  .record(z.string(), z.string().min(1))
  .refine((m) => Object.keys(m).length > 0, { error: 'name at least one container' });
const workload = {
  cluster: z.string().min(1),
  namespace: z.string().min(1),
  resourceVersion: z.string().min(1),
  images,
};

const deploymentParams = z.strictObject({ ...workload, deployment: z.string().min(1) });
const statefulSetParams = z.strictObject({
  ...workload,
  statefulset: z.string().min(1),
  /** The pods the finding saw stuck pulling (name and uid): replaced once the template is fixed. */
  pods: z.array(z.strictObject({ name: z.string().min(1), uid: z.string().min(1) })).default([]),
});
type StatefulSetParams = z.infer<typeof statefulSetParams>;

type Workload = V1Deployment | V1StatefulSet;
type Target<T extends Workload> = Pick<
  PatchSpec<T>,
  'kind' | 'namespace' | 'name' | 'resourceVersion' | 'apiPath' | 'read' | 'patch'
>;

function containersOf(w: Workload) {
  return {
    containers: (w.spec?.template.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image })),
    initContainers: (w.spec?.template.spec?.initContainers ?? []).map((c) => ({ name: c.name, image: c.image })),
  };
}

/** Sets the named containers' images of a workload's pod template: the patch both remediations make. */
function imagesSpec<T extends Workload>(target: Target<T>, images: Record<string, string>): PatchSpec<T> {
  return {
    ...target,
    summary: `Set the images of ${target.kind} ${target.namespace}/${target.name}: ${Object.entries(images)
      .map(([c, i]) => `${c}=${i}`)
      .join(', ')}`,
    build(current) {
      const { containers, initContainers } = containersOf(current);
      const missing = Object.keys(images).filter((n) => ![...containers, ...initContainers].some((c) => c.name === n));
      if (missing.length > 0) return { refuse: `${target.kind} ${target.name} has no container ${missing.join(', ')}` };
      const pick = (list: { name: string }[]) =>
        list.filter((c) => c.name in images).map((c) => ({ name: c.name, image: images[c.name] }));
      const spec: Record<string, unknown> = { containers: pick(containers) };
      if (pick(initContainers).length > 0) spec.initContainers = pick(initContainers);
      return { body: { spec: { template: { spec } } } };
    },
    project: containersOf,
  };
}

/** Waits for the workload's rollout, then checks that every named container runs the wanted image. */
async function verifyImages<T extends Workload>(
  ctx: RunContext,
  read: () => Promise<T>,
  status: (w: T) => { done: boolean; detail: string },
  images: Record<string, string>,
): Promise<RemediationOutcome> {
  const w = await pollUntil(read, (x) => status(x).done, { signal: ctx.signal });
  const { containers, initContainers } = containersOf(w);
  const wrong = Object.keys(images).filter(
    (n) => [...containers, ...initContainers].find((c) => c.name === n)?.image !== images[n],
  );
  if (wrong.length > 0) return { ok: false, detail: `images not applied: ${wrong.join(', ')}` };
  const rollout = status(w);
  return {
    ok: rollout.done,
    detail: `images set; rollout ${rollout.done ? 'complete' : 'in progress'} (${rollout.detail})`,
  };
}

const deploymentSpec = (ctx: RunContext, p: z.infer<typeof deploymentParams>) =>
  imagesSpec(deploymentPatchTarget(ctx.kube(), p), p.images);
const statefulSetSpec = (ctx: RunContext, p: StatefulSetParams) =>
  imagesSpec(statefulSetPatchTarget(ctx.kube(), p), p.images);

export const setDeploymentImages = defineRemediation({
  id: 'set-deployment-images',
  title: 'Point the Deployment at independent images',
  description:
    "Patches a Deployment's container images (strategic merge patch, field manager harbor-pilot) so it no longer " +
    'pulls from a source that cannot serve, e.g. the Harbor being upgraded. Dry-run and diff first; refuses when ' +
    'the Deployment changed since the finding.',
  risk: 'medium',
  targetKind: 'cluster',
  params: deploymentParams,
  plan: (ctx, p) => planPatch(deploymentSpec(ctx, p)),
  execute: (ctx, p, plan) => executePatch(deploymentSpec(ctx, p), plan),
  verify: (ctx, p) =>
    verifyImages(ctx, () => readDeployment(ctx.kube(), p.namespace, p.deployment), rolloutStatus, p.images),
});

/** The pods of the finding still there, same uid, not ready: the ones the StatefulSet would wait on forever. */
async function stuckPods(ctx: RunContext, p: StatefulSetParams): Promise<{ name: string; uid: string }[]> {
  const out: { name: string; uid: string }[] = [];
  for (const want of p.pods) {
    const pod = await readPodIfAny(ctx.kube(), p.namespace, want.name);
    if (pod && pod.metadata?.uid === want.uid && !podReady(pod)) out.push(want);
  }
  return out;
}

const deleteLine = (p: StatefulSetParams, pod: { name: string; uid: string }) =>
  `DELETE /api/v1/namespaces/${p.namespace}/pods/${pod.name} (precondition uid ${pod.uid})`;

export const setStatefulSetImages = defineRemediation({
  id: 'set-statefulset-images',
  title: 'Point the StatefulSet at independent images and replace its stuck pods',
  description:
    "Patches a StatefulSet's container images (strategic merge patch, field manager harbor-pilot), then deletes " +
    'the pods the finding saw stuck pulling (uid precondition). With the default OrderedReady policy a ' +
    'StatefulSet waits forever on a pod that never became ready, even once its template is fixed, so the stuck ' +
    'pod must go for the controller to recreate it from the new template. Dry-run and diff first; refuses when ' +
    'the StatefulSet changed since the finding.',
  risk: 'medium',
  targetKind: 'cluster',
  params: statefulSetParams,
  async plan(ctx, p): Promise<RemediationPlan> {
    const plan = await planPatch(statefulSetSpec(ctx, p));
    if (plan.refuse) return plan;
    const stuck = await stuckPods(ctx, p);
    try {
      for (const pod of stuck) await deletePodByUid(ctx.kube(), { namespace: p.namespace, ...pod }, true);
    } catch (err) {
      const refuse = forbiddenRefusal(err);
      if (refuse) return { ...plan, requests: [...plan.requests, ...stuck.map((pod) => deleteLine(p, pod))], refuse };
      throw err;
    }
    const deletions = stuck.map(
      (pod) =>
        `- pod ${p.namespace}/${pod.name} (uid ${pod.uid}, stuck pulling)\n+ (deleted; StatefulSet ` +
        `${p.statefulset} recreates it from the new template)`,
    );
    return {
      ...plan,
      summary:
        stuck.length > 0
          ? `${plan.summary}; then delete ${stuck.map((s) => s.name).join(', ')} so it is recreated`
          : plan.summary,
      requests: [
        ...plan.requests,
        ...stuck.flatMap((pod) => [deleteLine(p, pod), `dry run: DELETE .../pods/${pod.name}?dryRun=All accepted`]),
      ],
      diff: [plan.diff, ...deletions].filter(Boolean).join('\n'),
    };
  },
  async execute(ctx, p, plan) {
    const stuck = await stuckPods(ctx, p);
    const patched = await executePatch(statefulSetSpec(ctx, p), plan);
    if (!patched.ok) return patched;
    const deleted: string[] = [];
    for (const pod of stuck) {
      try {
        await deletePodByUid(ctx.kube(), { namespace: p.namespace, ...pod }, false);
        deleted.push(pod.name);
      } catch (err) {
        // Replaced or gone meanwhile: the controller already did what the deletion was for.
        if (!(err instanceof UpstreamError && (err.status === 404 || err.status === 409))) throw err;
      }
    }
    return {
      ok: true,
      detail: `${patched.detail}${deleted.length > 0 ? `; deleted stuck pod ${deleted.join(', ')}` : ''}`,
    };
  },
  verify: (ctx, p) =>
    verifyImages(
      ctx,
      () => readStatefulSet(ctx.kube(), p.namespace, p.statefulset),
      statefulSetRolloutStatus,
      p.images,
    ),
});
