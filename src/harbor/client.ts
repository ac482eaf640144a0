import { createHttp, type FetchLike } from '../http.js';
import { getParsed } from './parse.js';
import type { Logger } from '../log.js';
import { adminApi } from './admin-api.js';
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
    ...adminApi(http),
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
