import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { alertRouteIssues, alertsConfigSchema } from './alerts/config-schema.js';
import { describeIssues, formatPath, jsonSchemaOf } from './config-issues.js';
import { ConfigError } from './errors.js';
import { cronProblem, timeZoneProblem } from './schedule-syntax.js';
import { lookupSecret, resolveSecretFiles } from './secret-files.js';

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, {
  error: 'must be lowercase letters, digits and dashes',
});
const remediationList = z.array(z.string().min(1)).default([]);

export const harborConfigSchema = z.strictObject({
  name: name.describe('a short name for this Harbor, used as harbor/NAME (lowercase letters, digits, dashes)'),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .describe("the Harbor's external URL, the one users and kubelets use, e.g. https://harbor.example.com"),
  username: z.string().min(1).optional().describe('robot account or user for the Harbor API'),
  password: z.string().min(1).optional().describe('its password or robot secret (use ${VAR})'),
  aliases: z.array(z.string().min(1)).default([]).describe('other host names (host[:port]) that reach this Harbor'),
  database: z.string().min(1).optional().describe("read-only PostgreSQL URL of Harbor's database"),
  redis: z.string().min(1).optional().describe("Harbor's own Redis URL (cache inspection/repair)"),
  remediations: remediationList.describe('remediation ids allowed on this Harbor; "*" = all; default none'),
  timeoutMs: z.number().int().positive().default(10_000).describe('per-request timeout'),
  concurrency: z.number().int().min(1).max(64).default(8).describe('cap on concurrent Harbor requests per scan'),
  insecureSkipTLSVerify: z
    .boolean()
    .default(false)
    .describe('accept any certificate, unverified (a lab only; for a private CA set NODE_EXTRA_CA_CERTS instead)'),
});

export const clusterConfigSchema = z.strictObject({
  name: name.describe('a short name for this cluster, used as cluster/NAME (lowercase letters, digits, dashes)'),
  kubeconfig: z.string().min(1).optional().describe('kubeconfig file; in-cluster config when absent'),
  context: z.string().min(1).optional().describe('kubeconfig context'),
  namespace: z.string().min(1).default('harbor').describe('where the Harbor release runs'),
  release: z.string().min(1).default('harbor').describe('Helm release name'),
  harbor: z.string().min(1).optional().describe('which Harbor (by name) this cluster runs'),
  remediations: remediationList.describe('remediation ids allowed on this cluster; "*" = all; default none'),
  imageMirror: z.string().min(1).default('docker.io/goharbor').describe('independent source for Harbor images'),
  timeoutMs: z.number().int().positive().default(15_000).describe('per-request timeout'),
});

const slackUserId = z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'must be a Slack user id like U0123ABCD' });
const slackGroupId = z.string().regex(/^S[A-Z0-9]+$/, { error: 'must be a Slack user group id like S0123ABCD' });
const targetRef = z
  .string()
  .regex(/^(harbor|cluster)\/[a-z0-9-]+$/, { error: 'must look like harbor/NAME or cluster/NAME' });

export const slackChannelConfigSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[CGD][A-Z0-9]+$/, { error: 'must be a Slack channel id like C0123ABCD' })
    .describe('Slack channel id'),
  targets: z
    .array(z.union([z.literal('*'), targetRef]))
    .min(1)
    .describe('what this channel may diagnose and fix; "*" = all'),
  approvers: z.array(slackUserId).optional().describe('replaces slack.approvers for proposals posted here'),
  approverGroups: z.array(slackGroupId).optional().describe('replaces slack.approverGroups for proposals posted here'),
});

export const slackConfigSchema = z.strictObject({
  command: z
    .string()
    .regex(/^\/[a-z0-9_-]+$/, { error: 'must look like /harbor' })
    .default('/harbor')
    .describe('the slash command of the Slack app (as in manifest.yaml)'),
  approvers: z
    .array(z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'must be a Slack user id like U0123ABCD' }))
    .default([])
    .describe('Slack user ids (U…) who may approve fixes; nobody when empty'),
  approverGroups: z
    .array(z.string().regex(/^S[A-Z0-9]+$/, { error: 'must be a Slack user group id like S0123ABCD' }))
    .default([])
    .describe('Slack user group ids (S…) whose members may approve fixes'),
  allowSelfApproval: z
    .boolean()
    .default(false)
    .describe('whether the person who asked for the diagnosis may approve its fixes'),
  twoPersonRule: z
    .array(z.enum(['low', 'medium', 'high']))
    .default(['high'])
    .describe('risks whose fixes need two distinct approvers'),
  approvalTtlMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60)
    .describe('how long an approval button stays valid'),
  alertChannel: z.string().min(1).optional().describe('channel for watch alerts'),
  channels: z
    .array(slackChannelConfigSchema)
    .optional()
    .describe('which channel may use which targets, and who approves there; absent: any channel, any target'),
});

