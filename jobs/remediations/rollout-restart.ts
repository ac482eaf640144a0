import type { V1Deployment } from '@kubernetes/client-node';
import * as z from 'zod';
import { defineRemediation, type RunContext } from '../../src/checks/define.js';
import { deploymentPatchTarget, executePatch, planPatch, type PatchSpec } from '../../src/cluster/patch-plan.js';
import { readDeployment, rolloutStatus } from '../../src/kube/patch.js';
import { pollUntil } from '../../src/kube/poll.js';

const restartedAt = 'kubectl.kubernetes.io/restartedAt';

const params = z.strictObject({
  cluster: z.string().min(1),
  namespace: z.string().min(1),
  deployment: z.string().min(1),
  resourceVersion: z.string().min(1),
});
type Params = z.infer<typeof params>;

function restartSpec(ctx: RunContext, p: Params): PatchSpec<V1Deployment> {
  const kube = ctx.kube();
  return {
    ...deploymentPatchTarget(kube, p),
    summary:
      `Rollout restart of Deployment ${p.namespace}/${p.deployment}: every pod is replaced, one batch at ` +
      `a time, and reads its Secrets afresh`,
    // What `kubectl rollout restart` does: a new pod template annotation starts a fresh rollout.
    build: () => ({
      body: { spec: { template: { metadata: { annotations: { [restartedAt]: ctx.now().toISOString() } } } } },
    }),
    project: (d) => ({
      'pod template restartedAt': d.spec?.template.metadata?.annotations?.[restartedAt] ?? '(never restarted)',
    }),
  };
}

export const rolloutRestart = defineRemediation({
  id: 'rollout-restart',
  title: 'Rollout restart of the Deployment',
  description:
    'Restarts every pod of a Deployment the way `kubectl rollout restart` does (a restartedAt annotation on the ' +
    'pod template, strategic merge patch by field manager harbor-pilot), so all replicas load the same Secrets. ' +
    'Dry-run first; refuses when the Deployment changed since the finding.',
  risk: 'medium',
  targetKind: 'cluster',
  params,
  plan: (ctx, p) => planPatch(restartSpec(ctx, p)),
  execute: (ctx, p, plan) => executePatch(restartSpec(ctx, p), plan),
  async verify(ctx, p) {
    const dep = await pollUntil(
      () => readDeployment(ctx.kube(), p.namespace, p.deployment),
      (d) => rolloutStatus(d).done,
      { signal: ctx.signal },
    );
    const at = dep.spec?.template.metadata?.annotations?.[restartedAt];
    if (!at) return { ok: false, detail: 'no restart recorded on the pod template' };
    const rollout = rolloutStatus(dep);
    return {
      ok: rollout.done,
      detail: `restarted at ${at}; rollout ${rollout.done ? 'complete' : 'in progress'} (${rollout.detail})`,
    };
  },
});
