import { AppError, UpstreamError, UserInputError, errorMessage } from '../errors.js';
import type { Target } from '../targets.js';
import type { CheckDefinition, FindingInput } from './define.js';

export class CheckTimeoutError extends AppError {
  constructor(readonly timeoutMs: number) {
    super('check_timeout', `did not finish within ${Math.round(timeoutMs / 1000)} s`);
  }
}

/** The finding that stands for a check that could not complete. */
export function faultFinding(check: CheckDefinition, target: Target, err: unknown, at: Date): FindingInput {
  const resource = { kind: target.kind === 'harbor' ? 'Harbor' : 'Cluster', name: target.name, namespace: null };
  const evidence = [`check ${check.id} stopped at ${at.toISOString()}`];
  if (err instanceof UpstreamError) {
    evidence.push(`${err.method} ${err.path} → ${err.status ?? 'no answer'}: ${err.detail}`);
    if (err.forbidden) {
      return {
        cause: 'permission-denied',
        title: `${check.title}: ${err.service} refused the bot's credentials (${err.status})`,
        summary:
          `${err.service} answered ${err.status} to ${err.method} ${err.path}. Grant the bot's account ` +
          `read access to this (see the README's permissions section), then re-run ${check.id}.`,
        resource,
        evidence,
      };
    }
    return {
      cause: 'target-unreachable',
      title: `${check.title}: cannot reach ${err.service} of ${target.ref}`,
      summary:
        `${err.method} ${err.path} failed (${err.status ?? 'no answer'}: ${err.detail}). ${check.id} ` +
        `could not be checked; ${err.hint ?? `find out why ${err.service} does not answer`}.`,
      resource,
      evidence,
    };
  }
  if (err instanceof CheckTimeoutError) {
    return {
      cause: 'target-unreachable',
      title: `${check.title}: ${target.ref} ${err.message}`,
      summary:
        `${check.id} ${err.message}, so ${target.ref} was not fully checked. The target is slow or partly ` +
        `unreachable.`,
      resource,
      evidence,
    };
  }
  if (err instanceof UserInputError) {
    return {
      cause: 'check-failed',
      title: `${check.title}: cannot run on ${target.ref}`,
      summary: err.message,
      resource,
      evidence: [...evidence, err.message],
    };
  }
  return {
    cause: 'check-failed',
    title: `${check.title}: stopped on an unexpected error`,
    summary:
      `${check.id} stopped before it finished, so ${target.ref} was not fully checked: ` +
      `${errorMessage(err).slice(0, 200)}`,
    resource,
    evidence: [...evidence, errorMessage(err).slice(0, 300)],
  };
}
