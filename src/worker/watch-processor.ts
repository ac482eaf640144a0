import { createHash } from 'node:crypto';
import { planChecks, runPlan, type CheckRun } from '../checks/runner.js';
import { watchJobSchema, type WatchJob } from './watch-job.js';
import type { Severity } from '../findings/finding.js';
import type { FindingRecord } from '../findings/finding-record.js';
import type { SlackThread } from '../slack/slack-thread.js';
import { incidentRootMessage } from '../slack/lifecycle-blocks.js';
import { listTargets, parseTargetRef } from '../targets.js';
import { defineScheduledJob, type ScheduledContext } from './scheduled-worker.js';
import { oneTickAtATime } from './tick-guard.js';

interface Placed {
  record: FindingRecord;
  thread: SlackThread;
}

/**
 * A watch tick: runs its checks on its targets, records every finding, and announces the ones at or
 * above its minSeverity (default critical) that the alert channel has not seen yet in their current
 * open episode: one thread per incident (a target with such
 * findings), joined by later ones while it is open. Findings already there get a "still present"
 * note; resolved ones are told in their thread. Everything else is recorded for the digest only.
 * A tick that finds the previous tick of the same watch still running is skipped.
 */
export async function processWatchJob(data: WatchJob, ctx: ScheduledContext): Promise<WatchOutcome> {
  // The same watch (same data: the same scheduler) runs one tick at a time, across every worker.
  const id = createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
  const { redis, prefix } = ctx.findings;
  const tick = await oneTickAtATime(redis, `${prefix}:watch-tick:${id}`, ctx.config.runner.handoffMs, () =>
    runWatch(data, ctx),
  );
  if (tick.ran) return tick.value;
  ctx.log.warn(
    { channel: data.channel, targets: data.targets, checks: data.checks },
    "watch tick skipped: the previous one is still running (its checks take longer than the schedule's interval)",
  );
  return { runs: 0, announced: 0, resolved: 0, skipped: true };
}

export interface WatchOutcome {
  runs: number;
  announced: number;
  resolved: number;
  /** The previous tick of this watch was still running. */
  skipped?: true;
}

async function runWatch(data: WatchJob, ctx: ScheduledContext): Promise<WatchOutcome> {
  const targets = data.targets?.map((ref) => parseTargetRef(ctx.config, ref));
  const plan = planChecks(ctx.registry, ctx.config, { ids: data.checks, targets }, listTargets(ctx.config));
  const report = await runPlan(plan, {
    config: ctx.config,
    clients: ctx.clients,
    log: ctx.log,
    now: ctx.now,
    signal: ctx.signal,
  });
  const incidents = new Map<string, SlackThread>();
  const fresh: FindingRecord[] = [];
  let resolved = 0;
  for (const run of report.runs) {
    const outcome = await ctx.findings.store.recordRun(run);
    await ctx.publisher.announceResolved();
    resolved += outcome.resolved.length;
    const present: Placed[] = [];
    for (const { record } of outcome.sightings) {
      if (await ctx.publisher.isSilenced(record.fingerprint)) continue;
      const post = record.posts.find((p) => p.channel === data.channel);
      if (post) present.push({ record, thread: { channel: post.channel, threadTs: post.threadTs } });
      else if (atOrAbove(record.finding.severity, data.minSeverity ?? 'critical')) fresh.push(record);
    }
    for (const p of present) incidents.set(p.record.finding.target, p.thread);
    await notePresent(ctx, run, present);
  }
  const announced = await announce(ctx, data.channel, fresh, incidents);
  ctx.log.info({ runs: report.runs.length, announced, resolved }, 'watch completed');
  return { runs: report.runs.length, announced, resolved };
}

const rank: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

function atOrAbove(severity: Severity, min: Severity): boolean {
  return rank[severity] <= rank[min];
}

async function notePresent(ctx: ScheduledContext, run: CheckRun, present: Placed[]): Promise<void> {
  const byThread = new Map<string, Placed[]>();
  for (const p of present) byThread.set(p.thread.threadTs, [...(byThread.get(p.thread.threadTs) ?? []), p]);
  for (const group of byThread.values()) {
    await ctx.publisher.notePresent(
      run,
      (group[0] as Placed).thread,
      group.map((g) => g.record),
    );
  }
}

/**
 * New findings: into their target's open incident thread, or a new one. Each is claimed
 * first, so overlapping ticks announce it once; when Slack fails, the claims of the findings not yet
 * posted are released, so the job's retry announces them.
 */
async function announce(
  ctx: ScheduledContext,
  channel: string,
  candidates: FindingRecord[],
  incidents: Map<string, SlackThread>,
): Promise<number> {
  const fresh: FindingRecord[] = [];
  for (const r of candidates) if (await ctx.findings.store.claimAnnouncement(r, channel)) fresh.push(r);
  const byTarget = new Map<string, FindingRecord[]>();
  for (const r of fresh) byTarget.set(r.finding.target, [...(byTarget.get(r.finding.target) ?? []), r]);
  const pending = new Set(fresh);
  try {
    for (const [target, records] of byTarget) {
      let thread = incidents.get(target);
      if (!thread) {
        const body = incidentRootMessage(
          target,
          records.map((r) => r.finding),
          ctx.now(),
        );
        thread = { channel, threadTs: await ctx.slack.post(channel, body) };
      }
      for (const r of records) {
        const job = {
          runId: `watch-${thread.threadTs.replace('.', '')}`,
          checkId: r.finding.check,
          target: r.finding.target,
          params: {},
          slack: thread,
        };
        await ctx.publisher.post(r, thread, job);
        pending.delete(r);
      }
    }
  } catch (err) {
    for (const r of pending) await ctx.findings.store.releaseAnnouncement(r, channel);
    throw err;
  }
  return fresh.length;
}

export const watchJob = defineScheduledJob({ name: 'watch', data: watchJobSchema, process: processWatchJob });
