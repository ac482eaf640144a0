import type * as z from 'zod';
import { UpstreamError } from '../errors.js';
import type { Http, HttpRequest } from '../http.js';

/** Reads a JSON answer and validates its shape; a shape Harbor should never send is an upstream fault. */
export async function getParsed<S extends z.ZodType>(http: Http, schema: S, req: HttpRequest): Promise<z.infer<S>> {
  const res = await http.request(req);
  return parseUpstream(schema, res.body, req);
}

export function parseUpstream<S extends z.ZodType>(schema: S, body: unknown, req: HttpRequest): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  if (typeof body === 'string' && /^\s*</.test(body)) {
    // A login page, a proxy's error page or an ingress default backend: not Harbor's API at all.
    throw new UpstreamError({
      service: 'harbor',
      status: 200,
      method: req.method ?? 'GET',
      path: req.path,
      detail: "an HTML page instead of Harbor's JSON API",
      retryable: false,
      hint:
        'make sure harbors[].url is the Harbor itself (scheme and host, no path) with nothing in between ' +
        'that rewrites /api/v2.0: GET <url>/api/v2.0/ping should answer Pong',
    });
  }
  const issue = parsed.error.issues[0];
  throw new UpstreamError({
    service: 'harbor',
    status: 200,
    method: req.method ?? 'GET',
    path: req.path,
    detail: `unexpected answer shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    retryable: false,
  });
}

/** Double-encodes a repository name for Harbor paths (`a/b` → `a%252Fb`). */
export function encodeRepository(name: string): string {
  return encodeURIComponent(encodeURIComponent(name));
}
