import { UserInputError } from '../src/errors.js';
import type { DigestJob } from '../src/digest/digest-job.js';
import { channelTargets, channelsScoped } from '../src/slack/channels.js';
import { defineCommand } from '../src/slack/command.js';

export default defineCommand({
  name: 'digest',
  usage: 'digest',
  summary: 'post a digest in this channel now: new, open and resolved findings since the last one',
  async run(ctx) {
    if (ctx.args.length > 0) throw new UserInputError(`usage: digest (no arguments); got "${ctx.args.join(' ')}"`);
    const configured = ctx.config.digests.find((d) => d.channel === ctx.channel && !d.targets);
    // A channel scoped by slack.channels hears about its own targets only.
    const targets = channelsScoped(ctx.config) ? channelTargets(ctx.config, ctx.channel).map((t) => t.ref) : undefined;
    const data: DigestJob = {
      channel: ctx.channel,
      timezone: configured?.timezone ?? 'UTC',
      requestedBy: ctx.user,
      targets,
    };
    // One digest per channel per 10 s, however often the command is sent.
    const jobId = `digest-now-${ctx.channel}-${Math.floor(ctx.now().getTime() / 10_000)}`;
    await ctx.ack('Posting a digest in this channel…');
    await ctx.queues.scheduled.add('digest', data, {
      jobId,
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 100 },
    });
  },
});
