import { adminState, type AdminSimState } from './harbor-admin-state.js';
import type { HarborRoutes } from './harbor-sim-types.js';
import { requireAuth } from './harbor-auth.js';
import { paged, type SimRequest, type SimResponse } from './http-sim.js';

const notFound = (what: string): SimResponse => ({
  status: 404,
  body: { errors: [{ code: 'NOT_FOUND', message: `${what} is not found` }] },
});

function listQuotas(st: AdminSimState, req: SimRequest): SimResponse {
  const reference = req.query.get('reference');
  const referenceId = req.query.get('reference_id');
  const list = st.quotas.filter(
    (q) => (!reference || reference === 'project') && (!referenceId || String(q.ref?.id) === referenceId),
  );
  return paged(req, list, '/api/v2.0/quotas');
}

function listRobots(st: AdminSimState, req: SimRequest): SimResponse {
  const list = st.robots.map(({ secret: _secret, ...robot }) => robot);
  return paged(req, list, '/api/v2.0/robots');
}

function listGcRuns(st: AdminSimState, req: SimRequest): SimResponse {
  const newest = [...st.gcRuns].sort(
    (a, b) => (b.creation_time ?? '').localeCompare(a.creation_time ?? '') || b.id - a.id,
  );
  return paged(req, newest, '/api/v2.0/system/gc');
}

function listRegistries(st: AdminSimState, req: SimRequest): SimResponse {
  const masked = st.registries.map((r) => ({
    ...r,
    ...(r.credential ? { credential: { ...r.credential, access_secret: '*****' } } : {}),
  }));
  return paged(req, masked, '/api/v2.0/registries');
}

/** Routes of `/quotas`, `/robots`, `/system/gc` and `/registries`. */
export const adminRoutes: HarborRoutes = (sim) => {
  const st = () => adminState(sim);
  const api = (method: string, path: RegExp, h: (req: SimRequest) => SimResponse) =>
    sim.route(method, path, requireAuth(sim, h));
  api('GET', /^\/api\/v2\.0\/quotas$/, (req) => listQuotas(st(), req));
  api('GET', /^\/api\/v2\.0\/robots$/, (req) => listRobots(st(), req));
  api('GET', /^\/api\/v2\.0\/system\/gc$/, (req) => listGcRuns(st(), req));
  api('GET', /^\/api\/v2\.0\/system\/gc\/(\d+)$/, (req) => {
    const run = st().gcRuns.find((r) => r.id === Number(req.params[0]));
    return run ? { body: run } : notFound(`garbage collection ${req.params[0]}`);
  });
  api('GET', /^\/api\/v2\.0\/system\/gc\/(\d+)\/log$/, (req) => {
    const log = st().gcLogs[Number(req.params[0])];
    if (log === undefined) return notFound(`garbage collection ${req.params[0]} log`);
    return { body: log, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  });
  api('GET', /^\/api\/v2\.0\/registries$/, (req) => listRegistries(st(), req));
};
