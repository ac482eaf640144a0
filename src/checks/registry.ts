import type { CheckDefinition, RemediationDefinition } from './define.js';

export interface Registry {
  checks: ReadonlyMap<string, CheckDefinition>;
  remediations: ReadonlyMap<string, RemediationDefinition>;
  check(id: string): CheckDefinition | undefined;
  remediation(id: string): RemediationDefinition | undefined;
}

const idPattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Builds the registry from explicit lists. Duplicate or malformed ids fail here, at start-up,
 * and so does a remediation id declared twice with different definitions.
 */
export function createRegistry(
  checkList: readonly CheckDefinition[],
  extraRemediations: readonly RemediationDefinition[] = [],
): Registry {
  const checks = new Map<string, CheckDefinition>();
  const remediations = new Map<string, RemediationDefinition>();
  const problems: string[] = [];
  const addRemediation = (r: RemediationDefinition, owner: string) => {
    if (!idPattern.test(r.id)) problems.push(`remediation id "${r.id}" (${owner}) is not kebab-case`);
    const existing = remediations.get(r.id);
    if (existing && existing !== r) problems.push(`remediation id "${r.id}" is defined twice`);
    remediations.set(r.id, r);
  };
  for (const c of checkList) {
    if (!idPattern.test(c.id)) problems.push(`check id "${c.id}" is not kebab-case`);
    if (checks.has(c.id)) problems.push(`check id "${c.id}" is registered twice`);
    checks.set(c.id, c);
    for (const r of c.remediations ?? []) addRemediation(r, c.id);
  }
  for (const r of extraRemediations) addRemediation(r, 'registry');
  if (problems.length > 0) throw new Error(`invalid check registry:\n  ${problems.join('\n  ')}`);
  return {
    checks,
    remediations,
    check: (id) => checks.get(id),
    remediation: (id) => remediations.get(id),
  };
}
