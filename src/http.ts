import { STATUS_CODES } from 'node:http';
import { Agent, interceptors, request as undiciRequest, type Dispatcher } from 'undici';
import { UpstreamError, type UpstreamService } from './errors.js';
import { type ProbeAnswer, probeOnce } from './http-probe.js';
import type { FetchLike, TransportResponse } from './transport.js';
import type { Logger } from './log.js';
import { parseRetryAfter, retryAfterStatuses, retryDelayMs } from './retry-delay.js';

export type { FetchLike, TransportResponse } from './transport.js';

const redirects = interceptors.redirect({ maxRedirections: 5 });
const sharedDispatcher = new Agent().compose(redirects);
const insecureDispatcher = new Agent({ connect: { rejectUnauthorized: false } }).compose(redirects);

/**
 * The default transport: undici's request API, which costs markedly less CPU per request than
 * fetch's web streams at 10^5 requests. It follows redirects like fetch, unless `redirect: 'manual'`
 * asks for each answer (probes follow a registry's 307 to storage themselves, to see every hop).
 */
export const defaultTransport: FetchLike = async (url, init) => {
  const res = await undiciRequest(url, {
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: init.headers as Record<string, string>,
    body: init.body as string | undefined,
    signal: init.signal ?? undefined,
    dispatcher: (init.dispatcher as Dispatcher | undefined) ?? sharedDispatcher,
    ...(init.redirect === 'manual' ? { maxRedirections: 0 } : {}),
  });
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else if (v !== undefined) headers.set(k, v);
  }
  return {
    status: res.statusCode,
    statusText: STATUS_CODES[res.statusCode] ?? '',
    headers,
    text: () => res.body.text(),
    body: res.body,
  };
};

export interface HttpOptions {
  service: UpstreamService;
  baseUrl: string;
  /** Sent on every request; never logged. */
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Extra attempts for idempotent reads. */
  retries?: number;
  retryBaseMs?: number;
  insecureSkipTLSVerify?: boolean;
  fetch?: FetchLike;
  log?: Logger;
}

