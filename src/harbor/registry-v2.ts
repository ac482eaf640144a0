import { UpstreamError } from '../errors.js';
import type { Http } from '../http.js';
import { parseUpstream } from './parse.js';
import { manifestAccept, manifestSchema, tokenSchema, type Manifest } from './artifact-schemas.js';

export interface ManifestProbe {
  status: number;
  manifest: Manifest | null;
}

const registryPath = (repository: string, kind: 'manifests' | 'blobs', ref: string) =>
  `/v2/${repository.split('/').map(encodeURIComponent).join('/')}/${kind}/${encodeURIComponent(ref)}`;

/**
 * The registry API through Harbor (`/v2/...`) with pull tokens from `/service/token`. Probes are
 * the ones that reach storage (failure-modes.md, "What proves content is in storage"): a manifest
 * GET without If-None-Match, a blob GET of one byte.
 */
export function registryApi(site: Http, auth?: { username: string; password: string }) {
  const basic = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : undefined;
  return {
    /** A bearer token to pull from `repository`; never logged or reported. */
    async pullToken(repository: string, signal?: AbortSignal): Promise<string> {
      const req = {
        path: '/service/token',
        query: { service: 'harbor-registry', scope: `repository:${repository}:pull` },
        headers: basic,
        signal,
      };
      const res = await site.request(req);
      const body = parseUpstream(tokenSchema, res.body, req);
      const token = body.token ?? body.access_token;
      if (!token)
        throw new UpstreamError({
          service: 'registry',
          status: res.status,
          method: 'GET',
          path: req.path,
          detail: 'token service answered without a token',
          retryable: false,
        });
      return token;
    },
    async probeManifest(
      repository: string,
      digest: string,
      token: string,
      signal?: AbortSignal,
    ): Promise<ManifestProbe> {
      const req = {
        path: registryPath(repository, 'manifests', digest),
        headers: { authorization: `Bearer ${token}`, accept: manifestAccept },
        accept: [404],
        signal,
      };
      const res = await site.request(req);
      if (res.status === 404) return { status: 404, manifest: null };
      const body = typeof res.body === 'string' ? safeJson(res.body) : res.body;
      return { status: res.status, manifest: parseUpstream(manifestSchema, body, req) };
    },
    /** 200/206 when storage has the blob; 404 when it does not. */
    async probeBlob(repository: string, digest: string, token: string, signal?: AbortSignal): Promise<number> {
      const res = await site.request({
        path: registryPath(repository, 'blobs', digest),
        headers: { authorization: `Bearer ${token}`, range: 'bytes=0-0', accept: '*/*' },
        accept: [404],
        signal,
      });
      return res.status;
    },
    manifestPath: (repository: string, digest: string) => registryPath(repository, 'manifests', digest),
    blobPath: (repository: string, digest: string) => registryPath(repository, 'blobs', digest),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
