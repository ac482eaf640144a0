import { describeChannel } from '../src/slack/channels.js';
import { defineCommand } from '../src/slack/command.js';
import { listTargets } from '../src/targets.js';

export default defineCommand({
  name: 'status',
  usage: 'status',
  summary: 'configured targets and the work queued right now',
  async run(ctx) {
    await ctx.ack();
    const [checks, diagnoses] = await Promise.all([
      ctx.queues.checks.getJobCounts('waiting', 'active', 'delayed', 'failed'),
      ctx.queues.diagnoses.getJobCounts('waiting-children', 'active'),
    ]);
    const targets =
      listTargets(ctx.config)
        .map((t) => t.ref)
        .join(', ') || 'none';
    await ctx.respond(
      `${describeChannel(ctx.config, ctx.channel)}\n*Targets:* ${targets}\n*Checks:* ${checks.waiting ?? 0} ` +
        `waiting, ${checks.active ?? 0} running, ` +
        `${checks.delayed ?? 0} retrying, ${checks.failed ?? 0} failed\n` +
        `*Diagnoses in progress:* ${(diagnoses['waiting-children'] ?? 0) + (diagnoses.active ?? 0)}`,
    );
  },
});
