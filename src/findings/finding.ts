import { createHash } from 'node:crypto';
import * as z from 'zod';

export const severitySchema = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof severitySchema>;
export const severityOrder: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export const riskSchema = z.enum(['low', 'medium', 'high']);
export type Risk = z.infer<typeof riskSchema>;

export const targetRefSchema = z.string().regex(/^(harbor|cluster)\/[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, {
  error: 'must be harbor/NAME or cluster/NAME',
});
export type TargetRef = z.infer<typeof targetRefSchema>;

export const resourceSchema = z.object({
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().nullable(),
});
export type Resource = z.infer<typeof resourceSchema>;

export const proposedRemediationSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  risk: riskSchema,
  params: z.record(z.string(), z.unknown()),
});
export type ProposedRemediation = z.infer<typeof proposedRemediationSchema>;

/** A finding exactly as CONTRACT.md fixes it. */
export const findingSchema = z.object({
  check: z.string().min(1),
  cause: z.string().min(1),
  severity: severitySchema,
  title: z.string().min(1),
  summary: z.string(),
  target: targetRefSchema,
  resource: resourceSchema,
  fingerprint: z.string().min(1),
  evidence: z.array(z.string()),
  remediations: z.array(proposedRemediationSchema),
});
export type Finding = z.infer<typeof findingSchema>;

export const checkRunSchema = z.object({
  id: z.string(),
  target: targetRefSchema,
  status: z.enum(['ok', 'findings', 'error']),
  durationMs: z.number().int().nonnegative(),
});
export type CheckRunSummary = z.infer<typeof checkRunSchema>;

export const reportSchema = z.object({
  version: z.literal(1),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  checks: z.array(checkRunSchema),
  findings: z.array(findingSchema),
});
export type Report = z.infer<typeof reportSchema>;

/**
 * Stable across runs for the same cause on the same resource of the same target: what the
 * findings store deduplicates on. Titles, evidence and severities may change; this does not.
 */
export function fingerprintOf(f: Pick<Finding, 'check' | 'cause' | 'target' | 'resource'>): string {
  const key = [f.check, f.cause, f.target, f.resource.kind, f.resource.namespace ?? '', f.resource.name].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityOrder[a.severity] - severityOrder[b.severity] ||
    a.target.localeCompare(b.target) ||
    a.resource.name.localeCompare(b.resource.name) ||
    a.cause.localeCompare(b.cause)
  );
}

export function countBySeverity(findings: readonly Pick<Finding, 'severity'>[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

/** True when some finding is at or above `threshold` (critical is the highest). */
export function anyAtOrAbove(findings: readonly Pick<Finding, 'severity'>[], threshold: Severity): boolean {
  return findings.some((f) => severityOrder[f.severity] <= severityOrder[threshold]);
}
