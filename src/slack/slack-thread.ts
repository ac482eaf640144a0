import * as z from 'zod';

/** Where a job reports in Slack. Carries no secret: ids only. */
export const slackThreadSchema = z.object({
  channel: z.string().min(1),
  threadTs: z.string().min(1),
});
export type SlackThread = z.infer<typeof slackThreadSchema>;