export interface HttpRequest {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
  /** Statuses returned to the caller instead of thrown (for example 404 on a probe). */
  accept?: number[];
  /** Per-call override. */
  timeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface Http {
  readonly baseUrl: string;
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
  /** Follows `Link: <...>; rel="next"` until the last page, yielding each page's items. */
  pages<T>(req: HttpRequest & { pageSize?: number }): AsyncGenerator<{ items: T[]; total: number | null }>;
  /**
   * GET that reads the first `want` body bytes and follows redirects itself: what was promised, what
   * arrived, every hop. Statuses in `accept` are answers; other 4xx/5xx throw like `request`.
   */
  probe(req: HttpRequest, want: number): Promise<ProbeAnswer>;
}

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A small JSON HTTP client: timeouts per attempt, bounded retries for reads, typed upstream errors. */
export function createHttp(options: HttpOptions): Http {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch: FetchLike = options.fetch ?? defaultTransport;
  const dispatcher = options.insecureSkipTLSVerify ? insecureDispatcher : undefined;
  const retries = options.retries ?? 2;
  const retryBaseMs = options.retryBaseMs ?? 200;

  async function attempt<T>(req: HttpRequest, method: string): Promise<HttpResponse<T>> {
    const url = buildUrl(base, req.path, req.query);
    const timeout = AbortSignal.timeout(req.timeoutMs ?? options.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...req.headers };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    let res: TransportResponse;
    let text: string;
    try {
      res = await doFetch(url, { method, headers, body, signal, dispatcher });
      text = await res.text(); // always read, so the connection goes back to the pool (HEAD: empty)
    } catch (err) {
      throw transportError(err, req, method, timeout);
    }
    const parsed = parseBody(text, res.headers.get('content-type'));
    if (res.status >= 400 && !req.accept?.includes(res.status)) {
      throw new UpstreamError({
        service: options.service,
        status: res.status,
        method,
        path: req.path,
        detail: describeErrorBody(parsed, res.statusText),
        retryAfterMs: retryAfterStatuses.has(res.status) ? parseRetryAfter(res.headers.get('retry-after')) : undefined,
      });
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  /** A timeout, a refused connection or a TLS failure, as one UpstreamError. */
  function transportError(err: unknown, req: HttpRequest, method: string, timeout: AbortSignal): UpstreamError {
    const timedOut = timeout.aborted && !req.signal?.aborted;
    const tls = timedOut ? undefined : tlsProblem(err);
    return new UpstreamError({
      service: options.service,
      status: null,
      method,
      path: req.path,
      detail: timedOut
        ? `no answer within ${req.timeoutMs ?? options.timeoutMs} ms`
        : (tls?.detail ?? describeNetworkError(err)),
      // A certificate does not get trusted by asking again.
      retryable: !req.signal?.aborted && !tls,
      hint: tls?.hint,
      cause: err,
    });
  }

  /** A GET that reads the `want` bytes it asks for; a body cut short is part of the answer, not retried. */
  async function probeAttempt(req: HttpRequest, want: number): Promise<ProbeAnswer> {
    const timeout = AbortSignal.timeout(req.timeoutMs ?? options.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const url = buildUrl(base, req.path, req.query);
    const headers = { ...options.headers, ...req.headers };
    let answer: ProbeAnswer;
    try {
      answer = await probeOnce(doFetch, { url, headers, signal, dispatcher, want });
    } catch (err) {
      throw transportError(err, req, 'GET', timeout);
    }
    if (answer.status >= 400 && !req.accept?.includes(answer.status)) {
      const parsed = parseBody(answer.body.toString('utf8'), answer.headers.get('content-type'));
      const detail = describeErrorBody(parsed, STATUS_CODES[answer.status] ?? '');
      throw new UpstreamError({
        service: options.service,
        status: answer.status,
        method: 'GET',
        path: req.path,
        detail,
      });
    }
    return answer;
  }

  async function request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = (req.method ?? 'GET').toUpperCase();
    return retrying(req, method, () => attempt<T>(req, method));
  }

  /** Bounded retries with backoff for idempotent reads that failed in a way asking again can fix. */
  async function retrying<T>(req: HttpRequest, method: string, run: () => Promise<T>): Promise<T> {
    const maxAttempts = idempotent.has(method) ? retries + 1 : 1;
    for (let n = 1; ; n++) {
      try {
        return await run();
      } catch (err) {
        if (!(err instanceof UpstreamError) || !err.retryable || n >= maxAttempts || req.signal?.aborted) throw err;
        const delay = retryDelayMs({ attempt: n, baseMs: retryBaseMs, retryAfterMs: err.retryAfterMs });
        if (delay === undefined) throw err; // it asked for a longer wait than a check can afford
        options.log?.debug(
          { service: options.service, path: req.path, attempt: n, status: err.status, delayMs: Math.round(delay) },
          'retrying request',
        );
        await sleep(delay, req.signal);
      }
    }
  }

  async function* pages<T>(req: HttpRequest & { pageSize?: number }) {
    let next: HttpRequest | null = { ...req, query: { page: 1, page_size: req.pageSize ?? 100, ...req.query } };
    while (next) {
      const res: HttpResponse<T[] | null> = await request<T[] | null>(next);
      const totalHeader = res.headers.get('x-total-count');
      yield { items: res.body ?? [], total: totalHeader === null ? null : Number(totalHeader) };
      const link = nextLink(res.headers.get('link'));
      next = link ? { ...req, path: link.path, query: link.query } : null;
    }
  }

  const probe = (req: HttpRequest, want: number) => retrying(req, 'GET', () => probeAttempt(req, want));
  return { baseUrl: base, request, pages, probe };
}

function buildUrl(base: string, path: string, query?: HttpRequest['query']): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return `${base}${path}${s ? `?${s}` : ''}`;
}

/** Parses the rel="next" target of a Link header into a path (relative to the API base) and query. */
export function nextLink(header: string | null): { path: string; query: Record<string, string> } | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    // indexOf, not /<([^>]+)>/: a header of many `<` would be retried from each of them.
    const open = part.indexOf('<');
    const close = open < 0 ? -1 : part.indexOf('>', open + 1);
    if (close <= open + 1 || !/^\s*;\s*rel="?next"?/.test(part.slice(close + 1))) continue;
    const url = new URL(part.slice(open + 1, close), 'http://placeholder');
    const path = url.pathname.replace(/^\/api\/v2\.0/, '');
    return { path, query: Object.fromEntries(url.searchParams) };
  }
  return null;
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return null;
  if (contentType?.includes('json') || /^[[{]/.test(text.trimStart())) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Harbor answers `{"errors":[{"code","message"}]}`; Kubernetes a Status; others text. */
export function describeErrorBody(body: unknown, fallback: string): string {
  let detail = fallback;
  if (body && typeof body === 'object') {
    const b = body as { errors?: { code?: string; message?: string }[]; message?: string };
    if (Array.isArray(b.errors) && b.errors.length > 0) {
      detail = b.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    } else if (typeof b.message === 'string') {
      detail = b.message;
    }
  } else if (typeof body === 'string' && body.trim()) {
    detail = body.trim();
  }
  return detail.length > 300 ? `${detail.slice(0, 297)}...` : detail;
}

export function errorCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
  return (err as { code?: string }).code ?? cause?.code ?? cause?.errors?.find((e) => e.code)?.code ?? cause?.message;
}

function describeNetworkError(err: unknown): string {
  return `connection failed (${errorCode(err) ?? (err as Error).message ?? 'unknown error'})`;
}

const harborTrustHint =
  "give the bot the CA that signed it (NODE_EXTRA_CA_CERTS=/path/ca.pem in the bot's environment) or, for a lab " +
  'only, set harbors[].insecureSkipTLSVerify';

/**
 * The TLS failures operators meet, said plainly with what to do; undefined for any other error.
 * `trustHint` says how this service's CA reaches the bot (Harbor: NODE_EXTRA_CA_CERTS).
 */
export function tlsProblem(err: unknown, trustHint = harborTrustHint): { detail: string; hint: string } | undefined {
  const code = errorCode(err) ?? '';
  if (code === 'CERT_HAS_EXPIRED')
    return { detail: `its TLS certificate has expired (${code})`, hint: 'renew the certificate' };
  if (code === 'CERT_NOT_YET_VALID')
    return {
      detail: `its TLS certificate is not valid yet (${code})`,
      hint: 'check the clocks of the bot and of whoever issued the certificate',
    };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return {
      detail: `its TLS certificate does not name this host (${code})`,
      hint: 'use the host name the certificate was issued for, or reissue it with this one',
    };
  if (
    /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/.test(code) ||
    /^UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?$/.test(code)
  ) {
    return { detail: `its TLS certificate is not trusted by the bot (${code})`, hint: trustHint };
  }
  return undefined;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
