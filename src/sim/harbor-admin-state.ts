import type { GcRun, Quota, Robot } from '../harbor/admin-schemas.js';
import type { HarborSim } from './harbor-sim-types.js';

// Kept apart from the routes so scenario builders can be imported without the simulator itself.

/** A registry endpoint as Harbor stores it: the secret is masked in every answer. */
export interface SimRegistry {
  id: number;
  name: string;
  url: string;
  type: string;
  credential?: { type: string; access_key: string; access_secret: string };
}

/** Quotas, robot accounts, garbage collection and registry endpoints of a simulated Harbor (swagger shapes). */
export interface AdminSimState {
  quotas: Quota[];
  /** Robots as Harbor stores them; the simulator never answers with `secret`. */
  robots: (Robot & { secret?: string })[];
  /** GC runs; the list answers newest first, as Harbor's default sort (-start_time) does. */
  gcRuns: GcRun[];
  /** GC job logs by run id. */
  gcLogs: Record<number, string>;
  registries: SimRegistry[];
}

export function emptyAdminState(): AdminSimState {
  return { quotas: [], robots: [], gcRuns: [], gcLogs: {}, registries: [] };
}

/** The admin state of `sim`, created on first use. */
export function adminState(sim: HarborSim): AdminSimState {
  sim.state.admin ??= emptyAdminState();
  return sim.state.admin as AdminSimState;
}
