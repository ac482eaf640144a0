import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import digestJob from '../../jobs/digest.js';
import { fingerprintOf } from '../../src/findings/finding.js';
import { syncSchedules } from '../../src/schedules.js';
import { memoryLogger } from '../support/helpers.js';
import { startFindingsHarness, type FindingsHarness } from '../support/findings-harness.js';

let h: FindingsHarness;
let queue: Queue;
const day = 24 * 3600_000;
const digestConfig = `digests:\n  - channel: C0DIGEST\n    cron: "0 9 * * 1-5"\n    timezone: Europe/Berlin\n`;
const thread = { channel: 'C0INC', threadTs: '1763900000.000001' };
const fp = (name: string) =>
  fingerprintOf({
    check: 'harbor-health',
    cause: 'component-unhealthy',
    target: 'harbor/prod',
    resource: { kind: 'HarborComponent', name, namespace: null },
  });

beforeEach(async () => {
  h = await startFindingsHarness('digest', { extra: digestConfig });
  queue = new Queue('scheduled', { connection: h.redis, prefix: h.prefix });
});
afterEach(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await h.close();
});

/** Findings history leading up to `at`: registry open for 10 days, trivy resolved, core new, a failed run. */
async function history(at: number): Promise<void> {
  h.clock.set(new Date(at - 10 * day).toISOString());
  h.unhealthy('registry', 'trivy');
  await h.runIn(thread);
  h.clock.set(new Date(at - 2 * day).toISOString());
  await h.runIn(thread);
  h.clock.set(new Date(at - 6 * 3600_000).toISOString());
  h.unhealthy('registry', 'core');
  await h.runIn(thread);
  h.clock.set(new Date(at - 3600_000).toISOString());
  h.harbor.fault({ path: /\/api\/v2\.0\/health$/, status: 503, times: 3 });
  await h.runIn(thread);
  h.harbor.clearFaults();
}

async function audit(at: number): Promise<void> {
  const entry = (action: string, offset: number) => ({
    actor: 'U0ALICE',
    action,
    target: 'harbor/prod',
    outcome: 'ok',
    at: new Date(at - offset).toISOString(),
  });
  await h.findings.audit.append(entry('remediation.approved', 3 * day));
  for (const a of [
    'remediation.proposed',
    'remediation.approved',
    'remediation.approved',
    'remediation.rejected',
    'remediation.executed',
  ]) {
    await h.findings.audit.append(entry(a, 2 * 3600_000));
  }
}

function digestText(): string {
  const done = h.slack.callsOf('files.completeUploadExternal');
  expect(done).toHaveLength(1);
  expect(done[0]?.args.channel_id).toBe('C0DIGEST');
  return JSON.stringify(done[0]?.args.blocks);
}

describe('digests', () => {
  it('posts the digest its scheduler queued, in the Berlin timezone, with the trend chart attached', async () => {
    const { upserted } = await syncSchedules(queue, h.config, memoryLogger('warn').log, ['watch', 'digest']);
    const scheduler = await queue.getJobScheduler(upserted[0] as string);
    const next = scheduler?.next as number;
    const [job] = await queue.getDelayed();
    expect(job?.name).toBe('digest');
    expect(job?.timestamp + (job?.delay ?? 0)).toBe(next);

    await history(next);
    await h.findings.redis.set(`${h.prefix}:digest:last:C0DIGEST|*`, new Date(next - day).toISOString());
    await audit(next);
    await h.findings.silences.silence({
      fingerprint: fp('core'),
      by: 'U0BOB',
      reason: 'being replaced',
      durationMs: day,
    });
    h.clock.set(new Date(next).toISOString());
    const result = await digestJob.process(digestJob.data.parse(job?.data), h.ctx);
    expect(result).toEqual({ newFindings: 2, stillOpen: 1, resolved: 1, chart: true });

    const text = digestText();
    const when = new Intl.DateTimeFormat('en-US', {
      timeZone: 'Europe/Berlin',
      weekday: 'short',
      month: 'short',
      day: 'numeric',
    }).format(new Date(next));
    expect(text).toContain(`${when}, 09:00 (Europe/Berlin)`);
    expect(text).toContain('*2 new* (2 critical)');
    expect(text).toContain('*1 still open*');
    expect(text).toContain('*1 resolved*');
    expect(text).toContain('remediations: 2 approved, 1 rejected, 1 executed');
    expect(text).toContain('1 silence active');
    expect(text).toContain('1 check could not run');
    expect(text).toContain('*harbor/prod*: new 2 critical · open 3 critical · resolved 1 warning');
    expect(text).toContain('Harbor component core is unhealthy');
    expect(text).toContain('being replaced');
    expect(text).toMatch(/critical `[ ▁-█]{14}` now 3, peak 3/);

    const [getUrl] = h.slack.callsOf('files.getUploadURLExternal');
    expect(getUrl?.args).toMatchObject({
      filename: 'open-findings-14-days.png',
      alt_text: expect.stringContaining('3 critical, 0 warning, 0 info open today'),
    });
    expect(Number(getUrl?.args.length)).toBeGreaterThan(200);
    // The PNG goes to the upload URL as a multipart form, so the body is the file plus its envelope.
    expect(h.slack.uploads).toEqual([
      {
        id: expect.any(String),
        bytes: expect.any(Number),
        contentType: expect.stringContaining('multipart/form-data'),
        text: expect.stringContaining('PNG'),
      },
    ]);
    expect(h.slack.uploads[0]?.bytes).toBeGreaterThan(Number(getUrl?.args.length));
    expect(await h.findings.redis.get(`${h.prefix}:digest:last:C0DIGEST|*`)).toBe(new Date(next).toISOString());
  });

  it('covers the time since the previous digest, and reads well without the chart when the upload fails', async () => {
    const now = Date.parse('2026-11-24T08:00:00Z');
    await history(now);
    h.clock.set(new Date(now).toISOString());
    await digestJob.process({ channel: 'C0DIGEST', timezone: 'Europe/Berlin' }, h.ctx);
    expect(digestText()).toContain('since Mon, Nov 23, 09:00');

    h.slack.fault({ path: /\/api\/files\.getUploadURLExternal$/, status: 500 });
    h.clock.set(new Date(now + day).toISOString());
    const result = await digestJob.process({ channel: 'C0DIGEST', timezone: 'Europe/Berlin' }, h.ctx);
    expect(result).toEqual({ newFindings: 0, stillOpen: 3, resolved: 0, chart: false });
    const [posted] = h.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0DIGEST');
    expect(String(posted?.args.text)).toBe(
      'Harbor digest: 0 new, 3 still open, 0 resolved; remediations 0 approved, 0 rejected, 0 executed',
    );
    const blocks = JSON.stringify(posted?.args.blocks);
    expect(blocks).toContain('since Tue, Nov 24, 09:00');
    expect(blocks).toContain('*Open findings, last 14 days*');
  });
});
