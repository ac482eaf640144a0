import type { FindingInput, RunContext } from '../checks/define.js';
import type { Cause } from '../findings/causes.js';
import type { TargetKind } from '../targets.js';

/** What a gate sees: the cluster running the Harbor release, that Harbor, and the target version. */
export interface GateContext extends RunContext {
  /** The version the upgrade goes to, without `v` (`2.11.0`). */
  to: string;
}

/** A gate's verdict: pass with a reason, or fail with the finding that says why. */
export type GateOutcome = { pass: true; reason: string } | { pass: false; finding: FindingInput };

/** One pre-upgrade gate. Its findings carry check id `preflight-<id>`. */
export interface Gate {
  id: string;
  title: string;
  /** Which target its finding is about. */
  on: TargetKind;
  /** Causes its failure reports (for the catalog). */
  causes: readonly Cause[];
  run(ctx: GateContext): Promise<GateOutcome>;
}

export function defineGate(gate: Gate): Gate {
  return Object.freeze(gate);
}

export const pass = (reason: string): GateOutcome => ({ pass: true, reason });
export const fail = (finding: FindingInput): GateOutcome => ({ pass: false, finding });
