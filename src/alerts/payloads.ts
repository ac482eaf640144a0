import * as z from 'zod';

const labels = z.record(z.string(), z.string());

/** One alert of an Alertmanager webhook notification (`template.Alert`). */
export const alertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels.default({}),
  startsAt: z.string().min(1),
  endsAt: z.string().default('0001-01-01T00:00:00Z'),
  generatorURL: z.string().default(''),
  fingerprint: z.string().min(1),
});
export type AlertmanagerAlert = z.infer<typeof alertmanagerAlertSchema>;

/** Alertmanager's webhook body, payload version 4 (notify/webhook/webhook.go). */
export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4', { error: 'version must be "4" (Alertmanager webhook payload version 4)' }),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().default(''),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().default(''),
  notification_reason: z.string().optional(),
  alerts: z.array(alertmanagerAlertSchema).max(10_000),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

const replicationSchema = z.object({
  harbor_hostname: z.string().optional(),
  job_status: z.string().optional(),
  description: z.string().optional(),
  trigger_type: z.string().optional(),
  policy_creator: z.string().optional(),
  execution_timestamp: z.number().optional(),
  src_resource: z
    .looseObject({
      registry_name: z.string().optional(),
      endpoint: z.string().optional(),
      namespace: z.string().optional(),
    })
    .optional(),
  dest_resource: z
    .looseObject({
      registry_name: z.string().optional(),
      endpoint: z.string().optional(),
      namespace: z.string().optional(),
    })
    .optional(),
  failed_artifact: z
    .array(z.looseObject({ name_tag: z.string().optional(), fail_reason: z.string().optional() }))
    .nullish(),
  execution_id: z.number().optional(),
  task_id: z.number().optional(),
});

/** `event_data` of a Harbor notification (src/pkg/notifier/model/event.go); other keys pass through. */
export const harborEventDataSchema = z.looseObject({
  resources: z
    .array(
      z.looseObject({ digest: z.string().optional(), tag: z.string().optional(), resource_url: z.string().optional() }),
    )
    .nullish(),
  repository: z
    .looseObject({
      name: z.string().optional(),
      namespace: z.string().optional(),
      repo_full_name: z.string().optional(),
    })
    .nullish(),
  replication: replicationSchema.nullish(),
  custom_attributes: z.record(z.string(), z.string()).nullish(),
});
export type HarborEventData = z.infer<typeof harborEventDataSchema>;

/** Harbor's `Default` payload format. */
export const harborDefaultSchema = z.object({
  type: z.string().min(1),
  occur_at: z.number().int().min(0).max(32_503_680_000),
  operator: z.string().optional(),
  event_data: harborEventDataSchema,
});

/** Harbor's `CloudEvents` payload format (2.8+, src/pkg/notifier/formats/cloudevents.go). */
export const harborCloudEventSchema = z.object({
  specversion: z.string().min(1),
  id: z.string().min(1),
  source: z.string().default(''),
  type: z.string().regex(/^harbor\./, { error: 'CloudEvents type must start with "harbor."' }),
  time: z.string().optional(),
  operator: z.string().optional(),
  data: harborEventDataSchema,
});

/** The CloudEvents type of each Default event type this bot acts on. */
export const cloudEventTypes: Record<string, string> = {
  'harbor.replication.status.changed': 'REPLICATION',
  'harbor.quota.warned': 'QUOTA_WARNING',
  'harbor.quota.exceeded': 'QUOTA_EXCEED',
  'harbor.scan.failed': 'SCANNING_FAILED',
};

/** A Harbor notification in either format, as one shape. */
export interface HarborEvent {
  /** The Default type (`REPLICATION`, ...), or the CloudEvents type when it has no Default name here. */
  type: string;
  occurredAt: string;
  data: HarborEventData;
}

/** Parses either Harbor format; the error (one line) names the first problem. */
export function parseHarborEvent(body: unknown): { ok: true; event: HarborEvent } | { ok: false; reason: string } {
  const isCloud = typeof body === 'object' && body !== null && 'specversion' in body;
  if (isCloud) {
    const r = harborCloudEventSchema.safeParse(body);
    if (!r.success) return { ok: false, reason: describeError(r.error) };
    const time = r.data.time ? Date.parse(r.data.time) : Number.NaN;
    const occurredAt = new Date(Number.isNaN(time) ? Date.now() : time).toISOString();
    return { ok: true, event: { type: cloudEventTypes[r.data.type] ?? r.data.type, occurredAt, data: r.data.data } };
  }
  const r = harborDefaultSchema.safeParse(body);
  if (!r.success) return { ok: false, reason: describeError(r.error) };
  const occurredAt = new Date(r.data.occur_at * 1000).toISOString();
  return { ok: true, event: { type: r.data.type, occurredAt, data: r.data.event_data } };
}

/** One line for a 400 answer: where and what. */
export function describeError(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid payload';
  const where = issue.path.length > 0 ? issue.path.join('.') : '(body)';
  return `${where}: ${issue.message}`.replace(/\s+/g, ' ').slice(0, 300);
}
