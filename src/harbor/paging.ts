import * as z from 'zod';
import type { Http, HttpRequest } from '../http.js';
import { parseUpstream } from './parse.js';

/** Streams a Harbor list page by page (Link headers), each page's items validated with `item`. */
export async function* parsedPages<S extends z.ZodType>(
  http: Http,
  item: S,
  req: HttpRequest & { pageSize?: number },
): AsyncGenerator<{ items: z.infer<S>[]; total: number | null }> {
  const list = z.array(item);
  for await (const page of http.pages<unknown>(req)) {
    yield { items: parseUpstream(list, page.items, req), total: page.total };
  }
}

/** Collects a list, stopping after `max` items (lists the checks read in full are small). */
export async function collect<S extends z.ZodType>(
  http: Http,
  item: S,
  req: HttpRequest & { pageSize?: number },
  max = Number.POSITIVE_INFINITY,
): Promise<z.infer<S>[]> {
  const out: z.infer<S>[] = [];
  for await (const page of parsedPages(http, item, req)) {
    out.push(...page.items);
    if (out.length >= max) return out.slice(0, max);
  }
  return out;
}
