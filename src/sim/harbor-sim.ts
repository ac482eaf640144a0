import { adminRoutes } from './harbor-admin.js';
import { artifactRoutes } from './harbor-artifacts.js';
import { registryRoutes } from './harbor-v2.js';
import { replicationRoutes } from './harbor-replication.js';
import { authenticated } from './harbor-auth.js';
import type { HarborRoutes, HarborSim, HarborSimState } from './harbor-sim-types.js';
import { startHttpSim } from './http-sim.js';

export type { HarborRoutes, HarborSim, HarborSimState } from './harbor-sim-types.js';
export { authenticated, requireAuth, unauthorized } from './harbor-auth.js';

export const healthyComponents = [
  'core',
  'database',
  'jobservice',
  'portal',
  'redis',
  'registry',
  'registryctl',
  'trivy',
];

export function defaultHarborState(): HarborSimState {
  return {
    version: 'v2.15.2-080b0220',
    health: { status: 'healthy', components: healthyComponents.map((name) => ({ name, status: 'healthy' })) },
    users: [{ username: 'robot$pilot', password: 'pilot-secret' }],
    clockOffsetMs: 0,
  };
}

const coreRoutes: HarborRoutes = (sim) => {
  sim.route('GET', /^\/api\/v2\.0\/health$/, () => ({ body: sim.state.health }));
  sim.route('GET', /^\/api\/v2\.0\/ping$/, () => ({ body: 'Pong' }));
  sim.route('GET', /^\/api\/v2\.0\/systeminfo$/, (req) => {
    const info: Record<string, unknown> = {
      current_time: new Date(Date.now() + sim.state.clockOffsetMs).toISOString(),
      external_url: sim.url,
      registry_url: sim.url.replace(/^https?:\/\//, ''),
      auth_mode: 'db_auth',
      primary_auth_mode: false,
      self_registration: false,
      has_ca_root: false,
    };
    if (authenticated(sim, req.headers)) info.harbor_version = sim.state.version;
    return { body: info, headers: { date: new Date(Date.now() + sim.state.clockOffsetMs).toUTCString() } };
  });
};

/** Route sets added by API area; a new area adds its module to this list. */
export const harborRouteSets: HarborRoutes[] = [
  coreRoutes,
  replicationRoutes,
  artifactRoutes,
  registryRoutes,
  adminRoutes,
];

/**
 * A simulated Harbor (REST API under /api/v2.0, registry API under /v2) on localhost. Tests use it as
 * a fake; the lab serves incident scenarios from it. One implementation for both.
 */
export async function startHarborSim(
  options: { state?: Partial<HarborSimState>; port?: number; routes?: HarborRoutes[] } = {},
): Promise<HarborSim> {
  const http = await startHttpSim({ port: options.port });
  const sim = Object.assign(http, { state: { ...defaultHarborState(), ...options.state } }) as HarborSim;
  for (const add of [...harborRouteSets, ...(options.routes ?? [])]) add(sim);
  return sim;
}
