import * as z from 'zod';
import { planChecks } from '../src/checks/runner.js';
import { UserInputError } from '../src/errors.js';
import { targetRefSchema } from '../src/findings/finding.js';
import { assertChannelMay, channelTargets } from '../src/slack/channels.js';
import { defineCommand } from '../src/slack/command.js';
import { startDiagnosis } from '../src/diagnosis/start-diagnosis.js';
import { listTargets, parseTargetRef } from '../src/targets.js';

const argsSchema = z.tuple([targetRefSchema]).or(z.tuple([]));

export default defineCommand({
  name: 'diagnose',
  usage: 'diagnose [harbor/NAME|cluster/NAME]',
  summary: 'run every check that applies, on one target or all of them',
  async run(ctx) {
    const parsed = argsSchema.safeParse(ctx.args);
    if (!parsed.success) {
      const valid =
        listTargets(ctx.config)
          .map((t) => t.ref)
          .join(', ') || 'none configured';
      throw new UserInputError(
        `usage: diagnose [harbor/NAME|cluster/NAME]; got "${ctx.args.join(' ')}". Valid targets: ${valid}`,
      );
    }
    const [ref] = parsed.data;
    if (ref) assertChannelMay(ctx.config, ctx.channel, parseTargetRef(ctx.config, ref).ref);
    const targets = ref ? [parseTargetRef(ctx.config, ref)] : channelTargets(ctx.config, ctx.channel);
    const plan = planChecks(ctx.registry, ctx.config, { targets }, listTargets(ctx.config));
    if (plan.length === 0) throw new UserInputError('nothing to check: no harbors or clusters are configured');
    await startDiagnosis(ctx, plan, ref ?? 'all targets');
  },
});
