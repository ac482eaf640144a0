import { artifactState, findArtifact, type ArtifactSimState } from './harbor-artifacts-state.js';
import type { HarborRoutes, HarborSim } from './harbor-sim-types.js';
import type { SimRequest, SimResponse } from './http-sim.js';
import { registryBlob, registryManifest, storageObject } from './registry-answers.js';
import { proxyToRegistry } from './registry-proxy.js';

const err = (status: number, code: string, message: string): SimResponse => ({
  status,
  body: { errors: [{ code, message }] },
});

/** The fake object store behind a redirecting registry (`storage.redirect`), on the simulator's port. */
const storagePath = '/_storage/blobs';

/** Core's getManifest: the record from the database, then If-None-Match, the cache layer, the registry. */
function getManifest(sim: HarborSim, req: SimRequest, repo: string, ref: string): SimResponse {
  const st = artifactState(sim);
  const a = findArtifact(st, repo, ref);
  if (!a) return err(404, 'MANIFEST_UNKNOWN', `manifest unknown: ${ref}`);
  if (req.headers['if-none-match'] === `"${a.digest}"`) return { status: 304 };
  const cached = st.cache.enabled ? st.cache.manifests[a.digest] : undefined;
  if (cached) {
    const type = cached.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
    const headers = { 'content-type': type, 'docker-content-digest': a.digest };
    return { status: 200, headers, body: req.method === 'HEAD' ? undefined : JSON.stringify(cached) };
  }
  // Harbor 2.x asks the registry by the digest its database holds, whatever the client asked by.
  const asked = st.tagResolution === 'core' ? a.digest : ref;
  if (st.upstream) return proxyToRegistry(st.upstream, req, `/v2/${repo}/manifests/${asked}`);
  return registryManifest(st, req, repo, asked, a.digest);
}

/** Blob reads go to the registry (Harbor checks only HEADs against its database first). */
function getBlob(sim: HarborSim, st: ArtifactSimState, req: SimRequest, repo: string, digest: string): SimResponse {
  if (st.upstream) return proxyToRegistry(st.upstream, req, `/v2/${repo}/blobs/${digest}`);
  return registryBlob(st, req, repo, digest, `${sim.url}${storagePath}`);
}

function registryAuth(sim: HarborSim, req: SimRequest, repo: string): SimResponse | null {
  const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
  const scope = token ? artifactState(sim).tokens[token] : undefined;
  if (scope === `repository:${repo}:pull`) return null;
  const challenge = `Bearer realm="${sim.url}/service/token",service="harbor-registry",scope="repository:${repo}:pull"`;
  return { ...err(401, 'UNAUTHORIZED', 'authentication required'), headers: { 'www-authenticate': challenge } };
}

/**
 * The registry API through Harbor (`/v2`): pull tokens checked, manifests through core's logic, and
 * storage answered as the real registry answers (or proxied to a real one), plus the object store
 * a redirecting registry points at. Signed storage URLs carry no bearer token.
 */
export const registryRoutes: HarborRoutes = (sim) => {
  const st = () => artifactState(sim);
  for (const method of ['GET', 'HEAD']) {
    sim.route(method, /^\/v2\/(.+)\/manifests\/([^/]+)$/, (req) => {
      const [repo, ref] = [req.params[0] ?? '', req.params[1] ?? ''];
      return registryAuth(sim, req, repo) ?? getManifest(sim, req, repo, ref);
    });
    sim.route(method, /^\/v2\/(.+)\/blobs\/([^/]+)$/, (req) => {
      const [repo, digest] = [req.params[0] ?? '', req.params[1] ?? ''];
      return registryAuth(sim, req, repo) ?? getBlob(sim, st(), req, repo, digest);
    });
    sim.route(method, /^\/_storage\/blobs\/([^/]+)$/, (req) => storageObject(st(), req, req.params[0] ?? ''));
  }
};
