import * as z from 'zod';
import { defineCheck } from '../src/checks/define.js';
import { failedLatest, gcFinding, logTail } from '../src/gc/gc-findings.js';
import { withPermissionHints } from '../src/harbor/permissions.js';

export default defineCheck({
  id: 'gc-health',
  title: 'Garbage collection',
  description:
    'Reads the latest garbage-collection runs (GET /system/gc) and reports a latest run that ' +
    'ended in error or was stopped, with how many failed in a row, when GC last succeeded and ' +
    'the tail of its job log. An old failure followed by successful runs is not a finding.',
  appliesTo: ['harbor'],
  causes: ['gc-failed'],
  params: z.strictObject({
    runs: z.number().int().min(1).max(100).default(10),
    logLines: z.number().int().min(0).max(100).default(15),
  }),
  run(ctx) {
    return withPermissionHints(async () => {
      const harbor = ctx.harbor();
      const runs = await harbor.listGcRuns(ctx.params.runs, ctx.signal);
      const failed = failedLatest(runs);
      if (!failed) return [];
      const text = ctx.params.logLines > 0 ? await harbor.getGcLog(failed.latest.id, ctx.signal) : null;
      const log = text === null ? [] : logTail(text, ctx.params.logLines);
      return [gcFinding(failed, log, runs.length, ctx.now())];
    });
  },
});
