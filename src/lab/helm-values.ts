import { decodeHelmRelease, encodeHelmRelease } from '../kube/helm-release.js';
import { shortHash } from '../sim/harbor-chart.js';
import type { HarborRelease } from '../sim/harbor-release.js';

/**
 * Sets the user-supplied values (`helm get values`, the release record's `config`) of every stored
 * revision of the release, as if each `helm upgrade` had been given them.
 */
export function setReleaseValues(r: HarborRelease, values: Record<string, unknown>): HarborRelease {
  for (const o of r.objects) {
    if (o.kind !== 'Secret' || o.type !== 'helm.sh/release.v1') continue;
    const data = o.data as { release?: string } | undefined;
    if (!data?.release) continue;
    const release = decodeHelmRelease(data.release);
    o.data = { ...data, release: encodeHelmRelease({ ...release, config: structuredClone(values) }) };
  }
  return r;
}

/**
 * Values that pin the token service key (`core.tokenKey`/`core.tokenCert`), so the chart stops
 * generating a new key on every render. The key is a placeholder, never real key material.
 */
export function pinnedTokenKeyValues(r: HarborRelease): Record<string, unknown> {
  const seed = shortHash(`${r.options.release}/pinned`, 32);
  return {
    expose: { type: 'ingress', ingress: { hosts: { core: r.options.host } } },
    externalURL: `https://${r.options.host}`,
    core: {
      tokenKey: `-----BEGIN RSA PRIVATE KEY-----\nSIMULATED-${seed}\n-----END RSA PRIVATE KEY-----\n`,
      tokenCert: `-----BEGIN CERTIFICATE-----\nSIMULATED-${seed}\n-----END CERTIFICATE-----\n`,
    },
  };
}
