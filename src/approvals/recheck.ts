import { isDeepStrictEqual } from 'node:util';
import { runCheck } from '../checks/runner.js';
import type { Logger } from '../log.js';
import { parseTargetRef } from '../targets.js';
import type { Approval, ProposalGroup } from './approval.js';
import type { ApprovalDeps } from './deps.js';

export type Recheck = { ok: true } | { ok: false; reason: string };

/**
 * Re-runs the check that found the problem, on the same target with the same params, and looks for
 * the same fingerprint proposing the same fix with the same params. Anything else refuses.
 */
export async function findingStillHolds(
  deps: ApprovalDeps,
  group: ProposalGroup,
  a: Approval,
  signal: AbortSignal,
  log: Logger,
): Promise<Recheck> {
  const check = deps.registry.check(group.check.id);
  if (!check)
    return { ok: false, reason: `check ${group.check.id} is no longer registered, so the finding cannot be confirmed` };
  const target = parseTargetRef(deps.config, group.check.target);
  const run = await runCheck(
    { check, target, params: group.check.params },
    { config: deps.config, clients: deps.clients, log, now: deps.now, signal },
  );
  if (run.status === 'error')
    return {
      ok: false,
      reason:
        `the finding could not be confirmed: ${check.id} on ${target.ref} did not complete ` +
        `(${run.error ?? 'error'})`,
    };
  const finding = run.findings.find((f) => f.fingerprint === group.finding.fingerprint);
  if (!finding)
    return {
      ok: false,
      reason: `the finding no longer holds: ${check.id} on ${target.ref} does not report it any more`,
    };
  const same = finding.remediations.some((r) => r.id === a.remediation && isDeepStrictEqual(r.params, a.params));
  if (!same)
    return {
      ok: false,
      reason: `the object changed: the finding no longer proposes ${a.remediation} with the approved parameters`,
    };
  return { ok: true };
}
