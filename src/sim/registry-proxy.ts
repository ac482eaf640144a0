import { request } from 'node:http';
import { pipeline } from 'node:stream';
import type { SimRequest, SimResponse } from './http-sim.js';

/** Headers a registry answer carries that clients read; hop-by-hop ones are left to each side. */
const passed = [
  'content-type',
  'content-length',
  'content-range',
  'docker-content-digest',
  'docker-distribution-api-version',
  'location',
  'etag',
  'accept-ranges',
];

/**
 * `/v2/` passed on to a real registry, as Harbor's core does with Go's reverse proxy: the answer
 * streams through, and a body the registry cuts short reaches the client as a cut connection (the
 * headers already promised its length). Only the headers a probe sends are forwarded.
 */
export function proxyToRegistry(upstream: string, req: SimRequest, path: string): SimResponse {
  return {
    stream: (res) =>
      new Promise<void>((resolve) => {
        const headers: Record<string, string> = {};
        for (const h of ['accept', 'range'])
          if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
        const up = request(`${upstream}${encodePath(path)}`, { method: req.method, headers }, (answer) => {
          const out: Record<string, string> = {};
          for (const h of passed) if (typeof answer.headers[h] === 'string') out[h] = answer.headers[h] as string;
          res.writeHead(answer.statusCode ?? 502, out);
          res.flushHeaders();
          pipeline(answer, res, (e) => {
            if (e) res.destroy();
            resolve();
          });
        });
        up.on('error', () => {
          if (res.headersSent) res.destroy();
          else
            res
              .writeHead(502, { 'content-type': 'application/json' })
              .end('{"errors":[{"code":"UNKNOWN","message":"registry unreachable"}]}');
          resolve();
        });
        up.end();
      }),
  };
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%3A/gi, ':'))
    .join('/');
}
