import { postDigest } from '../src/digest/post-digest.js';
import { digestJobSchema } from '../src/digest/digest-job.js';
import { defineScheduledJob } from '../src/worker/scheduled-worker.js';

/**
 * The digest: new, still open and resolved findings since the last digest by target and severity,
 * remediations approved/rejected/executed (from the audit trail), silences in force, the checks
 * that could not run, and a two-week trend chart. Run by a `digests` job scheduler or `/harbor digest`.
 */
export default defineScheduledJob({
  name: 'digest',
  data: digestJobSchema,
  process: (data, ctx) => postDigest(data, ctx),
});