/** A cron pattern checked with the parser BullMQ's job schedulers use, so start-up cannot reject it. */
const cron = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const timeZone = z
  .string()
  .min(1)
  .default('UTC')
  .superRefine((value, ctx) => {
    const problem = timeZoneProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('IANA time zone the cron pattern is read in, e.g. Europe/Berlin');
const scheduleTargets = z
  .array(z.string().regex(/^(harbor|cluster)\/[a-z0-9-]+$/))
  .optional()
  .describe('harbor/NAME or cluster/NAME; default: every configured target');

export const digestConfigSchema = z.strictObject({
  channel: z.string().min(1).describe('Slack channel id (C…) the digest is posted in'),
  cron: cron.describe('when to post, a cron pattern, e.g. "0 9 * * 1-5" (09:00 on weekdays)'),
  timezone: timeZone,
  targets: scheduleTargets,
});

export const watchConfigSchema = z.strictObject({
  cron: cron.describe('when to run the checks, a cron pattern, e.g. "*/10 * * * *" (every 10 minutes)'),
  timezone: timeZone,
  targets: scheduleTargets,
  checks: z.array(z.string().min(1)).optional().describe('check ids to run; default: every check'),
  channel: z.string().min(1).optional().describe('Slack channel id for its alerts; default: slack.alertChannel'),
  minSeverity: z
    .enum(['critical', 'warning', 'info'])
    .default('critical')
    .describe('announce new findings at or above this severity, once per finding until it resolves'),
});

export const runnerConfigSchema = z.strictObject({
  checkTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(120_000)
    .describe('a check running longer becomes an error finding'),
  concurrency: z.number().int().min(1).max(64).default(4).describe('checks a worker runs at once'),
  handoffMs: z
    .number()
    .int()
    .min(1000)
    .default(30_000)
    .describe("how soon another worker takes over a dead worker's check or diagnosis (its lock)"),
});

export const configSchema = z
  .strictObject({
    harbors: z.array(harborConfigSchema).default([]).describe('the Harbors to diagnose'),
    clusters: z.array(clusterConfigSchema).default([]).describe('the Kubernetes clusters Harbors run on'),
    slack: slackConfigSchema.optional().describe('the Slack bot: command, approvers, channels'),
    digests: z.array(digestConfigSchema).default([]).describe('scheduled summaries posted to a channel'),
    watches: z.array(watchConfigSchema).default([]).describe('checks run on a schedule that announce new findings'),
    checks: z.record(z.string(), z.record(z.string(), z.unknown())).default({}).describe('default params per check id'),
    runner: runnerConfigSchema
      .default(() => runnerConfigSchema.parse({}))
      .describe('how checks run: time limit and concurrency'),
    alerts: alertsConfigSchema.optional().describe('Alertmanager and Harbor webhooks open incident threads'),
  })
  .superRefine((cfg, ctx) => {
    unique(
      cfg.harbors.map((h) => h.name),
      ['harbors'],
      ctx,
    );
    unique(
      cfg.clusters.map((c) => c.name),
      ['clusters'],
      ctx,
    );
    const harborNames = new Set(cfg.harbors.map((h) => h.name));
    cfg.clusters.forEach((c, i) => {
      if (c.harbor !== undefined && !harborNames.has(c.harbor)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'harbor'],
          message: `names no configured Harbor (known: ${[...harborNames].join(', ') || 'none'})`,
        });
      }
    });
    checkChannels(cfg, ctx);
    checkScheduledChannels(cfg, ctx);
    cfg.harbors.forEach((h, i) => {
      if ((h.username === undefined) !== (h.password === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['harbors', i, h.username ? 'password' : 'username'],
          message: 'username and password go together',
        });
      }
    });
    const targets = [...cfg.harbors.map((h) => `harbor/${h.name}`), ...cfg.clusters.map((c) => `cluster/${c.name}`)];
    for (const issue of alertRouteIssues(cfg.alerts?.routes ?? [], targets)) ctx.addIssue({ code: 'custom', ...issue });
  });

