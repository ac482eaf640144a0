import * as z from 'zod';

/** `/regex/` or a plain value: a regular expression must compile. */
const matcher = z
  .string()
  .refine((v) => !isRegex(v) || compiles(v.slice(1, -1)), { error: 'is not a valid /regular expression/' });

export function isRegex(v: string): boolean {
  return v.length >= 2 && v.startsWith('/') && v.endsWith('/');
}

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export const alertRouteSchema = z.strictObject({
  match: z.record(z.string(), matcher).describe('label name -> value or /regex/; all must match'),
  target: z
    .string()
    .regex(/^(harbor|cluster)\/[a-z0-9-]+$/, { error: 'must be harbor/NAME or cluster/NAME' })
    .describe('the target this alert belongs to'),
  checks: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('check ids to run; default: the built-in choice for the alert'),
  channel: z.string().min(1).optional().describe('where its incident thread opens; default alerts.channel'),
});
export type AlertRoute = z.infer<typeof alertRouteSchema>;

export const alertsConfigSchema = z.strictObject({
  channel: z
    .string()
    .min(1)
    .optional()
    .describe('where incident threads open (hooks do nothing without it or a route channel)'),
  cooldownMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(10)
    .describe("an incident's checks re-run at most this often"),
  routes: z.array(alertRouteSchema).default([]).describe('first match wins; otherwise the built-in mapping'),
});
export type AlertsConfig = z.infer<typeof alertsConfigSchema>;

/** Routes naming an unconfigured target, as config issues. */
export function alertRouteIssues(
  routes: readonly AlertRoute[],
  targets: readonly string[],
): { path: (string | number)[]; message: string }[] {
  return routes.flatMap((r, i) =>
    targets.includes(r.target)
      ? []
      : [
          {
            path: ['alerts', 'routes', i, 'target'],
            message: `names no configured target (known: ${targets.join(', ') || 'none'})`,
          },
        ],
  );
}
