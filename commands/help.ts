import { defineCommand } from '../src/slack/command.js';
import { code, escapeMrkdwn } from '../src/slack/mrkdwn.js';

export default defineCommand({
  name: 'help',
  usage: 'help',
  summary: 'what I can do: sub-commands and checks',
  async run(ctx) {
    const cmd = ctx.config.slack?.command ?? '/harbor';
    const commands = ctx.commands.map((c) => `• ${code(`${cmd} ${c.usage}`)}: ${escapeMrkdwn(c.summary)}`);
    const checks = [...ctx.registry.checks.values()].map(
      (c) => `• ${code(c.id)} (${c.appliesTo.join(', ')}): ${escapeMrkdwn(c.title)}`,
    );
    const text =
      `*harbor-pilot* diagnoses Harbor and the clusters it runs ` +
      `on.\n\n*Commands*\n${commands.join('\n')}\n\n*Checks*\n${checks.join('\n')}`;
    await ctx.ack({
      text: `${cmd} help`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }],
    });
  },
});
