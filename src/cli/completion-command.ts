import { Argument, type Command } from 'commander';
import { bashCompletion, zshCompletion } from './completion.js';
import { act, type CliContext } from './program.js';

/** `harbor-pilot completion bash|zsh`: prints the shell's completion script. */
export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .summary('print the shell completion script (bash or zsh)')
    .description(
      'Prints a completion script for sub-commands, options, their values and check ids.\n  bash: source ' +
        '<(harbor-pilot completion bash)\n  zsh:  source <(harbor-pilot completion zsh)',
    )
    .addArgument(new Argument('<SHELL>', 'bash or zsh').choices(['bash', 'zsh']))
    .action(
      act(ctx, 'completion', async (shell: 'bash' | 'zsh') => {
        const words = { check: [...ctx.registry.checks.keys()] };
        ctx.stdout.write(shell === 'bash' ? bashCompletion(program, words) : zshCompletion(program, words));
        return 0;
      }),
    );
}
