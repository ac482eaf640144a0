/**
 * Credentials a log line can carry, blanked before the line leaves the bot as evidence: the user
 * info of a URL (`redis://:pw@host`), `password=`/`token:`-style values, Authorization headers and
 * bearer tokens. Lines are cut to `maxScan` characters first, and every quantifier that could
 * restart at each position is bounded, so a hostile line costs time linear in its length.
 */
export function scrubLogLine(line: string, maxScan = 4000): string {
  return (line.length > maxScan ? line.slice(0, maxScan) : line)
    .replace(/\b([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/@]{0,256}@/gi, '$1[redacted]@')
    .replace(
      /\b((?:password|passwd|secret|secret_?key|access_?key|token|api_?key)["']?\s{0,8}[:=]\s{0,8}["']?)[^\s,"'}]+/gi,
      '$1[redacted]',
    )
    .replace(/\b(authorization["']?\s{0,8}[:=]\s{0,8}["']?(?:bearer\s|basic\s)?\s{0,8})[^\s,"'}]+/gi, '$1[redacted]')
    .replace(/\b(bearer\s{1,8})[\w.~+/=-]{8,}/gi, '$1[redacted]');
}
