const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function pad(n: string): string {
  return n.padStart(2, '0');
}

function dayName(d: string): string | undefined {
  const n = Number(d);
  return Number.isInteger(n) && n >= 0 && n <= 7 ? dayNames[n % 7] : undefined;
}

/** `1-5` → "Monday to Friday", `1,3` → "Monday and Wednesday"; undefined when not plain days. */
function daysInWords(field: string): string | undefined {
  const parts = field.split(',').map((p) => {
    const range = /^(\d)-(\d)$/.exec(p);
    if (range) {
      const [from, to] = [dayName(range[1] as string), dayName(range[2] as string)];
      return from && to ? `${from} to ${to}` : undefined;
    }
    return dayName(p);
  });
  if (parts.some((p) => p === undefined)) return undefined;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function timeInWords(minute: string, hour: string): string | undefined {
  if (/^\d+$/.test(minute) && /^\d+$/.test(hour)) return `at ${pad(hour)}:${pad(minute)}`;
  if (/^\d+$/.test(minute) && hour === '*') return minute === '0' ? 'every hour' : `every hour at :${pad(minute)}`;
  const every = /^\*\/(\d+)$/.exec(minute);
  if (every && hour === '*') return `every ${every[1]} minutes`;
  if (/^\d+$/.test(minute) && /^\*\/(\d+)$/.test(hour)) return `every ${hour.slice(2)} hours at :${pad(minute)}`;
  if (minute === '*' && hour === '*') return 'every minute';
  return undefined;
}

/**
 * A five-field cron pattern in words, for the common shapes (`0 9 * * 1-5` → "at 09:00 on Monday to
 * Friday"); any other pattern is shown as written. The timezone is appended.
 */
export function cronInWords(pattern: string, timezone = 'UTC'): string {
  const fields = pattern.trim().split(/\s+/);
  const raw = `\`${pattern}\` (${timezone})`;
  if (fields.length !== 5) return raw;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const time = timeInWords(minute, hour);
  if (!time || month !== '*') return raw;
  let when = time;
  if (dom !== '*' && dow === '*' && /^\d+$/.test(dom)) when += ` on day ${dom} of the month`;
  else if (dom === '*' && dow !== '*') {
    const days = daysInWords(dow);
    if (!days) return raw;
    when += ` on ${days}`;
  } else if (dom !== '*') return raw;
  else if (/^at /.test(time)) when += ' every day';
  return `${when} (${timezone})`;
}
