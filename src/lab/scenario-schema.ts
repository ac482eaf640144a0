import * as z from 'zod';
import { causes, isCause } from '../findings/causes.js';
import { gates } from '../preflight/run-preflight.js';

const gateIds = gates.map((g) => g.id);

const stepSchema = z
  .record(z.string(), z.unknown())
  .refine((s) => Object.keys(s).length === 1, {
    error: 'each step names exactly one builder, e.g. "- lose-manifest: {repo: library/nginx}"',
  })
  .transform((s) => {
    const [builder, params] = Object.entries(s)[0] as [string, unknown];
    return { builder, params: params ?? {} };
  });

/** One incident scenario of the lab: a data file in scenarios/ (YAML). */
export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, { error: 'must be lowercase letters, digits and dashes' }),
  /** Letter of the failure mode in failure-modes.md (A, A2, B, ... G), or "healthy". */
  mode: z
    .string()
    .regex(/^([A-G]2?|healthy|common)$/, { error: 'must be a failure mode letter (A, A2, B, ... G) or "healthy"' }),
  title: z.string().min(1),
  description: z.string().min(1),
  /** What users see: the drill tells the trainee this, not the cause. */
  symptom: z.string().min(1),
  /** Options of the simulated Helm release (buildHarborRelease). */
  release: z
    .strictObject({
      version: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/)
        .optional(),
      host: z.string().min(1).optional(),
      release: z.string().min(1).optional(),
      namespace: z.string().min(1).optional(),
      coreReplicas: z.number().int().min(1).optional(),
    })
    .default({}),
  /** True when the trainee can fix it inside the lab (the simulators apply the fix): the drill uses it. */
  drill: z.boolean().default(false),
  /** Builders applied in order to a healthy world (see src/lab/builders.ts). */
  steps: z.array(stepSchema).default([]),
  expect: z
    .strictObject({
      /** Cause codes the checks must report (at any severity). Empty for the healthy scenario. */
      causes: z
        .array(
          z.string().refine(isCause, {
            error: (i) =>
              `unknown cause code "${String(i.input)}"; see src/findings/causes.ts ` +
              `(${Object.keys(causes).length} codes)`,
          }),
        )
        .default([]),
    })
    .default({ causes: [] }),
  /** How the demo and the tests run `preflight` on this scenario, and which gates must fail. */
  preflight: z
    .strictObject({
      to: z.string().regex(/^\d+\.\d+\.\d+$/),
      fail: z
        .array(z.string().refine((g) => gateIds.includes(g), { error: `unknown gate; valid: ${gateIds.join(', ')}` }))
        .default([]),
    })
    .optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = Scenario['steps'][number];
