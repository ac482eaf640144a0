import type { V1Ingress } from '@kubernetes/client-node';
import { ingressDrift } from '../cluster/ingress-baseline.js';
import { UserInputError } from '../errors.js';
import { deployedAndPrevious, listHelmRevisions, manifestObjects, type ManifestObject } from '../kube/helm-release.js';
import { defineGate, fail, pass, type GateOutcome } from './gate.js';

/** The first rendered Ingress that is missing or differs live, as a failed gate. */
function firstDrift(
  rendered: ManifestObject[],
  live: V1Ingress[],
  revision: number,
  namespace: string,
): GateOutcome | undefined {
  for (const r of rendered) {
    const l = live.find((x) => x.metadata?.name === r.metadata?.name);
    const diff = l ? ingressDrift(r, l) : '(missing)';
    if (!diff) continue;
    const lines = diff.split('\n');
    const changed = [...new Set(lines.map((x) => x.replace(/^[-+] /, '').replace(/: .*$/, '')))];
    const name = r.metadata?.name ?? 'ingress';
    return fail({
      cause: l ? 'ingress-drift' : 'ingress-baseline-missing',
      title: l
        ? `Ingress ${name} already differs from Helm revision ${revision}`
        : `Ingress ${name} of Helm revision ${revision} does not exist`,
      summary: l
        ? `Hand edits (${changed.slice(0, 4).join(', ')}) are overwritten by the upgrade, and afterwards the ` +
          `rendered Ingress is no baseline for what really served traffic. Fold the edits into the chart values, ` +
          `or save the live Ingress before upgrading.`
        : 'The release renders an Ingress that is not there; find out what replaced it before upgrading.',
      resource: { kind: 'Ingress', name, namespace },
      evidence: [`live Ingress ${name} against Helm revision ${revision}:`, ...lines.slice(0, 12).map((x) => `  ${x}`)],
    });
  }
  return undefined;
}

export const ingressBaselineGate = defineGate({
  id: 'ingress-baseline',
  title: 'A known-good Ingress to compare with after the upgrade',
  on: 'cluster',
  causes: ['ingress-baseline-missing', 'ingress-drift'],
  async run(ctx) {
    const kube = ctx.kube();
    const { deployed } = deployedAndPrevious(await listHelmRevisions(kube));
    if (!deployed)
      throw new UserInputError(`no deployed Helm revision of release ${kube.release} in namespace ${kube.namespace}`);
    const rendered = manifestObjects(deployed.manifest).filter((o) => o.kind === 'Ingress');
    const live = (
      await kube.call({ verb: 'list', resource: 'ingresses', namespace: kube.namespace }, () =>
        kube.networking.listNamespacedIngress({ namespace: kube.namespace }),
      )
    ).items;
    const resource = (name: string) => ({ kind: 'Ingress', name, namespace: kube.namespace });
    if (rendered.length === 0 && live.length === 0)
      return pass(`Harbor is not exposed through an Ingress in ${kube.namespace} (nothing to compare)`);
    const unmanaged = live.filter((l) => !rendered.some((r) => r.metadata?.name === l.metadata?.name));
    if (rendered.length === 0 || unmanaged.length > 0) {
      const name = unmanaged[0]?.metadata?.name ?? rendered[0]?.metadata?.name ?? 'ingress';
      return fail({
        cause: 'ingress-baseline-missing',
        title:
          `Ingress ${name} is not part of Helm revision ${deployed.version}: nothing to compare with after ` +
          `the upgrade`,
        summary:
          `If the Ingress is edited during the upgrade (failure mode A2: pods Running, URL 503), there is ` +
          `no known-good copy to restore. Save it now (kubectl -n ${kube.namespace} get ingress ${name} -o yaml ` +
          `> ingress-before-upgrade.yaml), or let the chart render it (expose.type=ingress).`,
        resource: resource(name),
        evidence: [
          `live Ingresses: ${live.map((l) => l.metadata?.name).join(', ') || 'none'}`,
          `Ingresses in Helm revision ${deployed.version}: ` +
            `${rendered.map((r) => r.metadata?.name).join(', ') || 'none'}`,
        ],
      });
    }
    const drift = firstDrift(rendered, live, deployed.version, kube.namespace);
    if (drift) return drift;
    return pass(
      `Ingress ${rendered.map((r) => r.metadata?.name).join(', ')} matches Helm revision ${deployed.version}: ` +
        `the baseline for after the upgrade`,
    );
  },
});
