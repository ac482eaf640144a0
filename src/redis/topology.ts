import type { RedisOptions } from 'ioredis';
import { ConfigError } from '../errors.js';

/** The Redis variables of CONTRACT.md ("Redis connection"); secrets come resolved (`*_FILE` included). */
export interface RedisEnv {
  REDIS_URL: string;
  REDIS_USERNAME?: string;
  REDIS_PASSWORD?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_MASTER?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_CLUSTER_NODES?: string;
}

export interface HostPort {
  host: string;
  port: number;
}

/** Where Redis is and how to talk to it; built once from the environment, then used by every connection. */
export type RedisTopology =
  | { kind: 'standalone'; server: HostPort; common: RedisOptions }
  | { kind: 'sentinel'; sentinels: HostPort[]; master: string; sentinelPassword?: string; common: RedisOptions }
  | { kind: 'cluster'; nodes: HostPort[]; common: RedisOptions };

function hostPorts(name: string, value: string): HostPort[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((s) => !/^[^\s:]+:\d{1,5}$/.test(s) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(s));
  if (list.length === 0 || bad.length > 0) {
    throw new ConfigError([`env ${name}: expected host:port[,host:port…], got "${bad[0] ?? value}"`]);
  }
  return list.map((s) => {
    const at = s.lastIndexOf(':');
    return { host: s.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(s.slice(at + 1)) };
  });
}

/** Credentials, database and TLS from REDIS_URL, overridden by REDIS_USERNAME / REDIS_PASSWORD. */
function commonOptions(env: RedisEnv): RedisOptions {
  let url: URL;
  try {
    url = new URL(env.REDIS_URL);
  } catch {
    throw new ConfigError(['env REDIS_URL: not a URL (expected redis://[user:password@]host:port[/db] or rediss://…)']);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError([`env REDIS_URL: scheme "${url.protocol}" is neither redis: nor rediss:`]);
  }
  const db = Number(url.pathname.slice(1) || 0);
  if (!Number.isInteger(db) || db < 0)
    throw new ConfigError([`env REDIS_URL: database "${url.pathname.slice(1)}" is not a number`]);
  const username = env.REDIS_USERNAME ?? (decodeURIComponent(url.username) || undefined);
  const password = env.REDIS_PASSWORD ?? (decodeURIComponent(url.password) || undefined);
  return {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(db ? { db } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Reads the topology from the environment: Cluster, else Sentinel, else one server at REDIS_URL. */
export function redisTopology(env: RedisEnv): RedisTopology {
  const common = commonOptions(env);
  if (env.REDIS_CLUSTER_NODES && env.REDIS_SENTINELS) {
    throw new ConfigError(['env REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them, not both']);
  }
  if (env.REDIS_CLUSTER_NODES) {
    if (common.db) throw new ConfigError(['env REDIS_URL: a Redis Cluster has only database 0']);
    return { kind: 'cluster', nodes: hostPorts('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES), common };
  }
  if (env.REDIS_SENTINELS) {
    if (!env.REDIS_SENTINEL_MASTER)
      throw new ConfigError(['env REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS (the monitored master name)']);
    const sentinels = hostPorts('REDIS_SENTINELS', env.REDIS_SENTINELS);
    return {
      kind: 'sentinel',
      sentinels,
      master: env.REDIS_SENTINEL_MASTER,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
      common,
    };
  }
  const url = new URL(env.REDIS_URL);
  return {
    kind: 'standalone',
    server: { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) },
    common,
  };
}
