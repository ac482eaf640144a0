import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Metrics } from '../ops/metrics.js';
import type { Finding } from '../findings/finding.js';
import type { SlackThread } from '../slack/slack-thread.js';
import type { KnownBlock } from '@slack/web-api';
import { findingMessage, type MessageBody } from './messages.js';
import { rootMessage, type RootStatus } from '../diagnosis/root-message.js';
import { fitMessage, plainFallback, rejectedBlocksErrors } from './block-limits.js';

/** Slack's error code of a failed Web API call (`invalid_blocks`), or ''. */
export function slackErrorCode(err: unknown): string {
  return (err as { data?: { error?: string } }).data?.error ?? '';
}

/** What the workers say in Slack. One place, so the findings store can decide what to re-post. */
export interface Reporter {
  postRoot(channel: string, status: RootStatus): Promise<SlackThread>;
  updateRoot(thread: SlackThread, status: RootStatus): Promise<void>;
  postFinding(thread: SlackThread, finding: Finding, remediationBlocks?: KnownBlock[]): Promise<string>;
  postText(thread: SlackThread, body: MessageBody): Promise<string>;
  /** A message in a channel, or in a thread when `threadTs` is given; returns its ts. */
  postMessage(channel: string, body: MessageBody, threadTs?: string): Promise<string>;
  updateMessage(channel: string, ts: string, body: MessageBody): Promise<void>;
}

export function createSlackReporter(web: WebClient, metrics?: Pick<Metrics, 'slackError'>): Reporter {
  const counted = async <T>(method: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      const e = err as { code?: string; data?: { error?: string } };
      metrics?.slackError(method, e.data?.error ?? e.code ?? 'unknown', e.code === ErrorCode.RateLimitedError);
      throw err;
    }
  };
  // Every body is fitted within Block Kit's limits first; should Slack still refuse the blocks, the
  // same payload would fail again on every retry, so the plain text goes instead.
  const fitted = <T>(method: string, body: MessageBody, send: (b: MessageBody) => Promise<T>): Promise<T> =>
    counted(method, () => send(fitMessage(body))).catch((err: unknown) => {
      if (!rejectedBlocksErrors.has(slackErrorCode(err))) throw err;
      return counted(method, () => send(plainFallback(body)));
    });
  const post = async (channel: string, body: MessageBody, threadTs?: string): Promise<string> => {
    const res = await fitted('chat.postMessage', body, (b) =>
      web.chat.postMessage({
        channel,
        thread_ts: threadTs,
        text: b.text,
        blocks: b.blocks,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return String(res.ts);
  };
  const update = async (channel: string, ts: string, body: MessageBody): Promise<void> => {
    await fitted('chat.update', body, (b) => web.chat.update({ channel, ts, text: b.text, blocks: b.blocks }));
  };
  return {
    async postRoot(channel, status) {
      return { channel, threadTs: await post(channel, rootMessage(status)) };
    },
    updateRoot(thread, status) {
      return update(thread.channel, thread.threadTs, rootMessage(status));
    },
    postFinding(thread, finding, remediationBlocks) {
      return post(thread.channel, findingMessage(finding, remediationBlocks), thread.threadTs);
    },
    postText(thread, body) {
      return post(thread.channel, body, thread.threadTs);
    },
    postMessage(channel, body, threadTs) {
      return post(channel, body, threadTs);
    },
    updateMessage(channel, ts, body) {
      return update(channel, ts, body);
    },
  };
}
