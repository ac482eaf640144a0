import { compileGlob, type Glob } from './glob.js';
import type { ReplicationPolicy } from '../harbor/replication-schemas.js';

function nameFilters(policy: ReplicationPolicy): { re: Glob; exclude: boolean; pattern: string }[] {
  return (policy.filters ?? [])
    .filter((f) => f.type === 'name' && typeof f.value === 'string' && f.value !== '')
    .map((f) => ({
      re: compileGlob(f.value as string),
      exclude: f.decoration === 'excludes',
      pattern: f.value as string,
    }));
}

const isLocal = (r: ReplicationPolicy['src_registry']) => !r?.id;

/**
 * Whether a local repository falls under a rule. A push rule (source is this Harbor) matches its
 * name filter against the repository name. A pull rule writes under `dest_namespace`, and how it
 * maps remote names depends on the replace count, so any trailing part of the local name that the
 * filter matches counts: the evidence shows the rule, and a responder judges.
 */
export function policyCovers(policy: ReplicationPolicy, repository: string): boolean {
  if (policy.enabled === false) return false;
  const filters = nameFilters(policy);
  const matches = (name: string) => filters.every((f) => f.re.test(name) !== f.exclude);
  if (isLocal(policy.src_registry)) return matches(repository);
  const ns = policy.dest_namespace ?? '';
  if (ns && !repository.startsWith(`${ns}/`)) return false;
  const parts = repository.split('/');
  for (let drop = ns ? ns.split('/').length : 0; drop < parts.length; drop++) {
    if (matches(parts.slice(drop).join('/'))) return true;
  }
  return false;
}

/** `name=library/**` and friends: how the rule's filters read in evidence. */
export function describeFilters(policy: ReplicationPolicy): string {
  const parts = (policy.filters ?? []).map(
    (f) =>
      `${f.type}${f.decoration === 'excludes' ? '!=' : '='}` +
      `${typeof f.value === 'string' ? f.value : JSON.stringify(f.value)}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'no filters (everything)';
}
