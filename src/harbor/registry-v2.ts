import { UpstreamError } from '../errors.js';
import type { Http } from '../http.js';
import type { ProbeAnswer } from '../http-probe.js';
import { type Manifest, manifestAccept, manifestSchema, tokenSchema } from './artifact-schemas.js';
import { parseUpstream } from './parse.js';

/** A manifest GET or HEAD: the status, the document (GET, 200), the digest the registry named, its error code. */
export interface ManifestProbe {
  status: number;
  manifest: Manifest | null;
  /** Docker-Content-Digest of a 200 answer. */
  digest: string | null;
  /** The registry's error code of a 404 (`MANIFEST_UNKNOWN`), when the body carried one. */
  code: string | null;
}

/** A digest's `:` stays readable in paths and evidence; everything else is escaped. */
const registryPath = (repository: string, kind: 'manifests' | 'blobs', ref: string) =>
  `/v2/${repository.split('/').map(encodeURIComponent).join('/')}/${kind}/${readableRef(ref)}`;

const readableRef = (ref: string) => encodeURIComponent(ref).replace(/^sha256%3A/, 'sha256:');

/**
 * The registry API through Harbor (`/v2/...`) with pull tokens from `/service/token`. Probes are
 * the ones that reach storage (failure-modes.md, "Measured on the real registry"): a manifest GET
 * without If-None-Match, and a blob GET of one byte whose byte is actually read.
 */
export function registryApi(site: Http, auth?: { username: string; password: string }) {
  const basic = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : undefined;
  return {
    /** A bearer token to pull from `repository`; never logged or reported. */
    async pullToken(repository: string, signal?: AbortSignal): Promise<string> {
      const query = { service: 'harbor-registry', scope: `repository:${repository}:pull` };
      const req = { path: '/service/token', query, headers: basic, signal };
      const res = await site.request(req);
      const body = parseUpstream(tokenSchema, res.body, req);
      const token = body.token ?? body.access_token;
      if (!token) {
        const detail = 'token service answered without a token';
        throw new UpstreamError({
          service: 'registry',
          status: res.status,
          method: 'GET',
          path: req.path,
          detail,
          retryable: false,
        });
      }
      return token;
    },
    /** GET (the document) or HEAD (a tag's resolution only) of a manifest by digest or tag. */
    async probeManifest(
      repository: string,
      reference: string,
      token: string,
      method: 'GET' | 'HEAD' = 'GET',
      signal?: AbortSignal,
    ): Promise<ManifestProbe> {
      const headers = { authorization: `Bearer ${token}`, accept: manifestAccept };
      const req = { method, path: registryPath(repository, 'manifests', reference), headers, accept: [404], signal };
      const res = await site.request(req);
      if (res.status === 404) return { status: 404, manifest: null, digest: null, code: errorCode(res.body) };
      const digest = res.headers.get('docker-content-digest');
      if (method === 'HEAD') return { status: res.status, manifest: null, digest, code: null };
      const body = typeof res.body === 'string' ? safeJson(res.body) : res.body;
      return { status: res.status, manifest: parseUpstream(manifestSchema, body, req), digest, code: null };
    },
    /**
     * GET of a blob's first byte (`Range: bytes=0-0`), following a redirect to storage, with the byte
     * read: what the registry promised and what arrived are both in the answer. 404 and 416 are answers.
     */
    probeBlob(repository: string, digest: string, token: string, signal?: AbortSignal): Promise<ProbeAnswer> {
      const headers = { authorization: `Bearer ${token}`, range: 'bytes=0-0', accept: '*/*' };
      return site.probe({ path: registryPath(repository, 'blobs', digest), headers, accept: [404, 416], signal }, 1);
    },
    manifestPath: (repository: string, reference: string) => registryPath(repository, 'manifests', reference),
    blobPath: (repository: string, digest: string) => registryPath(repository, 'blobs', digest),
  };
}

/** The first error code of a registry (`{"errors":[{"code"}]}`) or S3-style (`<Code>`) error body. */
export function errorCode(body: unknown): string | null {
  if (body && typeof body === 'object') {
    const errors = (body as { errors?: { code?: unknown }[] }).errors;
    const code = Array.isArray(errors) ? errors[0]?.code : undefined;
    return typeof code === 'string' ? code : null;
  }
  if (typeof body === 'string') return /<Code>([^<]{1,64})<\/Code>/.exec(body)?.[1] ?? safeCode(safeJson(body));
  return null;
}

function safeCode(parsed: unknown): string | null {
  return typeof parsed === 'object' && parsed !== null ? errorCode(parsed) : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
