import { UserInputError } from '../src/errors.js';
import { findingServicesOf } from '../src/findings/services.js';
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
    await ctx.respond(openFindingsMessage(records, active, ctx.now()));
  },
});
