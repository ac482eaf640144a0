import { InvalidArgumentError, type Command } from 'commander';
import { createAuditLog, type AuditEntry } from '../audit-log.js';
import { createRegistry } from '../checks/registry.js';
import { readEnv } from '../config.js';
import { errorMessage } from '../errors.js';
import { createRedisFactory } from '../redis/connection.js';
import { createLogger } from '../log.js';
import { outputOption, resolveOutput, serialize } from './options.js';
import { act, type CliContext, runProgram } from './program.js';

export interface AuditIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

function textLine(e: AuditEntry): string {
  return [e.at, e.actor, e.action, e.remediation ?? '-', e.target ?? '-', e.outcome, e.detail ?? '']
    .join('  ')
    .replace(/\s+$/, '');
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  return n;
}

/** The newest entries, newest first; 1 when Redis cannot be read. */
async function audit(o: { count: number; output: string; json?: boolean }, ctx: CliContext): Promise<number> {
  const factory = createRedisFactory(readEnv(ctx.env));
  const redis = factory.connect('harbor-pilot-audit', { failFast: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const entries = await createAuditLog(redis, factory.prefix).latest(o.count);
    const output = resolveOutput(o.output, o.json);
    if (output !== 'table') ctx.stdout.write(serialize({ version: 1, entries }, output));
    else
      ctx.stdout.write(entries.length === 0 ? 'The audit trail is empty.\n' : `${entries.map(textLine).join('\n')}\n`);
    return 0;
  } catch (err) {
    ctx.stderr.write(`harbor-pilot audit: cannot read the audit trail from Redis (${errorMessage(err)})\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

/** `harbor-pilot audit`: the newest audit entries; `-o json` is the export `{ version: 1, entries }`. */
export function registerAudit(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .summary('the newest audit entries, from Redis (REDIS_URL)')
    .description(
      'Prints the newest entries of the audit trail, newest first (reads REDIS_URL and ' +
        'HARBOR_PILOT_QUEUE_PREFIX).\nExit 0, 1 when Redis cannot be read, 2 on bad usage.',
    )
    .option('--count <N>', 'how many entries, 1 to 1000', count, 100)
    .addOption(outputOption(['table', 'json', 'yaml']))
    .option('--json', 'as one JSON document { version: 1, entries } (same as -o json)')
    .action(act(ctx, 'audit', (o: { count: number; output: string; json?: boolean }) => audit(o, ctx)));
}

/** Runs `harbor-pilot audit ARGV…`. */
export function runAuditCommand(argv: string[], io: AuditIo): Promise<number> {
  const ctx = { ...io, log: createLogger({ level: 'silent' }), registry: createRegistry([]) };
  return runProgram(['audit', ...argv], ctx, [registerAudit]);
}
