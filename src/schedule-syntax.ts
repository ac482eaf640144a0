import { CronExpressionParser } from 'cron-parser';

/**
 * Why `cron` is not a schedule BullMQ can run, or undefined when it is. The same parser BullMQ's
 * job schedulers use (cron-parser, the version BullMQ pins), so a pattern that passes here is
 * accepted at start-up too.
 */
export function cronProblem(cron: string): string | undefined {
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
    return undefined;
  } catch (err) {
    return (
      `"${cron}" is not a valid cron expression (${(err as Error).message}); e.g. "0 9 * * 1-5" is 09:00 on ` +
      `weekdays`
    );
  }
}

/** Why `tz` is not a time zone, or undefined when it is one (an IANA name, or UTC). */
export function timeZoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `"${tz}" is not a known time zone; use an IANA name like Europe/Berlin or UTC`;
  }
}
