import { gunzipSync, gzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import * as z from 'zod';
import type { KubeClients } from './client.js';

/** The part of Helm's release record (helm/pkg/release.Release) the checks read. */
export const helmReleaseSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  version: z.number().int(),
  info: z.looseObject({ status: z.string(), last_deployed: z.string().optional() }),
  chart: z
    .looseObject({
      metadata: z.looseObject({ name: z.string(), version: z.string(), appVersion: z.string().optional() }),
    })
    .optional(),
  manifest: z.string().default(''),
});
export type HelmRelease = z.infer<typeof helmReleaseSchema>;

export interface ManifestObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec?: unknown;
  [k: string]: unknown;
}

/**
 * Decodes the `release` key of a `sh.helm.release.v1.*` Secret: the API's base64 of Helm's base64 of
 * gzip of JSON. `data` is the Secret's data value as the API returns it (base64 text).
 */
export function decodeHelmRelease(data: string): HelmRelease {
  const helmEncoded = Buffer.from(data, 'base64').toString('utf8');
  let raw = Buffer.from(helmEncoded, 'base64');
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
  return helmReleaseSchema.parse(JSON.parse(raw.toString('utf8')));
}

/** The inverse of decodeHelmRelease, for simulators and tests: what goes into Secret `data.release`. */
export function encodeHelmRelease(release: unknown): string {
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  return Buffer.from(helmEncoded).toString('base64');
}

/** The objects of a rendered manifest (a multi-document YAML string). */
export function manifestObjects(manifest: string): ManifestObject[] {
  return parseAllDocuments(manifest)
    .map((d) => d.toJSON() as unknown)
    .filter((o): o is ManifestObject => !!o && typeof o === 'object' && 'kind' in o);
}

/**
 * Every stored revision of a Helm release (Secrets labelled `owner=helm,name=<release>`), oldest
 * first. Reading them needs `list secrets`; only the `release` key is decoded, nothing is kept.
 */
export async function listHelmRevisions(
  kube: KubeClients,
  namespace = kube.namespace,
  release = kube.release,
): Promise<HelmRelease[]> {
  const list = await kube.call({ verb: 'list', resource: 'secrets', namespace }, () =>
    kube.core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${release}` }),
  );
  return list.items
    .filter((s) => s.type === 'helm.sh/release.v1' && typeof s.data?.release === 'string')
    .map((s) => decodeHelmRelease(s.data?.release as string))
    .sort((a, b) => a.version - b.version);
}

/** The deployed revision and the one before it. */
export function deployedAndPrevious(revisions: readonly HelmRelease[]): {
  deployed?: HelmRelease;
  previous?: HelmRelease;
} {
  const deployed = [...revisions].reverse().find((r) => r.info.status === 'deployed');
  const previous = deployed ? [...revisions].reverse().find((r) => r.version < deployed.version) : undefined;
  return { deployed, previous };
}
