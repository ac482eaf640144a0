import { UserInputError } from '../src/errors.js';
import { findingServicesOf } from '../src/findings/services.js';
import { channelTargets } from '../src/slack/channels.js';
import { defineCommand } from '../src/slack/command.js';
import { openFindingsMessage } from '../src/slack/lifecycle-blocks.js';

export default defineCommand({
  name: 'findings',
  usage: 'findings',
  summary: 'open findings by severity and target, with their fingerprints and silences',
  async run(ctx) {
    if (ctx.args.length > 0) throw new UserInputError(`usage: findings (no arguments); got "${ctx.args.join(' ')}"`);
    await ctx.ack();
    const { store, silences } = findingServicesOf(ctx);
    const [records, active] = await Promise.all([store.list(), silences.list()]);
    const here = new Set(channelTargets(ctx.config, ctx.channel).map((t) => t.ref));
    await ctx.respond(
      openFindingsMessage(
        records.filter((r) => here.has(r.finding.target)),
        active,
        ctx.now(),
      ),
    );
  },
});
