import * as z from 'zod';
import { targetRefSchema } from '../findings/finding.js';

/** One digest to post: a `digests` entry, or `/harbor digest` in a channel. */
export const digestJobSchema = z.object({
  channel: z.string().min(1),
  timezone: z.string().min(1).default('UTC'),
  targets: z.array(targetRefSchema).optional(),
  requestedBy: z.string().optional(),
});
export type DigestJob = z.infer<typeof digestJobSchema>;
