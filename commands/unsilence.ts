import { UserInputError } from '../src/errors.js';
import { findingServicesOf } from '../src/findings/services.js';
import { fingerprintArg } from '../src/findings/silences.js';
import { assertChannelMay } from '../src/slack/channels.js';
import { defineCommand } from '../src/slack/command.js';
import { code } from '../src/slack/mrkdwn.js';

export default defineCommand({
  name: 'unsilence',
  usage: 'unsilence FINGERPRINT',
  summary: 'announce a silenced finding again',
  async run(ctx) {
    const [fp, ...extra] = ctx.args;
    if (!fp || extra.length > 0) throw new UserInputError('usage: unsilence FINGERPRINT');
    const fingerprint = fingerprintArg.safeParse(fp);
    if (!fingerprint.success) throw new UserInputError(`"${fp}": ${fingerprint.error.issues[0]?.message}`);
    await ctx.ack();
    const { silences, store } = findingServicesOf(ctx);
    const record = await store.get(fingerprint.data);
    if (record) assertChannelMay(ctx.config, ctx.channel, record.finding.target);
    if (!(await silences.unsilence(fingerprint.data, ctx.user))) throw new UserInputError(`${fp} is not silenced`);
    ctx.log.info({ fingerprint: fingerprint.data }, 'finding unsilenced');
    await ctx.respond(
      `:loud_sound: ${code(fingerprint.data)} is no longer silenced; the next run that sees it announces it.`,
    );
  },
});
