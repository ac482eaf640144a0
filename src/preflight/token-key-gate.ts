import { UserInputError } from '../errors.js';
import { deployedAndPrevious, listHelmRevisions, type HelmRelease } from '../kube/helm-release.js';
import { defineGate, fail, pass } from './gate.js';

/** The user-supplied values of a release record (`helm get values`), which the schema keeps loosely. */
export function releaseValues(release: HelmRelease): Record<string, unknown> {
  const config = (release as { config?: unknown }).config;
  return config && typeof config === 'object' ? (config as Record<string, unknown>) : {};
}

const filled = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** How the values pin the token key, or undefined when the chart would generate a new one. */
export function tokenKeyPin(values: Record<string, unknown>): string | undefined {
  const core = (values.core ?? {}) as Record<string, unknown>;
  if (filled(core.secretName)) return `core.secretName=${String(core.secretName)}`;
  if (filled(core.tokenKey) && filled(core.tokenCert)) return 'core.tokenKey and core.tokenCert';
  return undefined;
}

export const tokenKeyGate = defineGate({
  id: 'token-key',
  title: 'The token service key survives the upgrade',
  on: 'cluster',
  causes: ['token-key-unpinned'],
  async run(ctx) {
    const kube = ctx.kube();
    const { deployed } = deployedAndPrevious(await listHelmRevisions(kube));
    if (!deployed)
      throw new UserInputError(
        `no deployed Helm revision of release ${kube.release} in namespace ${kube.namespace} (Secrets ` +
          `sh.helm.release.v1.${kube.release}.v*)`,
      );
    const pin = tokenKeyPin(releaseValues(deployed));
    if (pin) return pass(`Helm revision ${deployed.version} sets ${pin}: the key is kept`);
    return fail({
      cause: 'token-key-unpinned',
      title: `Helm release ${kube.release} does not pin the token key: the upgrade generates a new one`,
      summary:
        `Without core.secretName or core.tokenKey/tokenCert the chart renders a new token key on every ` +
        `upgrade. Core mounts it with subPath, so replicas that start at different times sign and verify with ` +
        `different keys and pushes fail now and then with "unauthorized" (failure mode C). Copy the current key ` +
        `(Secret ${kube.release.includes('harbor') ? kube.release : `${kube.release}-harbor`}-core, key tls.key) ` +
        `into a Secret of its own and set core.secretName before upgrading.`,
      resource: {
        kind: 'Secret',
        name: `sh.helm.release.v1.${kube.release}.v${deployed.version}`,
        namespace: kube.namespace,
      },
      evidence: [
        `helm get values ${kube.release} (revision ${deployed.version}): core.secretName, core.tokenKey and ` +
          `core.tokenCert are not set`,
      ],
    });
  },
});
