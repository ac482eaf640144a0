import { LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';

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
