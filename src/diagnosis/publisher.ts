import type { KnownBlock } from '@slack/web-api';
import type { CheckRun } from '../checks/runner.js';
import type { Finding } from '../findings/finding.js';
import type { Silences } from '../findings/silences.js';
import type { FindingStore } from '../findings/store.js';
import type { FindingRecord } from '../findings/finding-record.js';
import type { Logger } from '../log.js';
import type { CheckJob } from '../diagnosis/diagnosis-jobs.js';
import type { SlackThread } from '../slack/slack-thread.js';
import { rootMessage, rootStatusSchema, type RootStatus } from './root-message.js';
import { resolvedMessage, stillPresentMessage } from '../slack/lifecycle-blocks.js';
import type { SlackDoor } from '../slack/slack-door.js';
import { slackErrorCode } from '../slack/slack-door.js';
import { findingMessage } from '../slack/messages.js';

export interface PublisherDeps {
  store: FindingStore;
  silences: Silences;
  slack: SlackDoor;
  log: Logger;
  now(): Date;
  /** The approvals' blocks (plans and buttons) under a newly posted finding. */
  remediationBlocks?(finding: Finding, thread: SlackThread, job: CheckJob): Promise<KnownBlock[] | undefined>;
}

/** What the findings lifecycle says in Slack. A check job hands its run to `publish`. */
export interface Publisher {
  /**
   * Records a run, posts the findings not yet in this thread, keeps one "still present" note per
   * (check, target) for the ones that are, and tells the threads of resolved findings.
   * Silenced findings are recorded (and counted) but not announced.
   */
  publish(run: CheckRun, thread: SlackThread, job: CheckJob): Promise<void>;
  /** Posts one finding in a thread, with its remediation blocks, and remembers where. */
  post(record: FindingRecord, thread: SlackThread, job: CheckJob): Promise<void>;
  /** Creates or updates the "still present" note of a (check, target) in a thread. */
  notePresent(run: Pick<CheckRun, 'id' | 'target'>, thread: SlackThread, records: FindingRecord[]): Promise<void>;
  /**
   * Tells every thread a resolved finding was posted in that it resolved: every notice still
   * queued, so one that failed before goes out now. Silenced findings resolve quietly.
   */
  announceResolved(): Promise<void>;
  /** True when a silence is in force for the fingerprint. */
  isSilenced(fingerprint: string): Promise<boolean>;
  /**
   * Remembers a summarized diagnosis' root message, so that once every finding posted in its
   * thread has resolved, the root says so (called by the diagnosis summary).
   */
  rememberRoot(thread: SlackThread, status: RootStatus): Promise<void>;
}

export function postedIn(record: FindingRecord, thread: SlackThread): boolean {
  return record.posts.some((p) => p.channel === thread.channel && p.threadTs === thread.threadTs);
}

export function createPublisher(deps: PublisherDeps): Publisher {
  const { store, silences, slack, log } = deps;
  const isSilenced = async (fp: string) => (await silences.active(fp)) !== undefined;
  /** The last open finding of a thread resolved: its root message says all is resolved. */
  const settleRoot = async (thread: SlackThread, fp: string, resolvedAt: string) => {
    const root = await store.settleThread(thread, fp);
    if (root === undefined) return;
    const status = rootStatusSchema.safeParse(parseJson(root));
    if (!status.success)
      return log.warn(
        { channel: thread.channel, threadTs: thread.threadTs },
        'unreadable root status; root message left as it was',
      );
    try {
      await slack.update(thread.channel, thread.threadTs, rootMessage({ ...status.data, resolvedAt }));
    } catch (err) {
      // Someone deleted the root message: nothing left to update, and no reason to retry.
      if (!messageGone(err)) throw err;
    }
  };

  const self: Publisher = {
    isSilenced,
    async publish(run, thread, job) {
      // Explicit parameters may narrow what a check looks at, so such a run resolves nothing.
      const outcome = await store.recordRun(run, { partial: Object.keys(job.params).length > 0 });
      const present: FindingRecord[] = [];
      for (const { record } of outcome.sightings) {
        if (await isSilenced(record.fingerprint)) continue;
        if (postedIn(record, thread)) present.push(record);
        else await self.post(record, thread, job);
      }
      if (present.length > 0) await self.notePresent(run, thread, present);
      await self.announceResolved();
      log.info(
        {
          check: run.id,
          target: run.target,
          seen: outcome.sightings.length,
          repeated: present.length,
          resolved: outcome.resolved.length,
        },
        'findings published',
      );
    },
    async rememberRoot(thread, status) {
      await store.setThreadRoot(thread, JSON.stringify(status));
    },
    async post(record, thread, job) {
      const f = record.finding;
      const extra = f.remediations.length > 0 ? await deps.remediationBlocks?.(f, thread, job) : undefined;
      const ts = await slack.post(thread.channel, findingMessage(f, extra), thread.threadTs);
      await store.addPost(record.fingerprint, { ...thread, ts });
    },
    async notePresent(run, thread, records) {
      const body = stillPresentMessage(run, records, deps.now());
      const ts = await store.statusNote(thread, run);
      if (ts && (await updated(slack, thread.channel, ts, body))) return;
      await store.setStatusNote(thread, run, await slack.post(thread.channel, body, thread.threadTs));
    },
    async announceResolved() {
      for (const fp of await store.unnotifiedResolutions()) {
        const r = await store.takeResolution(fp);
        if (!r) continue;
        try {
          if (!(await isSilenced(fp))) {
            for (const p of r.posts) await slack.post(p.channel, resolvedMessage(r, deps.now()), p.threadTs);
          }
          for (const p of r.posts)
            await settleRoot(
              { channel: p.channel, threadTs: p.threadTs },
              fp,
              r.resolvedAt ?? deps.now().toISOString(),
            );
        } catch (err) {
          await store.returnResolution(fp);
          throw err;
        }
        await store.forgetPosts(fp);
      }
    },
  };
  return self;
}

/** Updates a message; false when Slack no longer has it (deleted), so the caller posts anew. */
async function updated(
  slack: SlackDoor,
  channel: string,
  ts: string,
  body: ReturnType<typeof stillPresentMessage>,
): Promise<boolean> {
  try {
    await slack.update(channel, ts, body);
    return true;
  } catch (err) {
    if (messageGone(err)) return false;
    throw err;
  }
}

function messageGone(err: unknown): boolean {
  return slackErrorCode(err) === 'message_not_found';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
