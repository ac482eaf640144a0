import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { findingSchema, riskSchema, targetRefSchema } from '../findings/finding.js';
import { slackThreadSchema } from '../slack/slack-thread.js';

/** Approval ids: `a` + 24 hex digits. Never integer-like, no `:`, so `rem-<id>` is a valid BullMQ job id. */
export const approvalIdSchema = z.string().regex(/^a[0-9a-f]{24}$/, { error: 'not an approval id' });

export function newApprovalId(): string {
  return `a${randomBytes(12).toString('hex')}`;
}

/** The BullMQ job id of an approval's execution: the same for every click, retry and restart. */
export function remediationJobId(approvalId: string): string {
  return `rem-${approvalId}`;
}

export const planSchema = z.object({
  summary: z.string(),
  requests: z.array(z.string()),
  diff: z.string().optional(),
  refuse: z.string().optional(),
  expect: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

/** What was proposed, fixed at proposal time. A click carries only the id of one of these. */
export const approvalSchema = z.object({
  id: approvalIdSchema,
  groupId: approvalIdSchema,
  remediation: z.string().min(1),
  title: z.string(),
  risk: riskSchema,
  params: z.record(z.string(), z.unknown()),
  /** The target the remediation acts on (from its `harbor`/`cluster` param). */
  target: targetRefSchema,
  plan: planSchema,
  /** Distinct approvers needed (2 under the two-person rule). */
  needed: z.number().int().min(1).max(2),
  requestedBy: z.string().optional(),
  thread: slackThreadSchema,
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type Approval = z.infer<typeof approvalSchema>;

/** One remediation line under a finding: buttons (an approval) or advice only. */
export const proposalItemSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('approval'), approvalId: approvalIdSchema }),
  z.object({ kind: z.literal('advice'), index: z.number().int().nonnegative(), reason: z.string() }),
]);
export type ProposalItem = z.infer<typeof proposalItemSchema>;

/** The remediations of one threaded finding, to rebuild its message after any decision. */
export const proposalGroupSchema = z.object({
  id: approvalIdSchema,
  finding: findingSchema,
  /** The check run that found it, to re-run before executing. */
  check: z.object({
    id: z.string().min(1),
    target: targetRefSchema,
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  }),
  thread: slackThreadSchema,
  items: z.array(proposalItemSchema),
});
export type ProposalGroup = z.infer<typeof proposalGroupSchema>;

export const approvalStates = [
  'pending',
  'approved',
  'rejected',
  'expired',
  'executing',
  'refused',
  'done',
  'failed',
] as const;
export type ApprovalStateName = (typeof approvalStates)[number];

export const outcomeSchema = z.object({ ok: z.boolean(), detail: z.string() });
export type Outcome = z.infer<typeof outcomeSchema>;

/** The mutable part, kept in a Redis hash and changed only by atomic transitions. */
export interface ApprovalState {
  state: ApprovalStateName;
  approvers: string[];
  decidedBy?: string;
  decidedAt?: string;
  messageTs?: string;
  /** Set just before execute: a later attempt that finds it knows an execution may have happened. */
  claim?: string;
  /** Why nothing ran (refused) or what stopped it (failed before executing). */
  reason?: string;
  execution?: Outcome;
  verification?: Outcome;
  finishedAt?: string;
  reported: boolean;
}

export const finalStates: ReadonlySet<ApprovalStateName> = new Set([
  'rejected',
  'expired',
  'refused',
  'done',
  'failed',
]);
