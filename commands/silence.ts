import { UserInputError } from '../src/errors.js';
import { findingServicesOf } from '../src/findings/services.js';
import { fingerprintArg, parseDuration } from '../src/findings/silences.js';
import { assertChannelMay } from '../src/slack/channels.js';
import { defineCommand } from '../src/slack/command.js';
import { code, escapeMrkdwn, slackTime } from '../src/slack/mrkdwn.js';

export default defineCommand({
  name: 'silence',
  usage: 'silence FINGERPRINT DURATION [reason]',
  summary: 'stop announcing a finding for a while (30m, 2h, 1d, up to 30d); it is still counted',
  async run(ctx) {
    const [fp, duration, ...reasonWords] = ctx.args;
    if (!fp || !duration)
      throw new UserInputError(
        'usage: silence FINGERPRINT DURATION [reason], e.g. silence 3f9a0c1d2b4e5f60 2h registry maintenance',
      );
    const fingerprint = fingerprintArg.safeParse(fp);
    if (!fingerprint.success) throw new UserInputError(`"${fp}": ${fingerprint.error.issues[0]?.message}`);
    const durationMs = parseDuration(duration);
    const reason = reasonWords.join(' ').slice(0, 500);
    await ctx.ack();
    const { store, silences } = findingServicesOf(ctx);
    const record = await store.get(fingerprint.data);
    if (!record) throw new UserInputError(`no finding has fingerprint ${fp}; \`/harbor findings\` lists the open ones`);
    assertChannelMay(ctx.config, ctx.channel, record.finding.target);
    const s = await silences.silence({ fingerprint: fingerprint.data, by: ctx.user, reason, durationMs });
    ctx.log.info({ fingerprint: s.fingerprint, until: s.until }, 'finding silenced');
    await ctx.respond(
      `:zipper_mouth_face: Silenced ${code(s.fingerprint)} (${escapeMrkdwn(record.finding.title)}) until ` +
        `${slackTime(s.until, ctx.now())}. It is still recorded and counted in digests, but not announced. Undo ` +
        `with ${code(`/harbor unsilence ${s.fingerprint}`)}.`,
    );
  },
});
