import * as z from 'zod';
import { defineCheck } from '../src/checks/define.js';
import { withPermissionHints } from '../src/harbor/permissions.js';
import { expiringRobots, robotDependents, robotFinding } from '../src/robots/robot-findings.js';

export default defineCheck({
  id: 'robot-accounts',
  title: 'Robot account expiry',
  description:
    'Lists the system and project robot accounts (GET /robots) and reports enabled ones that ' +
    "expired or expire within 14 days; critical when an enabled replication policy's registry " +
    "endpoint or the bot's own configuration authenticates as it (the finding says which). Disabled " +
    'robots and robots that never expire (expires_at -1) are not findings.',
  appliesTo: ['harbor'],
  causes: ['robot-expiring', 'robot-expired'],
  params: z.strictObject({
    warnDays: z.number().positive().default(14),
    maxRobots: z.number().int().positive().default(5000),
  }),
  run(ctx) {
    return withPermissionHints(async () => {
      const harbor = ctx.harbor();
      const soon = expiringRobots(
        await harbor.listRobots(ctx.params.maxRobots, ctx.signal),
        ctx.now(),
        ctx.params.warnDays,
      );
      if (soon.length === 0) return [];
      const [policies, registries] = await Promise.all([
        harbor.listReplicationPolicies(ctx.signal),
        harbor.listRegistries(ctx.signal),
      ]);
      const uses = robotDependents(policies, registries, {
        harbor: ctx.target.name,
        username: ctx.harborConfig?.username,
      });
      return soon.map(({ robot, leftMs }) => robotFinding(robot, leftMs, uses.get(robot.name) ?? []));
    });
  },
});
