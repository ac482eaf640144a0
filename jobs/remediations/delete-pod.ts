import type { V1Pod } from '@kubernetes/client-node';
import * as z from 'zod';
import { defineRemediation, type RemediationPlan, type RunContext } from '../../src/checks/define.js';
import { forbiddenRefusal } from '../../src/cluster/patch-plan.js';
import { UpstreamError } from '../../src/errors.js';
import { deletePodByUid, readPodIfAny } from '../../src/kube/patch.js';
import { pollUntil } from '../../src/kube/poll.js';
import { controllerOf, podReady } from '../../src/kube/release.js';

const params = z.strictObject({
  cluster: z.string().min(1),
  namespace: z.string().min(1),
  name: z.string().min(1),
  /** The pod the finding saw. A pod's resourceVersion moves with every kubelet status update, so identity is its
   * uid. */
  uid: z.string().min(1),
  resourceVersion: z.string().min(1).optional(),
});
type Params = z.infer<typeof params>;

const readPod = (ctx: RunContext, p: Params) => readPodIfAny(ctx.kube(), p.namespace, p.name);
const deletePod = (ctx: RunContext, p: Params, dryRun: boolean) => deletePodByUid(ctx.kube(), p, dryRun);

/** Why the pod may not be deleted now, if it may not. */
function refusal(pod: V1Pod | undefined, p: Params): string | undefined {
  if (!pod) return `pod ${p.namespace}/${p.name} no longer exists`;
  if (pod.metadata?.uid !== p.uid)
    return `pod ${p.name} was replaced since the finding (uid ${p.uid} → ${pod.metadata?.uid})`;
  if (podReady(pod)) return `pod ${p.name} is running and ready now: nothing to unstick`;
  return undefined;
}

function describePod(pod: V1Pod): string {
  const waiting = (pod.status?.containerStatuses ?? [])
    .map((s) => `${s.name} ${s.state?.waiting?.reason ?? (s.ready ? 'ready' : 'not ready')}`)
    .join(', ');
  return (
    `pod ${pod.metadata?.namespace}/${pod.metadata?.name} (uid ${pod.metadata?.uid}, ${pod.status?.phase}; ` +
    `${waiting})`
  );
}

export const deletePodRemediation = defineRemediation({
  id: 'delete-pod',
  title: 'Delete the stuck pod',
  description:
    'Deletes one pod (with a uid precondition) so its controller creates a fresh one that pulls and starts ' +
    'again. Dry-run first; refuses when the pod was replaced or has recovered since the finding.',
  risk: 'low',
  targetKind: 'cluster',
  params,
  async plan(ctx, p): Promise<RemediationPlan> {
    const summary = `Delete pod ${p.namespace}/${p.name}`;
    const requests = [`DELETE /api/v1/namespaces/${p.namespace}/pods/${p.name} (precondition uid ${p.uid})`];
    const pod = await readPod(ctx, p);
    const refuse = refusal(pod, p);
    if (refuse || !pod) return { summary, requests, refuse: refuse ?? 'gone' };
    try {
      await deletePod(ctx, p, true);
    } catch (err) {
      const forbidden = forbiddenRefusal(err);
      if (forbidden) return { summary, requests, refuse: forbidden };
      throw err;
    }
    const owner = controllerOf(pod);
    const diff =
      `- ${describePod(pod)}\n+ ` +
      `(deleted${owner ? `; ${owner.kind} ${owner.name} creates a replacement` : '; nothing recreates it'})`;
    return {
      summary,
      requests: [...requests, `dry run: DELETE ...?dryRun=All accepted`],
      diff,
      expect: { uid: p.uid },
    };
  },
  async execute(ctx, p, plan) {
    if (plan.refuse) return { ok: false, detail: `not run: ${plan.refuse}` };
    const refuse = refusal(await readPod(ctx, p), p);
    if (refuse) return { ok: false, detail: `not run: ${refuse}` };
    try {
      await deletePod(ctx, p, false);
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 409)
        return { ok: false, detail: `not run: pod ${p.name} changed between plan and execution (409 Conflict)` };
      throw err;
    }
    return { ok: true, detail: `deleted pod ${p.namespace}/${p.name}` };
  },
  async verify(ctx, p) {
    const pod = await pollUntil(
      () => readPod(ctx, p),
      (x) => !x || x.metadata?.uid !== p.uid,
      { signal: ctx.signal, timeoutMs: 60_000 },
    );
    if (!pod) return { ok: true, detail: `pod ${p.name} is gone` };
    if (pod.metadata?.uid !== p.uid)
      return { ok: true, detail: `pod ${p.name} was recreated (uid ${pod.metadata?.uid})` };
    return {
      ok: false,
      detail: pod.metadata?.deletionTimestamp ? `pod ${p.name} is still terminating` : `pod ${p.name} still exists`,
    };
  },
});
