import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Metrics } from '../ops/metrics.js';
import type { Finding } from '../findings/finding.js';
import type { SlackThread } from '../slack/slack-thread.js';
import type { KnownBlock } from '@slack/web-api';
import { findingMessage, type MessageBody } from './messages.js';
import { rootMessage, type RootStatus } from '../diagnosis/root-message.js';

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
  const post = async (channel: string, body: MessageBody, threadTs?: string): Promise<string> => {
    const res = await counted('chat.postMessage', () =>
      web.chat.postMessage({
        channel,
        thread_ts: threadTs,
        text: body.text,
        blocks: body.blocks,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return String(res.ts);
  };
  return {
    async postRoot(channel, status) {
      return { channel, threadTs: await post(channel, rootMessage(status)) };
    },
    async updateRoot(thread, status) {
      const body = rootMessage(status);
      await counted('chat.update', () =>
        web.chat.update({ channel: thread.channel, ts: thread.threadTs, text: body.text, blocks: body.blocks }),
      );
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
    async updateMessage(channel, ts, body) {
      await counted('chat.update', () => web.chat.update({ channel, ts, text: body.text, blocks: body.blocks }));
    },
  };
}
