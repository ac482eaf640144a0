import { randomBytes } from 'node:crypto';
import type { Artifact } from '../harbor/artifact-schemas.js';
import { artifactState, findArtifact, type ArtifactSimState } from './harbor-artifacts-state.js';
import type { HarborRoutes } from './harbor-sim-types.js';
import { authenticated, requireAuth } from './harbor-auth.js';
import { paged, type SimRequest, type SimResponse } from './http-sim.js';

const err = (status: number, code: string, message: string): SimResponse => ({
  status,
  body: { errors: [{ code, message }] },
});

/**
 * Harbor's router unescapes the path once, so a repository `a/b` must arrive as `a%252Fb`; a
 * single-encoded `a%2Fb` becomes a path with an extra segment and matches no route (404).
 */
function repoName(project: string, once: string): string | null {
  return once.includes('/') ? null : `${project}/${decodeURIComponent(once)}`;
}

/** Harbor's `q=push_time=[from~to]` (either end optional, "2020-04-09 02:36:00"). */
function pushTimeFilter(q: string | null): (a: Artifact) => boolean {
  const m = /push_time=\[([^~\]]*)~([^\]]*)\]/.exec(q ?? '');
  if (!m) return () => true;
  const t = (s: string | undefined) => (s ? Date.parse(`${s.replace(' ', 'T')}Z`) : Number.NaN);
  const from = t(m[1]);
  const to = t(m[2]);
  return (a) => {
    const p = Date.parse(a.push_time ?? '');
    return (Number.isNaN(from) || p >= from) && (Number.isNaN(to) || p <= to);
  };
}

function listRepositories(st: ArtifactSimState, req: SimRequest, project: string | null): SimResponse {
  if (project !== null && !st.projects.some((p) => p.name === project))
    return err(404, 'NOT_FOUND', `project ${project} not found`);
  const list = st.repositories
    .filter((r) => project === null || r.name.startsWith(`${project}/`))
    .map((r) => ({ ...r, artifact_count: st.artifacts[r.name]?.length ?? 0 }));
  return paged(req, list, project === null ? '/api/v2.0/repositories' : `/api/v2.0/projects/${project}/repositories`);
}

/** Projects, repositories, artifacts (`/api/v2.0`) and the token service; the registry API is in harbor-v2.ts. */
export const artifactRoutes: HarborRoutes = (sim) => {
  const st = () => artifactState(sim);
  const api = (method: string, path: RegExp, h: (req: SimRequest) => SimResponse) =>
    sim.route(method, path, requireAuth(sim, h));
  const repoRoute = (h: (req: SimRequest, repo: string) => SimResponse) => (req: SimRequest) => {
    const repo = repoName(req.params[0] ?? '', req.params[1] ?? '');
    return repo && st().repositories.some((r) => r.name === repo)
      ? h(req, repo)
      : err(404, 'NOT_FOUND', 'repository not found');
  };
  const base = '^\\/api\\/v2\\.0\\/projects\\/([^/]+)\\/repositories\\/([^/]+)';
  api('GET', /^\/api\/v2\.0\/projects$/, (req) =>
    paged(
      req,
      st().projects.filter((p) => !req.query.get('name') || p.name === req.query.get('name')),
      '/api/v2.0/projects',
    ),
  );
  api('GET', /^\/api\/v2\.0\/projects\/([^/]+)$/, (req) => {
    const key = req.params[0] ?? '';
    const p = st().projects.find((x) => x.name === key || String(x.project_id) === key);
    return p ? { body: p } : err(404, 'NOT_FOUND', `project ${key} not found`);
  });
  api('GET', /^\/api\/v2\.0\/repositories$/, (req) => listRepositories(st(), req, null));
  api('GET', /^\/api\/v2\.0\/projects\/([^/]+)\/repositories$/, (req) =>
    listRepositories(st(), req, req.params[0] ?? ''),
  );
  api(
    'GET',
    new RegExp(`${base}$`),
    repoRoute((_req, repo) => ({
      body: { ...st().repositories.find((r) => r.name === repo), artifact_count: st().artifacts[repo]?.length ?? 0 },
    })),
  );
  api(
    'GET',
    new RegExp(`${base}\\/artifacts$`),
    repoRoute((req, repo) => {
      const list = (st().artifacts[repo] ?? []).filter(pushTimeFilter(req.query.get('q')));
      return paged(
        req,
        list,
        `/api/v2.0/projects/${req.params[0]}/repositories/` +
          `${encodeURIComponent(encodeURIComponent(repo.slice(repo.indexOf('/') + 1)))}/artifacts`,
      );
    }),
  );
  api(
    'GET',
    new RegExp(`${base}\\/artifacts\\/([^/]+)$`),
    repoRoute((req, repo) => {
      const a = findArtifact(st(), repo, req.params[2] ?? '');
      return a ? { body: a } : err(404, 'NOT_FOUND', `artifact ${repo}@${req.params[2]} not found`);
    }),
  );
  api(
    'DELETE',
    new RegExp(`${base}\\/artifacts\\/([^/]+)$`),
    repoRoute((req, repo) => {
      const list = st().artifacts[repo] ?? [];
      const i = list.findIndex((a) => a.digest === req.params[2]);
      if (i < 0) return err(404, 'NOT_FOUND', `artifact ${repo}@${req.params[2]} not found`);
      list.splice(i, 1);
      return { status: 200 };
    }),
  );
  sim.route('GET', /^\/service\/token$/, (req) => {
    if (!authenticated(sim, req.headers)) return err(401, 'UNAUTHORIZED', 'invalid credentials');
    const token = randomBytes(12).toString('hex');
    st().tokens[token] = req.query.get('scope') ?? '';
    return { body: { token, access_token: token, expires_in: 1800, issued_at: new Date().toISOString() } };
  });
};
