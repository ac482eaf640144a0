import * as z from 'zod';

// Shapes from reference/harbor/swagger-v2.15.2.yaml (Quota, Robot, GCHistory, Registry). Quotas and
// GC runs are loose objects like the other schemas; robots and registries are stripped to the fields
// the checks read, so a robot secret or a registry credential's secret is never kept.

/** `ResourceList`: resource name to amount; `storage` is bytes, -1 means unlimited. */
export const resourceListSchema = z.record(z.string(), z.number());

export const quotaSchema = z.looseObject({
  id: z.number(),
  /** For a project quota: `{ id, name, owner_name }`. */
  ref: z
    .looseObject({ id: z.number().optional(), name: z.string().optional(), owner_name: z.string().optional() })
    .nullish(),
  hard: resourceListSchema.nullish(),
  used: resourceListSchema.nullish(),
  creation_time: z.string().nullish(),
  update_time: z.string().nullish(),
});
export type Quota = z.infer<typeof quotaSchema>;

const accessSchema = z.object({
  resource: z.string().optional(),
  action: z.string().optional(),
  effect: z.string().optional(),
});

export const robotSchema = z.object({
  id: z.number(),
  /** The full name with Harbor's prefix: `robot$ci` (system) or `robot$library+ci` (project). */
  name: z.string(),
  description: z.string().nullish(),
  /** `system` or `project`. */
  level: z.string().optional(),
  disable: z.boolean().default(false),
  /** Unix seconds; -1 never expires. */
  expires_at: z.number(),
  duration: z.number().nullish(),
  permissions: z
    .array(
      z.object({
        kind: z.string().optional(),
        namespace: z.string().optional(),
        access: z.array(accessSchema).nullish(),
      }),
    )
    .nullish(),
  creation_time: z.string().nullish(),
});
export type Robot = z.infer<typeof robotSchema>;

export const gcRunSchema = z.looseObject({
  id: z.number(),
  job_name: z.string().optional(),
  /** The trigger: `MANUAL` or `SCHEDULE`. */
  job_kind: z.string().optional(),
  job_parameters: z.string().nullish(),
  /** `Pending`, `Running`, `Success`, `Error` or `Stopped`. */
  job_status: z.string(),
  deleted: z.boolean().optional(),
  creation_time: z.string().nullish(),
  update_time: z.string().nullish(),
});
export type GcRun = z.infer<typeof gcRunSchema>;

export const registrySchema = z.object({
  id: z.number(),
  name: z.string(),
  url: z.string().optional(),
  type: z.string().optional(),
  /** Only the type and the access key (a user or robot name); the secret is dropped. */
  credential: z.object({ type: z.string().optional(), access_key: z.string().optional() }).nullish(),
});
export type Registry = z.infer<typeof registrySchema>;
