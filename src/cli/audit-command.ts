import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createAuditLog, type AuditEntry } from '../audit-log.js';
import { readEnv } from '../config.js';
import { errorMessage } from '../errors.js';

export const auditUsage =
  'usage: harbor-pilot audit [--json] [--count N]   (N from 1 to 1000, default 100; reads REDIS_URL and ' +
  'HARBOR_PILOT_QUEUE_PREFIX)';

export interface AuditIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

function parse(argv: string[]): { json: boolean; count: number } {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, count: { type: 'string' } },
    strict: true,
  });
  const count = values.count === undefined ? 100 : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw new Error(`--count must be a whole number from 1 to 1000, got "${values.count}"`);
  return { json: values.json === true, count };
}

function textLine(e: AuditEntry): string {
  return [e.at, e.actor, e.action, e.remediation ?? '-', e.target ?? '-', e.outcome, e.detail ?? '']
    .join('  ')
    .replace(/\s+$/, '');
}

/**
 * `harbor-pilot audit`: the newest audit entries, newest first; with `--json` one document
 * `{ version: 1, entries: [...] }` on stdout for export. Exit 0, 1 when Redis fails, 2 on bad usage.
 */
export async function runAuditCommand(argv: string[], io: AuditIo): Promise<number> {
  let options: { json: boolean; count: number };
  let env: ReturnType<typeof readEnv>;
  try {
    options = parse(argv);
    env = readEnv(io.env);
  } catch (err) {
    io.stderr.write(`harbor-pilot audit: ${errorMessage(err)}\n${auditUsage}\n`);
    return 2;
  }
  const redis = new Redis(env.REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 5000,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const entries = await createAuditLog(redis, env.HARBOR_PILOT_QUEUE_PREFIX).latest(options.count);
    if (options.json) io.stdout.write(`${JSON.stringify({ version: 1, entries }, null, 2)}\n`);
    else
      io.stdout.write(entries.length === 0 ? 'The audit trail is empty.\n' : `${entries.map(textLine).join('\n')}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`harbor-pilot audit: cannot read the audit trail from Redis (${errorMessage(err)})\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}
