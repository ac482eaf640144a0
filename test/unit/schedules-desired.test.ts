import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { desiredSchedules } from '../../src/schedules.js';
import { openFindingsMessage } from '../../src/slack/lifecycle-blocks.js';
import { plainTime, slackTime } from '../../src/slack/mrkdwn.js';

const yaml = (cron: string) =>
  `slack:\n  alertChannel: C0ALERTS\ndigests:\n  - channel: C0D\n    cron: "${cron}"\n    timezone: Europe/Berlin\nwatches:\n  - cron: "*/5 * * * *"\n    channel: C0W\n`;

describe('desired schedules', () => {
  it('names each scheduler after its whole entry, so the same configuration gives the same ids', () => {
    const a = desiredSchedules(parseConfig(yaml('0 9 * * 1-5'), {}));
    expect(a.map((s) => [s.name, s.pattern, s.tz, s.source])).toEqual([
      ['digest', '0 9 * * 1-5', 'Europe/Berlin', 'digests[0]'],
      ['watch', '*/5 * * * *', 'UTC', 'watches[0]'],
    ]);
    expect(a[1]?.data).toEqual({ channel: 'C0W', targets: undefined, checks: undefined });
    expect(desiredSchedules(parseConfig(yaml('0 9 * * 1-5'), {})).map((s) => s.id)).toEqual(a.map((s) => s.id));
    const b = desiredSchedules(parseConfig(yaml('0 8 * * 1-5'), {}));
    expect(b[0]?.id).not.toBe(a[0]?.id);
    expect(b[1]?.id).toBe(a[1]?.id);
  });
});

describe('lifecycle messages', () => {
  it('shows times in the reader timezone with a UTC fallback', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(plainTime('2026-11-23T09:12:00Z', now)).toBe('09:12 UTC');
    expect(plainTime('2026-11-22T09:12:00Z', now)).toBe('Nov 22 09:12 UTC');
    expect(slackTime('2026-11-23T09:12:00.000Z', now)).toBe(
      `<!date^${Date.parse('2026-11-23T09:12:00Z') / 1000}^{time}|09:12 UTC>`,
    );
  });

  it('says when nothing is open', () => {
    expect(openFindingsMessage([], [], new Date()).text).toBe('No open findings.');
  });
});
