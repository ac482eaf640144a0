import { createHash } from 'node:crypto';
import { rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../harbor/artifact-schemas.js';

// Content for a real registry through its HTTP API (monolithic upload: POST then PUT with the
// digest; manifest PUT by tag), and storage broken the ways failure-modes.md measured.

export type Descriptor = {
  mediaType: string;
  digest: string;
  size: number;
};

export interface PushedImage {
  repository: string;
  tags: string[];
  digest: string;
  manifest: { schemaVersion: number; mediaType: string; config: Descriptor; layers: Descriptor[] };
  /** Manifest, config and layer bytes, as Harbor would record the artifact's size. */
  size: number;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const manifestType = 'application/vnd.oci.image.manifest.v1+json';

async function expect(res: Response, status: number, what: string): Promise<Response> {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res;
}

/** Uploads one blob (POST, then PUT with its digest) and returns its descriptor. */
export async function pushBlob(url: string, repository: string, data: Buffer, mediaType: string): Promise<Descriptor> {
  const digest = sha256(data);
  const started = await expect(
    await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST' }),
    202,
    `POST upload ${repository}`,
  );
  await started.text();
  const location = new URL(started.headers.get('location') ?? '', url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    body: new Uint8Array(data),
    headers: { 'content-type': 'application/octet-stream' },
  });
  await (await expect(put, 201, `PUT blob ${digest}`)).text();
  return { mediaType, digest, size: data.length };
}

/** PUTs a manifest by each tag (by digest when there is none); returns its digest. */
export async function pushManifest(url: string, repository: string, doc: Manifest, tags: string[]): Promise<string> {
  const body = Buffer.from(JSON.stringify(doc));
  const digest = sha256(body);
  for (const ref of tags.length > 0 ? tags : [digest]) {
    const put = await fetch(`${url}/v2/${repository}/manifests/${encodeURIComponent(ref)}`, {
      method: 'PUT',
      body: new Uint8Array(body),
      headers: { 'content-type': manifestType },
    });
    await (await expect(put, 201, `PUT manifest ${repository}:${ref}`)).text();
  }
  return digest;
}

/** A small image of its own (config and `layers` layers whose bytes derive from `seed`). */
export async function pushImage(
  url: string,
  repository: string,
  tags: string[],
  seed: string,
  layers = 2,
): Promise<PushedImage> {
  const config = await pushBlob(
    url,
    repository,
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed })),
    'application/vnd.oci.image.config.v1+json',
  );
  const own: Descriptor[] = [];
  for (let i = 0; i < layers; i++)
    own.push(
      await pushBlob(
        url,
        repository,
        Buffer.from(`${seed} layer ${i}\n`),
        'application/vnd.oci.image.layer.v1.tar+gzip',
      ),
    );
  const manifest = { schemaVersion: 2, mediaType: manifestType, config, layers: own };
  const digest = await pushManifest(url, repository, manifest, tags);
  const size = Buffer.byteLength(JSON.stringify(manifest)) + config.size + own.reduce((n, l) => n + l.size, 0);
  return { repository, tags, digest, manifest, size };
}

/** Where distribution's filesystem driver keeps each piece (`<root>/docker/registry/v2/...`). */
export function storagePaths(root: string) {
  const v2 = join(root, 'docker', 'registry', 'v2');
  const hex = (digest: string) => digest.replace(/^sha256:/, '');
  return {
    blobData: (digest: string) => join(v2, 'blobs', 'sha256', hex(digest).slice(0, 2), hex(digest), 'data'),
    layerLink: (repository: string, digest: string) =>
      join(v2, 'repositories', repository, '_layers', 'sha256', hex(digest), 'link'),
    tagLink: (repository: string, tag: string) =>
      join(v2, 'repositories', repository, '_manifests', 'tags', tag, 'current', 'link'),
  };
}

/** Storage losses, one per row of the table "Measured on the real registry". */
export function breakStorage(root: string) {
  const p = storagePaths(root);
  return {
    /** The blob's data file is gone (a layer or config; with a manifest digest, the manifest revision data). */
    deleteData: (digest: string) => rmSync(p.blobData(digest)),
    /** The blob's data file is truncated to 0 B. */
    truncateData: (digest: string) => truncateSync(p.blobData(digest), 0),
    deleteTagLink: (repository: string, tag: string) => rmSync(p.tagLink(repository, tag)),
    deleteLayerLink: (repository: string, digest: string) => rmSync(p.layerLink(repository, digest)),
  };
}
