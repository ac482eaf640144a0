import * as z from 'zod';
import { severitySchema, targetRefSchema } from '../findings/finding.js';

/** One `watches` entry with its channel resolved (the watch's own, else slack.alertChannel). */
export const watchJobSchema = z.object({
  channel: z.string().min(1),
  targets: z.array(targetRefSchema).optional(),
  checks: z.array(z.string().min(1)).optional(),
  /** New findings at or above it are announced (`watches[].minSeverity`; absent: critical). */
  minSeverity: severitySchema.optional(),
});
export type WatchJob = z.infer<typeof watchJobSchema>;
