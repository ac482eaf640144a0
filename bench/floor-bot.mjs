// The reference floor of bench/lean.bench.ts: the least a Slack bot on Bolt 5 + BullMQ 6 can be. It
// acks a slash command, enqueues one job, and a worker in the same process posts a root message and
// one threaded reply. harbor-pilot `start` is measured against it in the same run, so the figures are
// ratios to what this machine gives a bare bot, not absolute numbers on a shared 2-core machine.
// Plain JavaScript on purpose: no tsx loader, nothing but the two libraries.
import bolt from '@slack/bolt';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const { App, LogLevel } = bolt;
const env = process.env;
const connection = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = env.FLOOR_PREFIX ?? 'floor';
const queue = new Queue('commands', { connection, prefix });
const app = new App({
  token: env.SLACK_BOT_TOKEN,
  signingSecret: env.SLACK_SIGNING_SECRET,
  port: Number(env.PORT),
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: env.SLACK_API_URL, retryConfig: { retries: 0 } },
  customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.end('ok\n') }],
});
app.command(/.*/, async ({ ack, command }) => {
  await ack({ response_type: 'ephemeral', text: 'queued' });
  await queue.add('command', { channel: command.channel_id, text: command.text, user: command.user_id });
});
const worker = new Worker(
  'commands',
  async (job) => {
    const root = await app.client.chat.postMessage({ channel: job.data.channel, text: `Working on ${job.data.text}` });
    await app.client.chat.postMessage({ channel: job.data.channel, thread_ts: root.ts, text: 'one finding' });
  },
  { connection: new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null }), prefix },
);
await app.start();
const stop = async () => {
  await app.stop();
  await worker.close();
  await queue.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