/** Every target a channel lists must be configured; a channel is listed once. */
function checkChannels(
  cfg: { harbors: { name: string }[]; clusters: { name: string }[]; slack?: SlackConfigIn },
  ctx: z.RefinementCtx,
): void {
  const channels = cfg.slack?.channels ?? [];
  const known = [...cfg.harbors.map((h) => `harbor/${h.name}`), ...cfg.clusters.map((c) => `cluster/${c.name}`)];
  const seen = new Set<string>();
  channels.forEach((c, i) => {
    if (seen.has(c.id))
      ctx.addIssue({
        code: 'custom',
        path: ['slack', 'channels', i, 'id'],
        message: `channel ${c.id} is listed twice`,
      });
    seen.add(c.id);
    c.targets.forEach((t, j) => {
      if (t !== '*' && !known.includes(t)) {
        const message =
          `channel ${c.id} lists "${t}", which is no configured target (known: ` + `${known.join(', ') || 'none'})`;
        ctx.addIssue({ code: 'custom', path: ['slack', 'channels', i, 'targets', j], message });
      }
    });
  });
}

type SlackConfigIn = { channels?: { id: string; targets: string[] }[]; alertChannel?: string };
type ScheduledIn = { channel?: string; targets?: string[] };

/**
 * Under `slack.channels`, a digest or a watch posts only in a channel that may use every target it
 * covers (default: every target), or its findings would reach a channel scoped away from them.
 */
function checkScheduledChannels(
  cfg: {
    harbors: { name: string }[];
    clusters: { name: string }[];
    slack?: SlackConfigIn;
    digests: ScheduledIn[];
    watches: ScheduledIn[];
  },
  ctx: z.RefinementCtx,
): void {
  const channels = cfg.slack?.channels;
  if (!channels) return;
  const known = [...cfg.harbors.map((h) => `harbor/${h.name}`), ...cfg.clusters.map((c) => `cluster/${c.name}`)];
  const check = (kind: 'digests' | 'watches', i: number, s: ScheduledIn, channel: string | undefined) => {
    if (!channel) return;
    const entry = channels.find((c) => c.id === channel);
    const may = entry ? (entry.targets.includes('*') ? known : entry.targets) : [];
    const not = (s.targets ?? known).filter((t) => known.includes(t) && !may.includes(t));
    if (not.length === 0) return;
    const message =
      `posts in ${channel}, which slack.channels does not let use ${not.join(', ')} ` +
      `(${entry ? `it may use: ${may.join(', ') || 'nothing'}` : 'it is not listed there'}); ` +
      `set ${kind}[${i}].targets to what it may use, or name a channel that may use them all`;
    ctx.addIssue({ code: 'custom', path: [kind, i, s.channel ? 'channel' : 'targets'], message });
  };
  for (const [i, d] of cfg.digests.entries()) check('digests', i, d, d.channel);
  for (const [i, w] of cfg.watches.entries()) check('watches', i, w, w.channel ?? cfg.slack?.alertChannel);
}

function unique(names: string[], path: (string | number)[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [...path, i, 'name'], message: `duplicate name "${n}"` });
    seen.add(n);
  });
}

export type Config = z.infer<typeof configSchema>;
export type HarborConfig = z.infer<typeof harborConfigSchema>;
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
export type SlackConfig = z.infer<typeof slackConfigSchema>;
export type SlackChannelConfig = z.infer<typeof slackChannelConfigSchema>;

