import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type HttpSim, type SimRequest, type SimResponse, startHttpSim } from './http-sim.js';

// An S3-like object store over a real registry's storage directory: where distribution's `redirect`
// middleware sends blob reads (307), as it does to S3 or GCS.

export interface StorageServer {
  url: string;
  /** The registry storage root it serves; set once the registry that writes there has started. */
  root: string | null;
  sim: HttpSim;
  close(): Promise<void>;
}

const s3Error = (status: number, code: string, headers: Record<string, string> = {}): SimResponse => ({
  status,
  headers: { 'content-type': 'application/xml', ...headers },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code></Error>`,
});

export async function startStorageServer(): Promise<StorageServer> {
  const sim = await startHttpSim();
  const server: StorageServer = { url: sim.url, root: null, sim, close: () => sim.close() };
  sim.route('GET', /^\/(docker\/registry\/v2\/blobs\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}\/data)$/, (req) =>
    object(server, req),
  );
  return server;
}

function object(server: StorageServer, req: SimRequest): SimResponse {
  if (!server.root) return s3Error(503, 'ServiceUnavailable');
  const file = join(server.root, req.params[0] ?? '');
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return s3Error(404, 'NoSuchKey');
  }
  const ranged = req.headers.range === 'bytes=0-0';
  if (ranged && size === 0) return s3Error(416, 'InvalidRange', { 'content-range': 'bytes */0' });
  const data = readFileSync(file);
  if (!ranged)
    return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: data.toString('latin1') };
  return {
    status: 206,
    headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-0/${size}` },
    body: data.subarray(0, 1).toString('latin1'),
  };
}
