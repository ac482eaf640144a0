import * as z from 'zod';
import { defineCheck, type FindingInput } from '../src/checks/define.js';
import { withPermissionHints } from '../src/harbor/permissions.js';
import { describeFilters, policyCovers } from '../src/replication/policy-coverage.js';

export default defineCheck({
  id: 'repo-tag-count',
  title: 'Replicated repositories with too many tags',
  description:
    'Lists repositories covered by an enabled replication rule (its name filters match) that hold more artifacts ' +
    "than replication lists reliably (default 5000): such a rule fails at once with 'FetchArtifacts error when " +
    "collect tags for repos'. Advice only: split the rule with filters or prune tags.",
  appliesTo: ['harbor'],
  causes: ['repo-too-many-tags'],
  params: z.strictObject({
    threshold: z.number().int().positive().default(5000),
    project: z.string().min(1).optional(),
  }),
  run(ctx) {
    return withPermissionHints(async () => {
      const harbor = ctx.harbor();
      const policies = (await harbor.listReplicationPolicies(ctx.signal)).filter((p) => p.enabled !== false);
      if (policies.length === 0) return [];
      const findings: FindingInput[] = [];
      let done = 0;
      for await (const page of harbor.repositoryPages(ctx.params.project, ctx.signal)) {
        for (const repo of page.items) {
          if (repo.artifact_count <= ctx.params.threshold) continue;
          const rules = policies.filter((p) => policyCovers(p, repo.name));
          if (rules.length === 0) continue;
          const names = rules.map((p) => `"${p.name}"`).join(', ');
          findings.push({
            cause: 'repo-too-many-tags',
            title: `Repository ${repo.name} holds ${repo.artifact_count} artifacts and is replicated by ${names}`,
            summary:
              `Replication lists every tag of a repository before filtering; above about ` +
              `${ctx.params.threshold} tags an execution of ${names} can fail at once with "collect tags for ` +
              `repos". Split the rule with tag filters (for example one rule per version prefix) or prune old ` +
              `tags with a tag retention policy.`,
            resource: { kind: 'Repository', name: repo.name, namespace: null },
            evidence: [
              `GET /api/v2.0/repositories: name=${repo.name} artifact_count=${repo.artifact_count} (threshold ` +
                `${ctx.params.threshold})`,
              ...rules.map(
                (p) =>
                  `replication policy ${p.id} "${p.name}" (${p.trigger?.type ?? 'manual'}, ` +
                  (p.src_registry?.id
                    ? `pull from ${p.src_registry.name ?? p.src_registry.url}`
                    : `push to ${p.dest_registry?.name ?? p.dest_registry?.url ?? '?'}`) +
                  `${p.dest_namespace ? ` into ${p.dest_namespace}` : ''}) ` +
                  `filters: ${describeFilters(p)}`,
              ),
            ],
          });
        }
        done += page.items.length;
        ctx.progress({ done, total: page.total, note: 'repositories' });
      }
      return findings;
    });
  },
});
