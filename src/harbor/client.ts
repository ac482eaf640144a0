import type * as z from 'zod';
import { UpstreamError } from '../errors.js';
import { createHttp, type FetchLike, type Http, type HttpRequest } from '../http.js';
import type { Logger } from '../log.js';
import { artifactsApi } from './artifacts.js';
import { registryApi } from './registry-v2.js';
import { replicationApi } from './replication.js';
import { generalInfoSchema, overallHealthSchema, type GeneralInfo, type OverallHealthStatus } from './schemas.js';

export interface HarborClientOptions {
  baseUrl: string;
  auth?: { username: string; password: string };
  timeoutMs?: number;
  retries?: number;
  insecureSkipTLSVerify?: boolean;
  fetch?: FetchLike;
  log?: Logger;
}

/** Reads a JSON answer and validates its shape; a shape Harbor should never send is an upstream fault. */
export async function getParsed<S extends z.ZodType>(http: Http, schema: S, req: HttpRequest): Promise<z.infer<S>> {
  const res = await http.request(req);
  return parseUpstream(schema, res.body, req);
}

export function parseUpstream<S extends z.ZodType>(schema: S, body: unknown, req: HttpRequest): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  if (typeof body === 'string' && /^\s*</.test(body)) {
    // A login page, a proxy's error page or an ingress default backend: not Harbor's API at all.
    throw new UpstreamError({
      service: 'harbor',
      status: 200,
      method: req.method ?? 'GET',
      path: req.path,
      detail: "an HTML page instead of Harbor's JSON API",
      retryable: false,
      hint:
        'make sure harbors[].url is the Harbor itself (scheme and host, no path) with nothing in between ' +
        'that rewrites /api/v2.0: GET <url>/api/v2.0/ping should answer Pong',
    });
  }
  const issue = parsed.error.issues[0];
  throw new UpstreamError({
    service: 'harbor',
    status: 200,
    method: req.method ?? 'GET',
    path: req.path,
    detail: `unexpected answer shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    retryable: false,
  });
}

/** Double-encodes a repository name for Harbor paths (`a/b` → `a%252Fb`). */
export function encodeRepository(name: string): string {
  return encodeURIComponent(encodeURIComponent(name));
}

/**
 * The Harbor REST API (base /api/v2.0) as domain verbs. Each area of the API lives in its own
 * module and is mixed in here, so a new check adds a file rather than growing this one.
 */
export function createHarborClient(options: HarborClientOptions) {
  const apiBase = `${options.baseUrl.replace(/\/+$/, '')}/api/v2.0`;
  const authHeader = options.auth
    ? { authorization: `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` }
    : undefined;
  const common = {
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: options.retries,
    insecureSkipTLSVerify: options.insecureSkipTLSVerify,
    fetch: options.fetch,
    log: options.log,
  };
  const http = createHttp({ service: 'harbor', baseUrl: apiBase, headers: authHeader, ...common });
  /** The site root (registry API `/v2/...`, token service `/service/token`). */
  const site = createHttp({ service: 'registry', baseUrl: options.baseUrl, ...common });

  return {
    http,
    site,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    auth: options.auth,
    ...replicationApi(http),
    ...artifactsApi(http),
    ...registryApi(site, options.auth),

    /** `GET /health`: needs no authentication. */
    getHealth(signal?: AbortSignal): Promise<OverallHealthStatus> {
      return getParsed(http, overallHealthSchema, { path: '/health', signal });
    },

    /** `GET /systeminfo`: `harbor_version` only when authenticated. */
    getSystemInfo(signal?: AbortSignal): Promise<GeneralInfo> {
      return getParsed(http, generalInfoSchema, { path: '/systeminfo', signal });
    },

    /** `GET /ping`: answers "Pong" when core serves. */
    async ping(signal?: AbortSignal): Promise<boolean> {
      const res = await http.request<string>({ path: '/ping', signal, headers: { accept: 'text/plain' } });
      return res.status === 200;
    },
  };
}

export type HarborClient = ReturnType<typeof createHarborClient>;
