import type { Http } from '../http.js';
import { getParsed } from './parse.js';
import {
  gcRunSchema,
  quotaSchema,
  registrySchema,
  robotSchema,
  type GcRun,
  type Quota,
  type Registry,
  type Robot,
} from './admin-schemas.js';
import { collect } from './paging.js';

/** Quotas, robot accounts, garbage collection and registry endpoints (mixed into the Harbor client). */
export function adminApi(http: Http) {
  return {
    /** `GET /quotas?reference=project`, or the quota of one project (`reference_id` is its id). */
    listProjectQuotas(q: { projectId?: number; max?: number } = {}, signal?: AbortSignal): Promise<Quota[]> {
      const query = { reference: 'project', reference_id: q.projectId };
      return collect(http, quotaSchema, { path: '/quotas', query, signal, pageSize: 100 }, q.max);
    },
    /** `GET /robots`: system and project robot accounts the caller can see. */
    listRobots(max?: number, signal?: AbortSignal): Promise<Robot[]> {
      return collect(http, robotSchema, { path: '/robots', signal, pageSize: 100 }, max);
    },
    /** `GET /system/gc`: the garbage-collection runs, newest first. */
    listGcRuns(max = 10, signal?: AbortSignal): Promise<GcRun[]> {
      return collect(http, gcRunSchema, { path: '/system/gc', signal, pageSize: Math.min(100, max) }, max);
    },
    getGcRun(id: number, signal?: AbortSignal): Promise<GcRun> {
      return getParsed(http, gcRunSchema, { path: `/system/gc/${id}`, signal });
    },
    /** `GET /system/gc/{id}/log` (text/plain), or null when the run has no log (404). */
    async getGcLog(id: number, signal?: AbortSignal): Promise<string | null> {
      const headers = { accept: 'text/plain' };
      const res = await http.request({ path: `/system/gc/${id}/log`, signal, headers, accept: [404] });
      if (res.status === 404) return null;
      return typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
    },
    /** `GET /registries`: the endpoints replication policies use, with their credential's access key. */
    listRegistries(signal?: AbortSignal): Promise<Registry[]> {
      return collect(http, registrySchema, { path: '/registries', signal, pageSize: 100 });
    },
  };
}
