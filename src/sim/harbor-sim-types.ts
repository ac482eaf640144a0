import type { HttpSim } from './http-sim.js';

/** Simulated Harbor state; shapes follow swagger-v2.15.2.yaml. Extend it per API area. */
export interface HarborSimState {
  version: string;
  health: { status: string; components: { name: string; status: string; error?: string }[] };
  /** Accepted basic-auth credentials; empty = no auth required. */
  users: { username: string; password: string }[];
  /** Offset of Harbor's clock from the real one (for clock-skew scenarios). */
  clockOffsetMs: number;
  [area: string]: unknown;
}

export interface HarborSim extends HttpSim {
  state: HarborSimState;
}

export type HarborRoutes = (sim: HarborSim) => void;
