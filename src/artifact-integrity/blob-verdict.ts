import { UpstreamError } from '../errors.js';
import type { ProbeAnswer } from '../http-probe.js';
import { errorCode } from '../harbor/registry-v2.js';

/**
 * What a one-byte blob probe proves, read against the table "Measured on the real registry"
 * (failure-modes.md): null when the byte arrived (or the blob is empty by its descriptor), otherwise
 * what was seen, worded for the evidence line. Answers that prove neither throw (the artifact is
 * reported as not checked).
 */
export function blobLoss(a: ProbeAnswer, size: number | undefined, path: string): string | null {
  const seen = a.hops.map((h) => `${h.status} to ${h.to} (storage) → `).join('');
  const from = a.hops.length > 0 ? 'storage' : 'the registry';
  if (a.status === 404) return `${seen}404 ${errorCode(a.body.toString('utf8')) ?? 'Not Found'}`;
  if (a.status === 416) {
    if (size === 0) return null;
    const range = a.headers.get('content-range');
    const told = range ? ` (Content-Range: ${range})` : '';
    return `${seen}416${told} for a${sized(size)} blob: storage holds none of its bytes`;
  }
  if (a.status === 200 || a.status === 206) {
    if (a.cut !== null) {
      const why =
        a.hops.length > 0
          ? 'storage closed the connection'
          : "the registry's blob-descriptor cache answered; storage has no data";
      return `${seen}${a.status}, body cut after ${a.body.length} of ${a.promised ?? '?'} bytes (${why})`;
    }
    if (a.body.length > 0 || size === 0) return null;
    return `${seen}${a.status} with an empty body for a${sized(size)} blob (${from} holds none of its bytes)`;
  }
  throw new UpstreamError({
    service: 'registry',
    status: a.status,
    method: 'GET',
    path,
    detail: `${seen}${a.status} proves neither that storage holds the blob nor that it lost it`,
    retryable: false,
  });
}

function sized(size: number | undefined): string {
  return size === undefined ? ' non-empty' : ` ${size}-byte`;
}
