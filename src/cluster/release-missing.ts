import type { FindingInput } from '../checks/define.js';
import type { KubeClients } from '../kube/client.js';
import { describeMissingRelease } from '../kube/release.js';

/**
 * The finding for a configured release that is not there: a wrong namespace or release name in the
 * configuration, or an uninstalled Harbor. Clearer than an empty pass.
 */
export async function releaseMissingFinding(kube: KubeClients, checkTitle: string): Promise<FindingInput> {
  const why = await describeMissingRelease(kube);
  return {
    cause: 'check-failed',
    title: `${checkTitle}: no Harbor release "${kube.release}" in namespace "${kube.namespace}"`,
    summary:
      `${why}, so nothing of the release could be checked. Check clusters[].namespace and ` +
      `clusters[].release in the configuration (the chart labels pods app=harbor,release=<release>), or whether ` +
      `Harbor is installed.`,
    resource: { kind: 'Namespace', name: kube.namespace, namespace: null },
    evidence: [`list pods in ${kube.namespace} with labelSelector ${kube.releaseSelector}: 0 items`, why],
  };
}
