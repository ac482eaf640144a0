import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { type HookSource, parseNotification } from '../alerts/notification.js';
import { type AlertRouting, routeAlert } from '../alerts/route.js';
import { loadConfig } from '../config.js';
import { UserInputError } from '../errors.js';
import { configOption, outputOption, resolveOutput, serialize } from './options.js';
import { act, type CliContext } from './program.js';

interface RouteOptions {
  file: string;
  config?: string;
  source?: HookSource;
  output: string;
  json?: boolean;
}

interface Row {
  alert: string;
  status: string;
  summary: string;
  routing: AlertRouting | null;
}

/** Alertmanager's body has `alerts` and `version`; anything else is taken for Harbor's. */
function guessSource(body: unknown): HookSource {
  return typeof body === 'object' && body !== null && 'alerts' in body && 'version' in body ? 'alertmanager' : 'harbor';
}

function readPayload(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserInputError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UserInputError(`${file}: not JSON`);
  }
}

function formatRow(r: Row): string[] {
  const head = `${r.alert} [${r.status}] ${r.summary}`;
  if (!r.routing) return [head, '  target   none: it belongs to no configured target (202, counted as unrouted)'];
  const checks = r.routing.checks.map(
    (c) => `${c.checkId} on ${c.target}${Object.keys(c.params).length > 0 ? ` ${JSON.stringify(c.params)}` : ''}`,
  );
  const lines = [
    head,
    `  target   ${r.routing.target}  (${r.routing.reason})`,
    `  channel  ${r.routing.channel ?? 'none: set alerts.channel (nothing is posted without one)'}`,
    `  checks   ${checks.join(', ') || 'none apply'}`,
  ];
  if (r.routing.unknownChecks.length > 0)
    lines.push(`  unknown  ${r.routing.unknownChecks.join(', ')} (not installed)`);
  return lines;
}

/** Which target, checks and channel each alert of a payload would get; no Slack, no Redis. */
function route(o: RouteOptions, ctx: CliContext): number {
  const config = loadConfig({ env: ctx.env, path: o.config });
  const body = readPayload(o.file);
  const source = o.source ?? guessSource(body);
  const parsed = parseNotification(source, body);
  if (!parsed.ok) throw new UserInputError(`not a valid ${source} payload: ${parsed.reason}`);
  const rows: Row[] = parsed.alerts.map((a) => ({
    alert: a.name,
    status: a.status,
    summary: a.summary,
    routing: routeAlert(config, ctx.registry, a, parsed.host) ?? null,
  }));
  const output = resolveOutput(o.output, o.json);
  if (output !== 'table') ctx.stdout.write(serialize({ source, alerts: rows }, output));
  else if (rows.length === 0) ctx.stdout.write(`${source} payload: no alert this bot acts on (202, ignored)\n`);
  else ctx.stdout.write(`${rows.flatMap(formatRow).join('\n')}\n`);
  return 0;
}

/** `harbor-pilot alerts route`: explains what the alert hooks would do with a payload. */
export function registerAlerts(program: Command, ctx: CliContext): void {
  const alerts = program.command('alerts').summary('what the alert hooks would do with a payload');
  alerts
    .command('route')
    .summary('which target, checks and channel an Alertmanager or Harbor payload would get')
    .description(
      'Reads a webhook payload (Alertmanager v4, Harbor Default or CloudEvents) and prints, per alert, the ' +
        'target\nits incident belongs to, the checks it would run and the channel; no Slack, no Redis.\nExit 0, ' +
        '2 on bad usage, configuration or payload.',
    )
    .requiredOption('--file <PAYLOAD>', 'the JSON payload')
    .addOption(configOption())
    .addOption(new Option('--source <SENDER>', 'default: guessed from the payload').choices(['alertmanager', 'harbor']))
    .addOption(outputOption(['table', 'json', 'yaml']))
    .option('--json', 'same as -o json')
    .action(act(ctx, 'alerts route', async (o: RouteOptions) => route(o, ctx)));
}
