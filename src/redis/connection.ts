import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { redisTopology, type HostPort, type RedisEnv, type RedisTopology } from './topology.js';

/** A connection to our Redis, whatever its topology: one server, a Sentinel-watched master or a Cluster. */
export type RedisClient = Redis | Cluster;

export interface ConnectOptions {
  /** One-shot commands (the CLI): connect on first use, no reconnecting, fail fast. */
  failFast?: boolean;
  /**
   * No offline queue: while the connection is down commands fail at once instead of waiting to run
   * when Redis returns (the Slack front door's replay guard: the person is told, nothing runs later).
   */
  failWhenDown?: boolean;
}

/** Builds every connection of the process (bot, workers, queues, stores) the same way. */
export interface RedisFactory {
  readonly topology: RedisTopology;
  /** The key prefix: on a Cluster, hash-tagged (`{hp}`) so every key the bot writes shares one slot. */
  readonly prefix: string;
  /** Which topology, where, TLS and auth mode: never a password. */
  describe(): string;
  connect(name: string, options?: ConnectOptions): RedisClient;
}

/** Reconnect quickly at first, then every 2 s at most: a Sentinel failover takes a few seconds. */
export function retryDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), 2000);
}

/** After a failover the old master answers READONLY until the client reconnects to the new one. */
const reconnectOnReadonly = (err: Error): 2 | false => (err.message.startsWith('READONLY') ? 2 : false);

/** Prefixes a key namespace for the topology: a Cluster needs one hash tag for multi-key commands. */
export function keyPrefix(topology: RedisTopology, prefix: string): string {
  return topology.kind === 'cluster' && !/\{[^}]+\}/.test(prefix) ? `{${prefix}}` : prefix;
}

const list = (hosts: HostPort[]) => hosts.map((h) => `${h.host}:${h.port}`).join(', ');

export function describeTopology(t: RedisTopology, prefix: string): string {
  const c = t.common;
  const auth = c.password ? (c.username ? `user ${c.username} with password` : 'password') : 'none';
  const extras = `TLS ${c.tls ? 'on' : 'off'}, auth ${auth}`;
  if (t.kind === 'cluster') return `Redis Cluster via ${list(t.nodes)} (${extras}, keys under hash tag ${prefix})`;
  if (t.kind === 'sentinel') {
    const sentinelAuth = t.sentinelPassword ? ', sentinels with password' : '';
    return `Redis Sentinel master "${t.master}" via ${list(t.sentinels)} (db ${c.db ?? 0}, ${extras}${sentinelAuth})`;
  }
  return `one Redis server at ${list([t.server])} (db ${c.db ?? 0}, ${extras})`;
}

function nodeOptions(t: RedisTopology, name: string, o: ConnectOptions): RedisOptions {
  const base: RedisOptions = {
    ...t.common,
    connectionName: name,
    enableReadyCheck: true,
    reconnectOnError: reconnectOnReadonly,
  };
  const down = o.failWhenDown ? { enableOfflineQueue: false, autoResendUnfulfilledCommands: false } : {};
  return o.failFast
    ? { ...base, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 5000 }
    : { ...base, ...down, maxRetriesPerRequest: null, retryStrategy: retryDelay };
}

function open(t: RedisTopology, name: string, o: ConnectOptions): RedisClient {
  const options = nodeOptions(t, name, o);
  if (t.kind === 'standalone') return new Redis({ ...options, ...t.server });
  if (t.kind === 'sentinel') {
    return new Redis({
      ...options,
      sentinels: t.sentinels,
      name: t.master,
      role: 'master',
      sentinelPassword: t.sentinelPassword,
      enableTLSForSentinelMode: !!t.common.tls,
      sentinelRetryStrategy: o.failFast ? () => null : retryDelay,
    });
  }
  return new Cluster(t.nodes, {
    redisOptions: options,
    lazyConnect: o.failFast,
    enableReadyCheck: true,
    clusterRetryStrategy: o.failFast ? () => null : retryDelay,
    enableOfflineQueue: !o.failWhenDown,
    // Managed clusters with TLS (ElastiCache) announce names the certificate covers: keep them.
    ...(t.common.tls
      ? { dnsLookup: (address: string, done: (e: null, a: string) => void) => done(null, address) }
      : {}),
  });
}

/** The factory for `env`; with `log`, connection errors are logged (a warning each, never a password). */
export function createRedisFactory(env: RedisEnv & { HARBOR_PILOT_QUEUE_PREFIX: string }, log?: Logger): RedisFactory {
  const topology = redisTopology(env);
  const prefix = keyPrefix(topology, env.HARBOR_PILOT_QUEUE_PREFIX);
  return {
    topology,
    prefix,
    describe: () => describeTopology(topology, prefix),
    connect(name, options = {}) {
      const client = open(topology, name, options);
      // Always listened to: an unlistened ioredis error is printed raw. Failed commands still reject.
      client.on('error', (err: Error) =>
        log?.warn({ connection: name, err: errorMessage(err) }, 'redis connection error'),
      );
      return client;
    },
  };
}
