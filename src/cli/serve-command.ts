import type { Command } from 'commander';
import type { Mode } from '../runtime.js';
import { configOption } from './options.js';
import { act, type CliContext } from './program.js';

const summaries: Record<Mode, string> = {
  start: 'the Slack bot and the workers in one process (the default deployment)',
  bot: 'the Slack bot only: answers commands and enqueues checks',
  worker: 'the workers only: run checks and remediations',
};

/**
 * `harbor-pilot start|bot|worker`: runs until SIGTERM or SIGINT. The service code (Bolt, BullMQ)
 * loads only when the action runs, so `--help` starts nothing.
 */
export function serveCommand(mode: Mode) {
  return (program: Command, ctx: CliContext): void => {
    program
      .command(mode)
      .summary(summaries[mode])
      .description(
        `Runs ${summaries[mode]}, until SIGTERM or SIGINT; then shuts down gracefully.\nReads the environment ` +
          `variables of the README (SLACK_BOT_TOKEN, REDIS_URL, ...).`,
      )
      .addOption(configOption())
      .action(
        act(ctx, mode, async (o: { config?: string }) => {
          const { serve } = await import('../bin/serve.js');
          return serve(mode, o.config, ctx);
        }),
      );
  };
}
