/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` are control characters there, so a resource name
 * like `<!channel>` would otherwise ping a whole channel. Everything from upstreams goes through this.
 */
export function escapeMrkdwn(text: string): string {
  return stripInvisible(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Bidi embeddings, overrides, isolates and marks; zero-width spaces, joiners and no-break; the
// soft hyphen; invisible operators; tag characters. Invisible, and able to make text read as other text.
const invisible =
  /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\u{e0000}-\u{e007f}]/gu;

/** Drops bidi and zero-width control characters (U+202E and friends) from text shown in Slack. */
export function stripInvisible(text: string): string {
  return text.replace(invisible, '');
}

/** Cuts text to fit a Block Kit limit, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Inline code that cannot be broken out of (backticks removed). */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

export function mention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `09:12 UTC`, or `Nov 22 09:12 UTC` when `iso` is not on the same UTC day as `now`. */
export function plainTime(iso: string, now: Date): string {
  const d = new Date(iso);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  if (d.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)) return hm;
  return `${d.toLocaleString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })} ${hm}`;
}

/** A time Slack shows in each reader's own timezone, with a UTC fallback. */
export function slackTime(iso: string, now: Date): string {
  const unix = Math.floor(Date.parse(iso) / 1000);
  const sameDay = iso.slice(0, 10) === now.toISOString().slice(0, 10);
  return `<!date^${unix}^${sameDay ? '{time}' : '{date_short} {time}'}|${plainTime(iso, now)}>`;
}
