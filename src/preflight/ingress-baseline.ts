import { changedPaths } from '../cluster/diff.js';
import { UserInputError } from '../errors.js';
import { deployedAndPrevious, listHelmRevisions, manifestObjects } from '../kube/helm-release.js';
import { defineGate, fail, pass } from './gate.js';

/** The parts of an Ingress that route traffic: annotations Helm did not add, class, TLS and rules. */
export function ingressShape(obj: { metadata?: { annotations?: Record<string, string> }; spec?: unknown }): unknown {
  const annotations = Object.fromEntries(
    Object.entries(obj.metadata?.annotations ?? {}).filter(([k]) => !k.startsWith('meta.helm.sh/') && k !== 'kubectl.kubernetes.io/last-applied-configuration'),
  );
  return JSON.parse(JSON.stringify({ annotations, spec: obj.spec ?? {} }));
}

export const ingressBaselineGate = defineGate({
  id: 'ingress-baseline',
  title: 'A known-good Ingress to compare with after the upgrade',
  on: 'cluster',
  causes: ['ingress-baseline-missing', 'ingress-drift'],
  async run(ctx) {
    const kube = ctx.kube();
    const { deployed } = deployedAndPrevious(await listHelmRevisions(kube));
    if (!deployed) throw new UserInputError(`no deployed Helm revision of release ${kube.release} in namespace ${kube.namespace}`);
    const rendered = manifestObjects(deployed.manifest).filter((o) => o.kind === 'Ingress');
    const live = (await kube.call({ verb: 'list', resource: 'ingresses', namespace: kube.namespace }, () => kube.networking.listNamespacedIngress({ namespace: kube.namespace }))).items;
    const resource = (name: string) => ({ kind: 'Ingress', name, namespace: kube.namespace });
    if (rendered.length === 0 && live.length === 0) return pass(`Harbor is not exposed through an Ingress in ${kube.namespace} (nothing to compare)`);
    const unmanaged = live.filter((l) => !rendered.some((r) => r.metadata?.name === l.metadata?.name));
    if (rendered.length === 0 || unmanaged.length > 0) {
      const name = unmanaged[0]?.metadata?.name ?? rendered[0]?.metadata?.name ?? 'ingress';
      return fail({
        cause: 'ingress-baseline-missing',
        title: `Ingress ${name} is not part of Helm revision ${deployed.version}: nothing to compare with after the upgrade`,
        summary: `If the Ingress is edited during the upgrade (failure mode A2: pods Running, URL 503), there is no known-good copy to restore. Save it now (kubectl -n ${kube.namespace} get ingress ${name} -o yaml > ingress-before-upgrade.yaml), or let the chart render it (expose.type=ingress).`,
        resource: resource(name),
        evidence: [`live Ingresses: ${live.map((l) => l.metadata?.name).join(', ') || 'none'}`, `Ingresses in Helm revision ${deployed.version}: ${rendered.map((r) => r.metadata?.name).join(', ') || 'none'}`],
      });
    }
    for (const r of rendered) {
      const l = live.find((x) => x.metadata?.name === r.metadata?.name);
      const changed = l ? changedPaths(ingressShape(r), ingressShape(l)) : ['(missing)'];
      if (changed.length === 0) continue;
      const name = r.metadata?.name ?? 'ingress';
      return fail({
        cause: l ? 'ingress-drift' : 'ingress-baseline-missing',
        title: l ? `Ingress ${name} already differs from Helm revision ${deployed.version}` : `Ingress ${name} of Helm revision ${deployed.version} does not exist`,
        summary: l
          ? `Hand edits (${changed.slice(0, 4).join(', ')}) are overwritten by the upgrade, and afterwards the rendered Ingress is no baseline for what really served traffic. Fold the edits into the chart values, or save the live Ingress before upgrading.`
          : 'The release renders an Ingress that is not there; find out what replaced it before upgrading.',
        resource: resource(name),
        evidence: changed.slice(0, 10).map((p) => `differs from the release: ${p}`),
      });
    }
    return pass(`Ingress ${rendered.map((r) => r.metadata?.name).join(', ')} matches Helm revision ${deployed.version}: the baseline for after the upgrade`);
  },
});
