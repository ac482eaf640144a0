import * as z from 'zod';
import { defineCheck, type FindingInput } from '../src/checks/define.js';
import { withPermissionHints } from '../src/harbor/permissions.js';
import { largestRepositories, quotaFinding, storageUsage } from '../src/quota/quota-findings.js';

export default defineCheck({
  id: 'project-quota',
  title: 'Project storage quotas',
  description:
    "Reads every project quota (GET /quotas) and reports projects whose storage use reached Harbor's " +
    'own warning level (85% of the hard limit) or the limit itself, when pushes fail with QUOTA_EXCEED; ' +
    "the evidence gives the numbers and the project's largest repositories. Unlimited quotas " +
    '(-1) are never findings.',
  appliesTo: ['harbor'],
  causes: ['quota-near-limit', 'quota-exceeded'],
  params: z.strictObject({
    /** Only this project (what a Harbor QUOTA_WARNING or QUOTA_EXCEED notification names). */
    project: z.string().min(1).optional(),
    nearPercent: z.number().min(1).max(100).default(85),
    maxProjects: z.number().int().positive().default(5000),
  }),
  run(ctx) {
    return withPermissionHints(async () => {
      const harbor = ctx.harbor();
      const { project, nearPercent, maxProjects } = ctx.params;
      const quotas = await harbor.listProjectQuotas({ max: maxProjects }, ctx.signal);
      const usages = quotas
        .map(storageUsage)
        .filter((u) => u !== null && (!project || u.project === project) && u.percent >= nearPercent);
      const findings: FindingInput[] = [];
      for (const [i, u] of usages.entries()) {
        if (!u) continue;
        ctx.progress({ done: i, total: usages.length, note: u.project });
        const repos = await largestRepositories(
          harbor,
          u.project,
          { top: 3, maxRepos: 500, maxArtifacts: 500 },
          ctx.signal,
        );
        const f = quotaFinding(u, nearPercent, repos);
        if (f) findings.push(f);
      }
      return findings;
    });
  },
});
