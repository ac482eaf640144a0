import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createRedisFactory, keyPrefix, retryDelay } from '../../src/redis/connection.js';
import { redisTopology } from '../../src/redis/topology.js';

const base = { REDIS_URL: 'redis://127.0.0.1:6379', HARBOR_PILOT_QUEUE_PREFIX: 'hp' };

describe('Redis topology from the environment', () => {
  it('one server: credentials, db and TLS from REDIS_URL, REDIS_USERNAME / REDIS_PASSWORD win', () => {
    const t = redisTopology({ REDIS_URL: 'rediss://app:url-pw@redis.example.com:6380/2', REDIS_PASSWORD: 'env-pw' });
    expect(t).toMatchObject({ kind: 'standalone', server: { host: 'redis.example.com', port: 6380 } });
    expect(t.common).toEqual({ username: 'app', password: 'env-pw', db: 2, tls: {} });
    expect(redisTopology({ REDIS_URL: 'redis://[::1]:7000' })).toMatchObject({ server: { host: '::1', port: 7000 } });
  });

  it('Sentinel: the sentinels and the master name; REDIS_URL gives only credentials, db and TLS', () => {
    const t = redisTopology({
      REDIS_URL: 'rediss://:pw@ignored:1/1',
      REDIS_SENTINELS: 's1:26379, s2:26379,s3:26380',
      REDIS_SENTINEL_MASTER: 'mymaster',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
    });
    expect(t).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: 's3', port: 26380 },
      ],
      master: 'mymaster',
      sentinelPassword: 'sentinel-pw',
      common: { password: 'pw', db: 1, tls: {} },
    });
  });

  it('Cluster: the seed nodes, and a hash-tagged key prefix so each multi-key command stays in one slot', () => {
    const f = createRedisFactory({ ...base, REDIS_CLUSTER_NODES: 'n1:7000,n2:7001', REDIS_PASSWORD: 'pw' });
    expect(f.topology).toMatchObject({
      kind: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
    });
    expect(f.prefix).toBe('{hp}');
    expect(keyPrefix(f.topology, '{team-a}')).toBe('{team-a}');
    expect(keyPrefix(redisTopology(base), 'hp')).toBe('hp');
  });

  it('names every mistake as a configuration error', () => {
    const bad = [
      { ...base, REDIS_URL: 'http://x' },
      { ...base, REDIS_URL: 'not a url' },
      { ...base, REDIS_SENTINELS: 's1:26379' },
      { ...base, REDIS_SENTINELS: 's1', REDIS_SENTINEL_MASTER: 'm' },
      { ...base, REDIS_CLUSTER_NODES: 'n1:7000', REDIS_SENTINELS: 's1:1', REDIS_SENTINEL_MASTER: 'm' },
      { ...base, REDIS_CLUSTER_NODES: 'n1:7000', REDIS_URL: 'redis://x:6379/3' },
      { ...base, REDIS_CLUSTER_NODES: ',' },
    ];
    const messages = bad.map((env) => {
      try {
        redisTopology(env);
        return 'accepted';
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).message;
      }
    });
    expect(messages[0]).toContain('REDIS_URL');
    expect(messages[2]).toContain('REDIS_SENTINEL_MASTER');
    expect(messages[3]).toContain('REDIS_SENTINELS');
    expect(messages[4]).toContain('not both');
    expect(messages[5]).toContain('database 0');
    expect(messages[6]).toContain('REDIS_CLUSTER_NODES');
    expect(messages).not.toContain('accepted');
  });

  it('describes the topology for the start-up line, never with a password', () => {
    const lines = [
      createRedisFactory({ ...base, REDIS_URL: 'redis://:s3cret@r:6379' }).describe(),
      createRedisFactory({
        ...base,
        REDIS_USERNAME: 'bot',
        REDIS_PASSWORD: 's3cret',
        REDIS_SENTINELS: 'a:1,b:2',
        REDIS_SENTINEL_MASTER: 'm',
        REDIS_SENTINEL_PASSWORD: 's3cret',
      }).describe(),
      createRedisFactory({
        ...base,
        REDIS_URL: 'rediss://r:6379',
        REDIS_PASSWORD: 's3cret',
        REDIS_CLUSTER_NODES: 'a:1',
      }).describe(),
    ];
    expect(lines).toEqual([
      'one Redis server at r:6379 (db 0, TLS off, auth password)',
      'Redis Sentinel master "m" via a:1, b:2 (db 0, TLS off, auth user bot with password, sentinels with password)',
      'Redis Cluster via a:1 (TLS on, auth password, keys under hash tag {hp})',
    ]);
    for (const l of lines) expect(l).not.toContain('s3cret');
  });

  it('retries quickly at first, then every 2 s at most', () => {
    expect([1, 2, 3, 4, 5, 10, 100].map(retryDelay)).toEqual([200, 400, 800, 1600, 2000, 2000, 2000]);
  });
});
