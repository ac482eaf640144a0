import * as z from 'zod';

// Shapes from reference/harbor/swagger-v2.15.2.yaml (definitions of the same names). Loose objects:
// Harbor adds fields between releases, and a check must not break on one it does not read.

export const componentHealthSchema = z.looseObject({
  name: z.string(),
  status: z.string(),
  error: z.string().optional(),
});
export const overallHealthSchema = z.looseObject({
  status: z.string(),
  components: z.array(componentHealthSchema).default([]),
});
export type OverallHealthStatus = z.infer<typeof overallHealthSchema>;

export const generalInfoSchema = z.looseObject({
  current_time: z.string().optional(),
  registry_url: z.string().optional(),
  external_url: z.string().optional(),
  auth_mode: z.string().optional(),
  harbor_version: z.string().optional(),
  with_notary: z.boolean().optional(),
});
export type GeneralInfo = z.infer<typeof generalInfoSchema>;
