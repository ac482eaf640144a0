import type { Registry } from '../checks/registry.js';
import { planChecks } from '../checks/runner.js';
import type { Config } from '../config.js';
import { alertChannelFor } from '../slack/channels.js';
import { clusterConfigOf, listTargets, type Target } from '../targets.js';
import type { Alert } from './alert.js';
import { isRegex, type AlertRoute } from './config-schema.js';
import { ruleFor } from './mapping.js';

export interface PlannedAlertCheck {
  checkId: string;
  target: string;
  params: Record<string, string | number | boolean>;
}

/** Where an alert goes: its incident's target, the channel, and the checks it asks for. */
export interface AlertRouting {
  target: string;
  channel: string | undefined;
  checks: PlannedAlertCheck[];
  /** How it was decided: `route N`, the built-in rule id, or `full diagnosis`. */
  reason: string;
  /** Check ids named by a route that are not installed. */
  unknownChecks: string[];
}

function labelMatches(want: string, got: string | undefined): boolean {
  if (got === undefined) return false;
  return isRegex(want) ? new RegExp(`^(?:${want.slice(1, -1)})$`).test(got) : want === got;
}

function routeMatches(route: AlertRoute, a: Alert): boolean {
  return Object.entries(route.match).every(([k, v]) =>
    labelMatches(v, k === 'alertname' ? (a.labels.alertname ?? a.name) : a.labels[k]),
  );
}

/** Which configured target an alert belongs to without a route (CONTRACT.md "Alerts in"). */
export function ownerOf(config: Config, a: Alert, harborHost?: string): Target | undefined {
  const targets = listTargets(config);
  if (a.source === 'harbor') {
    const host = harborHost?.toLowerCase();
    const byHost = host ? config.harbors.find((h) => hostsOf(h.url, h.aliases).includes(host)) : undefined;
    if (byHost) return targets.find((t) => t.ref === `harbor/${byHost.name}`);
    return !host && config.harbors.length === 1 ? targets.find((t) => t.kind === 'harbor') : undefined;
  }
  const cluster = a.labels.cluster;
  if (cluster && config.clusters.some((c) => c.name === cluster))
    return targets.find((t) => t.ref === `cluster/${cluster}`);
  const ns = a.labels.namespace;
  const sameNs = ns ? config.clusters.filter((c) => c.namespace === ns) : [];
  return sameNs.length === 1 ? targets.find((t) => t.ref === `cluster/${sameNs[0]?.name}`) : undefined;
}

function hostsOf(url: string, aliases: readonly string[]): string[] {
  const u = new URL(url);
  return [u.host, u.hostname, ...aliases.flatMap((a) => [a, a.replace(/:\d+$/, '')])].map((h) => h.toLowerCase());
}

/** The targets a check for `t` may run on: `t`, and the Harbor a cluster runs or the clusters running a Harbor. */
function relatedTargets(config: Config, t: Target): Target[] {
  const all = listTargets(config);
  const harbor = t.kind === 'cluster' ? clusterConfigOf(config, t.name)?.harbor : t.name;
  const related = all.filter(
    (x) =>
      x.ref === t.ref ||
      (x.kind === 'harbor' && x.name === harbor) ||
      (x.kind === 'cluster' && clusterConfigOf(config, x.name)?.harbor === harbor && !!harbor),
  );
  return related;
}

/** Alert labels a check may take as parameters, when its schema accepts them. */
function paramsFor(registry: Registry, checkId: string, a: Alert): Record<string, string> {
  const check = registry.check(checkId);
  const project = a.labels.project ?? a.labels.project_name;
  const candidate: Record<string, string> = project ? { project } : {};
  return check && Object.keys(candidate).length > 0 && check.params.safeParse(candidate).success ? candidate : {};
}

function place(
  registry: Registry,
  config: Config,
  t: Target,
  ids: string[] | undefined,
  a: Alert,
): PlannedAlertCheck[] {
  const known = ids?.filter((id) => registry.check(id));
  if (known?.length === 0) return [];
  const targets = known ? relatedTargets(config, t) : [t];
  let plan: ReturnType<typeof planChecks> = [];
  try {
    plan = planChecks(registry, config, { ids: known, targets }, listTargets(config));
  } catch {
    plan = [];
  }
  return plan.map((p) => ({ checkId: p.check.id, target: p.target.ref, params: paramsFor(registry, p.check.id, a) }));
}

/**
 * Routes one alert: the first `alerts.routes` entry that matches, then the built-in mapping.
 * Undefined: it belongs to no configured target.
 */
export function routeAlert(
  config: Config,
  registry: Registry,
  a: Alert,
  harborHost?: string,
): AlertRouting | undefined {
  const routes = config.alerts?.routes ?? [];
  const index = routes.findIndex((r) => routeMatches(r, a));
  const route = routes[index];
  const target = route ? listTargets(config).find((t) => t.ref === route.target) : ownerOf(config, a, harborHost);
  if (!target) return undefined;
  const rule = ruleFor(a);
  const ids = route?.checks ?? rule?.plan(a, (id) => !!registry.check(id));
  const reason = route?.checks ? `route ${index + 1}` : (rule?.id ?? 'full diagnosis');
  return {
    target: target.ref,
    channel: alertChannelFor(config, target.ref, route?.channel ?? config.alerts?.channel),
    checks: place(registry, config, target, ids, a),
    reason: route && !route.checks ? `route ${index + 1}, ${reason}` : reason,
    unknownChecks: (route?.checks ?? []).filter((id) => !registry.check(id)),
  };
}
