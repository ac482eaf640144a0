import type { HarborSim } from './harbor-sim-types.js';
import type { SimHandler } from './http-sim.js';

/** True when the request carries credentials the simulated Harbor accepts. */
export function authenticated(sim: HarborSim, headers: Record<string, string | string[] | undefined>): boolean {
  const h = headers.authorization;
  if (typeof h !== 'string' || !h.startsWith('Basic ')) return false;
  const [user, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
  return sim.state.users.some((u) => u.username === user && u.password === rest.join(':'));
}

export const unauthorized = { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'unauthorized' }] } };

/** Wraps a handler so it answers 401 without valid basic auth, as Harbor does. */
export function requireAuth(sim: HarborSim, handler: SimHandler): SimHandler {
  return (req) => (authenticated(sim, req.headers) ? handler(req) : unauthorized);
}