/** Environment variables of CONTRACT.md. */
export const envSchema = z.object({
  HARBOR_PILOT_CONFIG: z.string().min(1).optional().describe('the configuration file, when --config is not given'),
  REDIS_URL: z
    .string()
    .min(1)
    .default('redis://127.0.0.1:6379')
    .describe('redis:// or rediss:// (TLS); with Sentinel or Cluster only its credentials, db and TLS count'),
  REDIS_USERNAME: z.string().min(1).optional().describe('Redis ACL user (overrides the one in REDIS_URL)'),
  REDIS_PASSWORD: z.string().min(1).optional().describe('Redis password (overrides the one in REDIS_URL)'),
  REDIS_SENTINELS: z.string().min(1).optional().describe('Sentinel mode: host:port[,host:port…] of the sentinels'),
  REDIS_SENTINEL_MASTER: z.string().min(1).optional().describe('Sentinel mode: the monitored master name'),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional().describe("the sentinels' own password, if they have one"),
  REDIS_CLUSTER_NODES: z.string().min(1).optional().describe('Cluster mode: host:port[,host:port…] of some nodes'),
  SLACK_BOT_TOKEN: z.string().min(1).optional().describe('the Bot User OAuth Token (xoxb-…); start, bot, worker'),
  SLACK_SIGNING_SECRET: z.string().min(1).optional().describe("the app's Signing Secret: HTTP mode (Slack calls PORT)"),
  SLACK_APP_TOKEN: z
    .string()
    .min(1)
    .optional()
    .describe('an app-level token (xapp-…) with connections:write: Socket Mode, no public URL'),
  SLACK_API_URL: z.url().optional().describe("Slack's Web API base; set only for a simulator"),
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(3000)
    .describe('HTTP mode: the port of /slack/events (and /hooks/*)'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('log level of the JSON lines on stderr; one-shot commands on a terminal default to warn'),
  HARBOR_PILOT_QUEUE_PREFIX: z
    .string()
    .min(1)
    .default('hp')
    .describe('prefix of every Redis key: two deployments on one Redis need different ones'),
  OPS_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .optional()
    .describe('port of /healthz, /readyz and /metrics in every mode; unset: only beside PORT in HTTP mode'),
  HARBOR_PILOT_HOOK_TOKEN: z
    .string()
    .min(1)
    .optional()
    .describe('bearer token of POST /hooks/alertmanager and /hooks/harbor; unset: they answer 404'),
});
export type Env = z.infer<typeof envSchema>;

/** Reads the environment; each secret variable may be given as NAME_FILE instead (src/secret-files.ts). */
export function readEnv(env: NodeJS.ProcessEnv): Env {
  const withSecrets = resolveSecretFiles(env);
  const cleaned = Object.fromEntries(Object.entries(withSecrets).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, { prefix: 'env ' }));
  return parsed.data;
}

/**
 * Replaces ${VAR} and ${VAR:-default} in every string (VAR may be given as VAR_FILE, a file holding the
 * value); collects every unset variable by key.
 */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}/g,
      (_m, v: string, hasDefault?: string, def?: string) => {
        const got = lookupSecret(env, v);
        if (got && 'value' in got) return got.value;
        if (got) {
          problems.push(`${path || '(root)'}: ${got.problem}`);
          return '';
        }
        if (hasDefault !== undefined) return def ?? '';
        problems.push(`${path || '(root)'}: environment variable ${v} is not set`);
        return '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`, problems));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const next = interpolate(v, env, path ? `${path}.${k}` : k, problems);
      if (next !== '' && next !== null) out[k] = next; // an empty optional key counts as absent
    }
    return out;
  }
  return value;
}

/** Parses and validates a configuration document (already-read YAML text). */
export function parseConfig(text: string, env: NodeJS.ProcessEnv, source = 'configuration'): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError([`${source}: not valid YAML (${(err as Error).message.split('\n')[0]})`]);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError([`${source}: must be a YAML mapping`]);
  const problems: string[] = [];
  const expanded = interpolate(raw, env, '', problems);
  const unsetKeys = new Set(problems.map((p) => p.slice(0, p.indexOf(':'))));
  const parsed = configSchema.safeParse(expanded);
  if (!parsed.success) {
    // A key whose variable is unset is already reported; its knock-on issues would only confuse.
    const issues = parsed.error.issues.filter((i) => !unsetKeys.has(formatPath(i.path)));
    problems.push(...describeIssues(issues, { input: expanded, schema: jsonSchemaOf(configSchema) }));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(parsed.data as Config);
}

/** Reads the configuration file named by `path` or HARBOR_PILOT_CONFIG, validated once. */
export function loadConfig(options: { env: NodeJS.ProcessEnv; path?: string }): Config {
  const file = options.path ?? options.env.HARBOR_PILOT_CONFIG;
  if (!file) throw new ConfigError(['no configuration file: pass --config FILE or set HARBOR_PILOT_CONFIG']);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseConfig(text, options.env, file);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
