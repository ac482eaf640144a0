import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { alertRouteIssues, alertsConfigSchema } from './alerts/config-schema.js';
import { ConfigError } from './errors.js';
import { lookupSecret, resolveSecretFiles } from './secret-files.js';

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, {
  error: 'must be lowercase letters, digits and dashes',
});
const remediationList = z.array(z.string().min(1)).default([]);

export const harborConfigSchema = z.strictObject({
  name: name.describe('unique name of this Harbor, used as harbor/NAME'),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .describe('API base: the external URL users and kubelets use'),
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
  name: name.describe('unique name of this cluster, used as cluster/NAME'),
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
    .default('/harbor'),
  approvers: z
    .array(z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'must be a Slack user id like U0123ABCD' }))
    .default([]),
  approverGroups: z
    .array(z.string().regex(/^S[A-Z0-9]+$/, { error: 'must be a Slack user group id like S0123ABCD' }))
    .default([]),
  allowSelfApproval: z.boolean().default(false),
  twoPersonRule: z.array(z.enum(['low', 'medium', 'high'])).default(['high']),
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

export const digestConfigSchema = z.strictObject({
  channel: z.string().min(1),
  cron: z.string().min(1),
  timezone: z.string().min(1).default('UTC'),
  targets: z.array(z.string().regex(/^(harbor|cluster)\/[a-z0-9-]+$/)).optional(),
});

export const watchConfigSchema = z.strictObject({
  cron: z.string().min(1),
  timezone: z.string().min(1).default('UTC'),
  targets: z.array(z.string().regex(/^(harbor|cluster)\/[a-z0-9-]+$/)).optional(),
  checks: z.array(z.string().min(1)).optional(),
  channel: z.string().min(1).optional(),
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
    harbors: z.array(harborConfigSchema).default([]),
    clusters: z.array(clusterConfigSchema).default([]),
    slack: slackConfigSchema.optional(),
    digests: z.array(digestConfigSchema).default([]),
    watches: z.array(watchConfigSchema).default([]),
    checks: z.record(z.string(), z.record(z.string(), z.unknown())).default({}).describe('default params per check id'),
    runner: runnerConfigSchema.default(() => runnerConfigSchema.parse({})),
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
        const message = `channel ${c.id} lists "${t}", which is no configured target (known: ${known.join(', ') || 'none'})`;
        ctx.addIssue({ code: 'custom', path: ['slack', 'channels', i, 'targets', j], message });
      }
    });
  });
}

type SlackConfigIn = { channels?: { id: string; targets: string[] }[] };

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
  HARBOR_PILOT_CONFIG: z.string().min(1).optional(),
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
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().min(1).optional(),
  SLACK_API_URL: z.url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HARBOR_PILOT_QUEUE_PREFIX: z.string().min(1).default('hp'),
  /** Port of /healthz, /readyz and /metrics in every mode; unset: only on PORT in HTTP mode. */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Bearer token of POST /hooks/alertmanager and /hooks/harbor; unset: they answer 404. */
  HARBOR_PILOT_HOOK_TOKEN: z.string().min(1).optional(),
});
export type Env = z.infer<typeof envSchema>;

/** Reads the environment; each secret variable may be given as NAME_FILE instead (src/secret-files.ts). */
export function readEnv(env: NodeJS.ProcessEnv): Env {
  const withSecrets = resolveSecretFiles(env);
  const cleaned = Object.fromEntries(Object.entries(withSecrets).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, 'env '));
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

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

function describeIssues(issues: z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((i) => {
    const where = formatPath(i.path);
    if (i.code === 'unrecognized_keys') {
      return (
        `${prefix}${where || '(root)'}: unknown key${i.keys.length > 1 ? 's' : ''} ` +
        `${i.keys.map((k) => `"${k}"`).join(', ')}`
      );
    }
    return `${prefix}${where || '(root)'}: ${i.message}`;
  });
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
    problems.push(...describeIssues(parsed.error.issues.filter((i) => !unsetKeys.has(formatPath(i.path)))));
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
