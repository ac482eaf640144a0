import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import * as z from 'zod';
import { defineCheck, defineRemediation, propose, type FindingInput, type RunContext } from '../src/checks/define.js';
import { ingressDrift, ingressView, restorePatch } from '../src/cluster/ingress-baseline.js';
import { baselineIngress, driftFinding, endpointFindings, externalFinding } from '../src/cluster/ingress-findings.js';
import { executePatch, planPatch, type PatchSpec } from '../src/cluster/patch-plan.js';
import { UpstreamError } from '../src/errors.js';
import type { KubeClients } from '../src/kube/client.js';
import { listHelmRevisions, type HelmRelease } from '../src/kube/helm-release.js';
import { patchIngress } from '../src/kube/patch.js';

const restoreParams = z.strictObject({
  cluster: z.string().min(1),
  namespace: z.string().min(1),
  name: z.string().min(1),
  resourceVersion: z.string().min(1),
  /** The Helm revision whose manifest is the baseline. */
  revision: z.number().int().positive(),
});
type RestoreParams = z.infer<typeof restoreParams>;

function readIngress(kube: KubeClients, namespace: string, name: string): Promise<V1Ingress> {
  return kube.call({ verb: 'get', resource: 'ingresses', namespace }, () =>
    kube.networking.readNamespacedIngress({ name, namespace }),
  );
}

async function baselineOf(ctx: RunContext, p: RestoreParams) {
  const revisions = await listHelmRevisions(ctx.kube(), p.namespace);
  return baselineIngress(
    revisions.find((r) => r.version === p.revision),
    p.name,
  );
}

function restoreSpec(ctx: RunContext, p: RestoreParams): PatchSpec<V1Ingress> {
  const kube = ctx.kube();
  return {
    kind: 'Ingress',
    namespace: p.namespace,
    name: p.name,
    resourceVersion: p.resourceVersion,
    apiPath: `/apis/networking.k8s.io/v1/namespaces/${p.namespace}/ingresses/${p.name}`,
    summary: `Restore Ingress ${p.namespace}/${p.name} (annotations and spec) from Helm revision ${p.revision}`,
    read: () => readIngress(kube, p.namespace, p.name),
    async build(current) {
      const base = await baselineOf(ctx, p);
      if (!base) return { refuse: `Helm revision ${p.revision} has no Ingress ${p.name}` };
      return { body: restorePatch(base, current) };
    },
    patch: (body, dryRun) => patchIngress(kube, { namespace: p.namespace, name: p.name, body, dryRun }),
    project: ingressView,
  };
}

export const restoreIngress = defineRemediation({
  id: 'restore-ingress',
  title: 'Restore the Ingress from the Helm release',
  description:
    "Puts the Ingress's annotations, class, TLS and rules back to what the deployed Helm revision rendered " +
    '(strategic merge patch, field manager harbor-pilot). Dry-run and diff first; refuses when the Ingress ' +
    'changed since the finding.',
  risk: 'medium',
  targetKind: 'cluster',
  params: restoreParams,
  plan: (ctx, p) => planPatch(restoreSpec(ctx, p)),
  execute: (ctx, p, plan) => executePatch(restoreSpec(ctx, p), plan),
  async verify(ctx, p) {
    const [live, base] = await Promise.all([readIngress(ctx.kube(), p.namespace, p.name), baselineOf(ctx, p)]);
    if (!base) return { ok: false, detail: `Helm revision ${p.revision} has no Ingress ${p.name}` };
    const drift = ingressDrift(base, live);
    return drift
      ? { ok: false, detail: `still differs from revision ${p.revision}:\n${drift}` }
      : { ok: true, detail: `Ingress ${p.name} matches Helm revision ${p.revision}` };
  },
});

async function revisionsOrNote(kube: KubeClients, findings: FindingInput[]): Promise<HelmRelease[]> {
  try {
    return await listHelmRevisions(kube);
  } catch (err) {
    if (!(err instanceof UpstreamError) || !err.forbidden) throw err;
    findings.push({
      cause: 'permission-denied',
      title: 'Ingress baseline not readable: the bot may not list secrets',
      summary:
        `The API server refused ${err.method} ${err.path} (${err.status}), so the Ingress was not ` +
        `compared with the Helm release. Grant the bot "list secrets" in ${kube.namespace} (Helm keeps releases ` +
        `in Secrets).`,
      resource: { kind: 'Namespace', name: kube.namespace, namespace: null },
      evidence: [err.detail],
    });
    return [];
  }
}

async function coreService(kube: KubeClients): Promise<{ name: string; port: string | number } | undefined> {
  const list = await kube.call({ verb: 'list', resource: 'services', namespace: kube.namespace }, () =>
    kube.core.listNamespacedService({ namespace: kube.namespace, labelSelector: kube.releaseSelector }),
  );
  const svc: V1Service | undefined = list.items.find((s) => s.metadata?.name?.endsWith('-core'));
  const port = svc?.spec?.ports?.[0];
  return svc?.metadata?.name ? { name: svc.metadata.name, port: port?.name ?? port?.port ?? 80 } : undefined;
}

export default defineCheck({
  id: 'ingress',
  title: 'Ingress and external reachability',
  description:
    "Compares the release's live Ingress with the manifest of the deployed Helm revision (and the one before) " +
    'and reports changed annotations, class, hosts or backends; reports backend Services without ready ' +
    'endpoints; and reports the external URL failing while core answers through the Kubernetes service proxy. ' +
    'Proposes restoring the Ingress from the release.',
  appliesTo: ['cluster'],
  causes: ['ingress-drift', 'ingress-no-endpoints', 'external-unreachable', 'permission-denied'],
  params: z.strictObject({}),
  remediations: [restoreIngress],
  async run(ctx) {
    const kube = ctx.kube();
    const findings: FindingInput[] = [];
    const list = await kube.call({ verb: 'list', resource: 'ingresses', namespace: kube.namespace }, () =>
      kube.networking.listNamespacedIngress({ namespace: kube.namespace, labelSelector: kube.releaseSelector }),
    );
    const revisions = list.items.length > 0 ? await revisionsOrNote(kube, findings) : [];
    for (const live of list.items) {
      const drift = driftFinding(live, revisions, kube.namespace);
      if (drift && ctx.clusterConfig) {
        const params = {
          cluster: ctx.clusterConfig.name,
          namespace: kube.namespace,
          name: live.metadata?.name ?? '',
          resourceVersion: live.metadata?.resourceVersion ?? '',
          revision: drift.revision,
        };
        findings.push({
          ...drift.finding,
          remediations: [propose(restoreIngress, params, `Restore ${params.name} from revision ${drift.revision}`)],
        });
      }
      findings.push(...(await endpointFindings(kube, live)));
    }
    const core = ctx.harborConfig ? await coreService(kube) : undefined;
    const external = core ? await externalFinding(kube, ctx.harbor(), core, ctx.signal) : undefined;
    if (external) findings.push(external);
    return findings;
  },
});
