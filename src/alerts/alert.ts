import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { AlertmanagerPayload, HarborEvent } from './payloads.js';

/** One alert as harbor-pilot keeps it, whichever sender it came from. */
export const alertSchema = z.object({
  /** Identifies one firing episode: Alertmanager's fingerprint and startsAt, or the Harbor event's subject. */
  key: z.string().min(1),
  source: z.enum(['alertmanager', 'harbor']),
  /** `alertname`, or the Harbor event type. */
  name: z.string().min(1),
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  /** One line: what fired on what. */
  summary: z.string(),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  links: z.array(z.object({ label: z.string(), url: z.string() })).default([]),
});
export type Alert = z.infer<typeof alertSchema>;

const zeroTime = '0001-01-01T00:00:00Z';
const httpUrl = (u: string | undefined): u is string => !!u && /^https?:\/\//.test(u);

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** The object an Alertmanager alert names, for the one-line summary. */
function subject(labels: Record<string, string>): string {
  const ns = labels.namespace ? `${labels.namespace}/` : '';
  const obj =
    labels.pod ?? labels.deployment ?? labels.statefulset ?? labels.component ?? labels.service ?? labels.instance;
  const container = labels.container && labels.pod ? ` (${labels.container})` : '';
  return obj ? `${ns}${obj}${container}` : (labels.namespace ?? '');
}

/** The alerts of an Alertmanager notification. */
export function alertsFromAlertmanager(p: AlertmanagerPayload): Alert[] {
  return p.alerts.map((a) => {
    const name = a.labels.alertname ?? 'alert';
    const text = a.annotations.summary ?? a.annotations.description ?? a.annotations.message;
    const links = [
      ...(httpUrl(a.generatorURL) ? [{ label: 'source', url: a.generatorURL }] : []),
      ...(httpUrl(a.annotations.runbook_url) ? [{ label: 'runbook', url: a.annotations.runbook_url }] : []),
    ];
    return {
      key: `am-${sha(`${a.fingerprint}|${a.startsAt}`)}`,
      source: 'alertmanager' as const,
      name,
      status: a.status,
      labels: a.labels,
      summary: [subject(a.labels), text].filter(Boolean).join(': '),
      startsAt: a.startsAt,
      endsAt: a.status === 'resolved' && a.endsAt !== zeroTime ? a.endsAt : undefined,
      links,
    };
  });
}

const failing = new Set(['Error', 'Stopped']);

/** The alert a Harbor notification raises, or undefined for events this bot does not act on. */
export function alertFromHarbor(e: HarborEvent): Alert | undefined {
  const repo = e.data.repository?.repo_full_name ?? e.data.repository?.name;
  const project = e.data.repository?.namespace ?? repo?.split('/')[0];
  const base = {
    source: 'harbor' as const,
    name: e.type,
    status: 'firing' as const,
    startsAt: e.occurredAt,
    links: [],
  };
  if (e.type === 'REPLICATION') {
    const r = e.data.replication;
    if (!r?.job_status || !failing.has(r.job_status)) return undefined;
    // One alert per execution: Harbor sends an event per task and status change.
    const execution = r.execution_id ?? r.execution_timestamp ?? 0;
    const policy = [r.src_resource?.namespace, r.dest_resource?.registry_name].filter(Boolean).join(' → ');
    const failed = (r.failed_artifact ?? [])
      .map((f) => f.name_tag)
      .filter(Boolean)
      .slice(0, 3)
      .join(', ');
    const labels = {
      event: e.type,
      job_status: r.job_status,
      execution: String(execution),
      ...(r.harbor_hostname ? { host: r.harbor_hostname } : {}),
    };
    const detail = `${policy ? ` (${policy})` : ''}${failed ? `: ${failed}` : ''}`;
    const summary = `replication ${r.job_status.toLowerCase()}${detail}`;
    return { ...base, key: `hb-repl-${sha(`${r.harbor_hostname ?? ''}|${execution}`)}`, labels, summary };
  }
  if (e.type === 'QUOTA_WARNING' || e.type === 'QUOTA_EXCEED') {
    const details = e.data.custom_attributes?.Details ?? '';
    const labels = { event: e.type, ...(project ? { project } : {}) };
    // One alert per project and day: the warning repeats on every push while usage stays high.
    const day = e.occurredAt.slice(0, 10);
    return {
      ...base,
      key: `hb-quota-${sha(`${e.type}|${project}|${day}`)}`,
      labels,
      summary: `project ${project ?? '?'}: ${details || e.type.toLowerCase()}`,
    };
  }
  if (e.type === 'SCANNING_FAILED') {
    const labels = { event: e.type, ...(repo ? { repository: repo } : {}) };
    return {
      ...base,
      key: `hb-scan-${sha(`${repo}|${e.occurredAt.slice(0, 13)}`)}`,
      labels,
      summary: `scan failed for ${repo ?? 'an artifact'}`,
    };
  }
  return undefined;
}

/** The host a Harbor notification names (replication's hostname, else an artifact's resource URL). */
export function harborEventHost(e: HarborEvent): string | undefined {
  const fromRepl = e.data.replication?.harbor_hostname;
  if (fromRepl) return fromRepl;
  const url = e.data.resources?.find((r) => r.resource_url)?.resource_url;
  return url ? url.split('/')[0] : undefined;
}
