import { LogLevel, WebClient, WebClientEvent, type WebClientOptions } from '@slack/web-api';

/**
 * The Web API client of the workers (and the bot's outside Bolt). Its base URL comes from
 * SLACK_API_URL so tests and the lab point it at a local server. Retries are bounded.
 */
export function createSlackWebClient(options: { token: string; apiUrl?: string; retries?: number }): WebClient {
  const opts: WebClientOptions = {
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: options.retries ?? 3, factor: 2, minTimeout: 200, maxTimeout: 5000 },
    // A 429 waits for Retry-After and tries again (bounded by retryConfig): posts are delayed, not dropped.
    rejectRateLimitedCalls: false,
  };
  if (options.apiUrl) opts.slackApiUrl = options.apiUrl;
  return new WebClient(options.token, opts);
}

export type { WebClient };

/** The Web API method of a request URL (`https://slack.com/api/chat.postMessage` → `chat.postMessage`). */
function methodOf(url: unknown): string {
  const m = typeof url === 'string' ? /\/api\/([A-Za-z.]+)/.exec(url) : null;
  return m?.[1] ?? 'unknown';
}

const counting = new WeakSet<WebClient>();

/**
 * Counts every 429 a client gets, by method, from the client's own `rate_limited` event: with
 * `rejectRateLimitedCalls: false` the client waits and retries, so no error ever says it happened.
 * Attaching twice to the same client counts once.
 */
export function countRateLimits(web: WebClient, count: (method: string) => void): void {
  if (counting.has(web)) return;
  counting.add(web);
  web.on(WebClientEvent.RATE_LIMITED, (_retrySec: number, request?: { url?: unknown }) =>
    count(methodOf(request?.url)),
  );
}
