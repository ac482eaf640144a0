import type { FetchLike, TransportResponse } from './transport.js';

/** One redirect a probe followed: its status and the origin it pointed to (a signed URL's query is a secret). */
export interface ProbeHop {
  status: number;
  to: string;
}

/** What a probe saw: the final answer, the first bytes of its body, and whether the connection cut it short. */
export interface ProbeAnswer {
  status: number;
  headers: Headers;
  /** Redirects followed before this answer (a registry on S3 or GCS answers blob reads with 307). */
  hops: ProbeHop[];
  /** The bytes asked for (2xx), or the start of an error body. */
  body: Buffer;
  /** The answer's Content-Length, null when it sent none. */
  promised: number | null;
  /** Why the body ended before `promised` bytes (the connection closed), or null when it did not. */
  cut: string | null;
}

export interface ProbeInit {
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  dispatcher?: unknown;
  /** Body bytes the probe needs from a 2xx answer. */
  want: number;
}

/** Error bodies and small answers are read to their end so the connection goes back to the pool. */
const SMALL_BODY = 65_536;
const MAX_HOPS = 5;

/**
 * GET that reads the bytes it asked for and follows redirects itself, so every hop is seen and counted.
 * The registry's bearer token is not sent on to another origin: storage takes the signed URL alone.
 * A body cut short is an answer (`cut`), not an exception: the caller decides what it means.
 */
export async function probeOnce(fetch: FetchLike, init: ProbeInit): Promise<ProbeAnswer> {
  let url = init.url;
  let headers = init.headers;
  const hops: ProbeHop[] = [];
  for (;;) {
    const res = await fetch(url, {
      method: 'GET',
      headers,
      signal: init.signal,
      dispatcher: init.dispatcher,
      redirect: 'manual',
    });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location && hops.length < MAX_HOPS) {
      await readUpTo(res, 0);
      const next = new URL(location, url);
      if (next.origin !== new URL(url).origin) headers = withoutCredentials(headers);
      hops.push({ status: res.status, to: next.origin });
      url = next.href;
      continue;
    }
    const read = await readUpTo(res, init.want);
    init.signal.throwIfAborted();
    return { status: res.status, headers: res.headers, hops, ...read };
  }
}

/**
 * Reads a small body to its end, or the first `want` bytes of a large one (a server that ignored Range)
 * and drops the rest, which closes that connection rather than downloading a layer.
 */
export async function readUpTo(
  res: TransportResponse,
  want: number,
): Promise<{ body: Buffer; promised: number | null; cut: string | null }> {
  const length = res.headers.get('content-length');
  const promised = length === null ? null : Number(length);
  if (!res.body) {
    try {
      const body = Buffer.from(await res.text());
      return {
        body,
        promised,
        cut: promised !== null && body.length < promised ? `body ended after ${body.length} bytes` : null,
      };
    } catch (err) {
      return { body: Buffer.alloc(0), promised, cut: describeCut(err) };
    }
  }
  // Unknown length (chunked) counts as small until it proves otherwise.
  const small = promised === null || promised <= SMALL_BODY;
  const enough = (n: number) => n >= SMALL_BODY || (!small && res.status < 300 && n >= want);
  const read = isStream(res.body) ? await readStream(res.body, enough) : await readIterable(res.body, enough);
  const n = read.body.length;
  const short = read.cut === null && read.complete && small && promised !== null && n < promised;
  return { body: read.body, promised, cut: short ? `body ended after ${n} bytes` : read.cut };
}

interface Read {
  body: Buffer;
  cut: string | null;
  /** The body ended (rather than the probe stopping once it had enough). */
  complete: boolean;
}

interface NodeStream {
  on(event: string, listener: (arg: never) => void): unknown;
  destroy(): unknown;
}

function isStream(body: unknown): body is NodeStream {
  return typeof (body as NodeStream).on === 'function' && typeof (body as NodeStream).destroy === 'function';
}

/** A Node stream (undici's body) read by events: cheaper per request than async iteration at 10^5 probes. */
function readStream(body: NodeStream, enough: (n: number) => boolean): Promise<Read> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    let settled = false;
    const finish = (cut: string | null, complete: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ body: Buffer.concat(chunks), cut, complete });
    };
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      n += chunk.length;
      if (!enough(n)) return;
      finish(null, false);
      body.destroy();
    });
    body.on('end', () => finish(null, true));
    body.on('error', (err: unknown) => finish(describeCut(err), false));
  });
}

async function readIterable(body: AsyncIterable<Uint8Array>, enough: (n: number) => boolean): Promise<Read> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of body) {
      chunks.push(Buffer.from(chunk));
      n += chunk.byteLength;
      if (enough(n)) return { body: Buffer.concat(chunks), cut: null, complete: false };
    }
  } catch (err) {
    return { body: Buffer.concat(chunks), cut: describeCut(err), complete: false };
  }
  return { body: Buffer.concat(chunks), cut: null, complete: true };
}

function describeCut(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message ?? e.message ?? 'connection closed';
  return code ? `${message} (${code})` : message;
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (!/^(authorization|cookie|proxy-authorization)$/i.test(k)) out[k] = v;
  return out;
}
