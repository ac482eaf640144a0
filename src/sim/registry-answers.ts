import { randomBytes } from 'node:crypto';
import type { ArtifactSimState } from './harbor-artifacts-state.js';
import type { SimRequest, SimResponse } from './http-sim.js';

// The registry behind Harbor (CNCF distribution 2.8.2) as measured against the real one: the table
// "Measured on the real registry" in failure-modes.md. test/integration/real-registry.test.ts holds
// the simulator and the real registry to the same cases.

const err = (status: number, code: string, message: string, detail?: unknown): SimResponse => ({
  status,
  body: { errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }] },
});

/** A manifest GET/HEAD by digest, or by tag when Harbor asks the registry by tag. */
export function registryManifest(
  st: ArtifactSimState,
  req: SimRequest,
  repo: string,
  ref: string,
  digest: string,
): SimResponse {
  if (!ref.startsWith('sha256:') && st.storage.lostTags[`${repo}:${ref}`]) {
    return err(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { Tag: ref });
  }
  const doc = st.storage.manifests[digest];
  if (!doc) return err(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { Name: repo, Revision: digest });
  const headers = {
    'content-type': doc.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
    'docker-content-digest': digest,
  };
  return { status: 200, headers, body: req.method === 'HEAD' ? undefined : JSON.stringify(doc) };
}

/**
 * A blob GET/HEAD. With the blob-descriptor cache on, the registry answers from the cache: a blob
 * whose data storage lost or truncated gets 200/206 with the full promise and a body cut after
 * 0 bytes, and a deleted repository link goes unnoticed. Without it, storage answers: 404, or for
 * a truncated file an empty 200 and 416 for any range.
 */
export function registryBlob(
  st: ArtifactSimState,
  req: SimRequest,
  repo: string,
  digest: string,
  storageUrl: string,
): SimResponse {
  const cached = st.registryCache && !st.uncached[digest] ? st.pushed.blobs[digest] : undefined;
  const data = st.storage.blobs[digest];
  const linked = !st.storage.unlinked[`${repo}@${digest}`];
  if (cached === undefined && (data === undefined || !linked))
    return err(404, 'BLOB_UNKNOWN', 'blob unknown to registry', digest);
  const common = {
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    'content-type': 'application/octet-stream',
  };
  if (st.storage.redirect) {
    const signature = randomBytes(8).toString('hex');
    return {
      status: 307,
      headers: { ...common, location: `${storageUrl}/${digest}?X-Amz-Signature=${signature}`, 'content-length': '0' },
    };
  }
  const size = cached ?? (data as number);
  const held = data ?? 0;
  return bytes(req, size, held, common);
}

/** What an S3-like store answers for a signed blob URL. */
export function storageObject(st: ArtifactSimState, req: SimRequest, digest: string): SimResponse {
  const data = st.storage.blobs[digest];
  if (data === undefined)
    return {
      status: 404,
      headers: { 'content-type': 'application/xml' },
      body: s3Error('NoSuchKey', 'The specified key does not exist.'),
    };
  return bytes(req, data, data, { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' });
}

/** Answers for `size` promised bytes of which storage holds `held`: whole, ranged, empty (416) or cut. */
function bytes(req: SimRequest, size: number, held: number, headers: Record<string, string>): SimResponse {
  const ranged = /^bytes=0-0$/.test(String(req.headers.range ?? ''));
  if (held < size) {
    // Headers promise the body; the data read fails after them, so the connection closes.
    const promised: Record<string, string> = ranged
      ? { 'content-range': `bytes 0-0/${size}`, 'content-length': '1' }
      : { 'content-length': String(size) };
    return { status: ranged ? 206 : 200, headers: { ...headers, ...promised }, body: '', cut: req.method !== 'HEAD' };
  }
  if (ranged && size === 0)
    return { status: 416, headers: { ...headers, 'content-range': 'bytes */0', 'content-length': '0' } };
  if (req.method === 'HEAD') return { status: 200, headers: { ...headers, 'content-length': String(size) } };
  if (ranged) return { status: 206, headers: { ...headers, 'content-range': `bytes 0-0/${size}` }, body: 'x' };
  return { status: 200, headers, body: 'x'.repeat(size) };
}

function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}
