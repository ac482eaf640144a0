import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log record. */
export const redactPaths = [
  'password',
  'token',
  'authorization',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.authorization',
  '*.headers.authorization',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.database',
  '*.redis',
];

/** The one root logger; everything else is a child of it. */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'harbor-pilot' },
      redact: { paths: redactPaths, censor: '[redacted]' },
    },
    options.destination ?? pino.destination(2),
  );
}

const levels = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** True for a level pino knows (LOG_LEVEL's values). */
export function isLogLevel(level: string): boolean {
  return levels.has(level);
}
