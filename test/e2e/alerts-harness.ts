import { readFileSync } from 'node:fs';
import { registry } from '../../jobs/index.js';
import { parseConfig, type Config } from '../../src/config.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import type { Scenario } from '../../src/lab/scenario-schema.js';
import { loadScenarios, pickScenarios } from '../../src/lab/scenarios.js';
import type { Mode, Runtime } from '../../src/runtime.js';
import { startSlackSim, type SlackSim } from '../../src/sim/slack-sim.js';
import { freePort, uniquePrefix } from '../support/helpers.js';
import { startBot } from '../support/bot-harness.js';

export const hookToken = 'hook-token-e2e-0123456789';
export const alertChannel = 'C0ALERTS';

export function scenario(name: string): Scenario {
  return pickScenarios(loadScenarios(), [name])[0] as Scenario;
}

/** The lab's configuration (Harbor and cluster `lab`) with an `alerts` section. */
export function labAlertsConfig(lab: Lab, alertsYaml = ''): Config {
  const text = `${readFileSync(lab.configPath, 'utf8')}alerts:\n  channel: ${alertChannel}\n${alertsYaml}`;
  return parseConfig(text, {});
}

export interface AlertBot {
  runtime: Runtime;
  logs: string[];
  url: string;
  close(): Promise<void>;
}

/** The real bot in HTTP mode (or `mode`) on a free PORT, hooks enabled unless `token` is ''. */
export async function startAlertBot(o: {
  slack: SlackSim;
  config: Config;
  prefix?: string;
  mode?: Mode;
  token?: string;
  extraEnv?: Record<string, string>;
}): Promise<AlertBot> {
  const port = await freePort();
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: 'xoxb-alerts-bot',
    SLACK_SIGNING_SECRET: 'alerts-signing-secret',
    SLACK_API_URL: o.slack.apiUrl,
    PORT: String(port),
    ...o.extraEnv,
  };
  const token = o.token ?? hookToken;
  if (token) env.HARBOR_PILOT_HOOK_TOKEN = token;
  if (o.prefix) env.HARBOR_PILOT_QUEUE_PREFIX = o.prefix;
  const { runtime, logs } = await startBot({ name: 'alerts', config: o.config, registry, env, mode: o.mode });
  return { runtime, logs, url: `http://127.0.0.1:${port}`, close: () => runtime.close() };
}

export { startLab, startSlackSim, uniquePrefix };

/** POSTs a JSON body to a hook with the bearer token (or the given Authorization header). */
export async function postHook(
  url: string,
  body: unknown,
  authorization: string | null = `Bearer ${hookToken}`,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: (await res.text()).trim() };
}

type Labels = Record<string, string>;

/** An Alertmanager v4 notification of `alerts` (labels), all firing or all resolved. */
export function amNotification(
  alerts: Labels[],
  o: { status?: 'firing' | 'resolved'; startsAt?: string; reason?: string } = {},
) {
  const status = o.status ?? 'firing';
  const startsAt = o.startsAt ?? '2026-12-05T10:00:00Z';
  return {
    version: '4',
    groupKey: `{}/{severity="critical"}:{alertname="${alerts[0]?.alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'harbor-pilot',
    groupLabels: { alertname: alerts[0]?.alertname },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    notification_reason: o.reason ?? 'first notification',
    alerts: alerts.map((labels) => ({
      status,
      labels,
      annotations: { summary: `${labels.alertname} fired`, runbook_url: 'https://runbooks.example.com/harbor' },
      startsAt,
      endsAt: status === 'resolved' ? '2026-12-05T10:20:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
      fingerprint: Object.entries(labels)
        .map(([k, v]) => `${k}${v}`)
        .join('')
        .slice(0, 40),
    })),
  };
}
