import { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';

/** A key in Harbor's own Redis: core's cache layer in the URL's DB, the registry's in its own DB. */
export interface CacheKey {
  key: string;
  db: number;
  /** Seconds to live; -1 = no expiry. Set when read. */
  ttl?: number;
}

/** Core's cache-layer key of a manifest, and the registry's blob descriptor key. */
export const manifestCacheKey = (digest: string) => `cache:manifest:digest:${digest}`;
export const blobCacheKey = (digest: string) => `blobs::${digest}`;

/** The DB a `redis://host:port/N` URL selects (0 when none). */
export function redisDb(url: string): number {
  const n = Number(new URL(url).pathname.slice(1) || 0);
  return Number.isInteger(n) ? n : 0;
}

async function withRedis<T>(url: string, db: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  // The URL's own DB would win over an explicit `db` option, so the connection is built by parts.
  const u = new URL(url);
  const auth = {
    username: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
  };
  const tls = u.protocol === 'rediss:' ? { tls: {} } : {};
  const r = new Redis({
    host: u.hostname,
    port: Number(u.port || 6379),
    ...auth,
    ...tls,
    db,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

function byDb(keys: readonly CacheKey[]): Map<number, CacheKey[]> {
  const m = new Map<number, CacheKey[]>();
  for (const k of keys) m.set(k.db, [...(m.get(k.db) ?? []), k]);
  return m;
}

/**
 * Which of `keys` exist, with their TTL. Harbor's Redis is secondary evidence: when it does not
 * answer, the error is returned (for an evidence line) instead of failing the check.
 */
export async function existingKeys(
  url: string,
  keys: readonly CacheKey[],
): Promise<{ found: CacheKey[]; error?: string }> {
  const found: CacheKey[] = [];
  try {
    for (const [db, list] of byDb(keys)) {
      await withRedis(url, db, async (r) => {
        const pipe = r.pipeline();
        for (const k of list) pipe.pttl(k.key);
        const res = (await pipe.exec()) ?? [];
        res.forEach(([, ttl], i) => {
          if (typeof ttl === 'number' && ttl !== -2)
            found.push({ ...(list[i] as CacheKey), ttl: ttl < 0 ? ttl : Math.round(ttl / 1000) });
        });
      });
    }
    return { found };
  } catch (err) {
    return { found, error: errorMessage(err).replace(/\/\/[^@/]*@/, '//') };
  }
}

/** Deletes `keys`; returns how many existed. */
export async function deleteKeys(url: string, keys: readonly CacheKey[]): Promise<number> {
  let n = 0;
  for (const [db, list] of byDb(keys)) n += await withRedis(url, db, (r) => r.del(...list.map((k) => k.key)));
  return n;
}
