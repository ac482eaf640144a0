import { errorMessage } from '../errors.js';
import type { DigestJob } from './digest-job.js';
import type { FindingServices } from '../findings/services.js';
import type { Logger } from '../log.js';
import type { SlackDoor } from '../slack/slack-door.js';
import { assembleDigest, type Digest } from './assemble.js';
import { chartAltText, digestMessage } from './digest-message.js';
import { renderTrendChart } from './chart.js';
import { auditEntriesSince, countRemediations } from './remediation-counts.js';

export interface DigestContext {
  findings: FindingServices;
  slack: SlackDoor;
  log: Logger;
  now(): Date;
}

const firstWindowMs = 24 * 3600 * 1000;

/** Gathers what a digest covers: since the last digest for the same channel and targets (or 24 h). */
export async function buildDigest(data: DigestJob, ctx: DigestContext): Promise<{ digest: Digest; markerKey: string }> {
  const { store, silences, redis, prefix } = ctx.findings;
  const now = ctx.now();
  const markerKey = `${prefix}:digest:last:${data.channel}|${data.targets?.join(',') ?? '*'}`;
  const last = await redis.get(markerKey);
  const since = last ? new Date(last) : new Date(now.getTime() - firstWindowMs);
  const [records, active, lastRuns, audit] = await Promise.all([
    store.list(),
    silences.list(),
    store.lastRuns(),
    auditEntriesSince(redis, prefix, since, now),
  ]);
  const remediations = countRemediations(audit, data.targets);
  const digest = assembleDigest({
    records,
    silences: active,
    lastRuns,
    remediations,
    since,
    now,
    timezone: data.timezone,
    targets: data.targets,
  });
  return { digest, markerKey };
}

/**
 * Posts a digest with its trend chart attached (files.uploadV2 shares the PNG in the same message as
 * the digest's blocks). When the upload fails the digest goes out as a plain message: it says
 * everything the chart does, in words.
 */
export async function postDigest(
  data: DigestJob,
  ctx: DigestContext,
): Promise<{ newFindings: number; stillOpen: number; resolved: number; chart: boolean }> {
  const { digest, markerKey } = await buildDigest(data, ctx);
  const body = digestMessage(digest);
  let chart = true;
  try {
    const file = await renderTrendChart(digest.trend);
    const title = 'Open findings by severity, last 14 days';
    const altText = chartAltText(digest.trend);
    await ctx.slack.upload(data.channel, { file, filename: 'open-findings-14-days.png', title, altText }, body);
  } catch (err) {
    chart = false;
    ctx.log.warn(
      { err: errorMessage(err), channel: data.channel },
      'digest chart upload failed; posting the digest without it',
    );
    await ctx.slack.post(data.channel, body);
  }
  await ctx.findings.redis.set(markerKey, digest.until);
  ctx.log.info(
    {
      channel: data.channel,
      new: digest.newFindings.length,
      open: digest.stillOpen.length,
      resolved: digest.resolved.length,
      chart,
    },
    'digest posted',
  );
  return {
    newFindings: digest.newFindings.length,
    stillOpen: digest.stillOpen.length,
    resolved: digest.resolved.length,
    chart,
  };
}
