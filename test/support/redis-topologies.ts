import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitUntil } from './helpers.js';

// Real Redis topologies for the HA tests, from Debian's redis-server and redis-sentinel on 127.0.0.1
// (free ports, a temp directory each), with a password on every server.
export const topologyPassword = 'ha-test-password';

interface Server {
  port: number;
  proc: ChildProcess;
}

function serve(bin: string, args: string[]): ChildProcess {
  const proc = spawn(bin, args, { stdio: 'ignore' });
  proc.on('error', (err) => {
    throw new Error(`${bin} could not start (${err.message}); install redis-server and redis-sentinel`);
  });
  return proc;
}

async function answers(port: number, password?: string): Promise<boolean> {
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    password,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function redisServer(dir: string, extra: string[], port?: number): Promise<Server> {
  port ??= await freePort();
  mkdirSync(join(dir, String(port)), { recursive: true });
  const auth = ['--requirepass', topologyPassword, '--masterauth', topologyPassword];
  const base = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    join(dir, String(port)),
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  // A replica syncs at once (the default waits 5 s for more replicas): data written later is replicated.
  base.push('--repl-diskless-sync-delay', '0');
  const proc = serve('redis-server', [...base, ...auth, ...extra]);
  await waitUntil(`redis-server on ${port}`, () => answers(port as number, topologyPassword), 10_000);
  return { port, proc };
}

async function stop(servers: Server[]): Promise<void> {
  const running = servers.filter((s) => s.proc.exitCode === null && s.proc.signalCode === null);
  await Promise.all(running.map((s) => new Promise((r) => s.proc.once('exit', r).kill('SIGKILL'))));
}

/** Resolves once the server on `port` is a replica whose link to its master is up. */
async function inSync(port: number): Promise<void> {
  const cli = new Redis({ port, host: '127.0.0.1', password: topologyPassword });
  try {
    await waitUntil(
      `the replica on ${port} to sync`,
      async () => {
        const info = await cli.info('replication');
        return info.includes('role:slave') && info.includes('master_link_status:up');
      },
      30_000,
    );
  } finally {
    cli.disconnect();
  }
}

export interface SentinelSet {
  /** The variables of CONTRACT.md's "Redis connection" for this set. */
  env: Record<string, string>;
  /** The servers as started: the master, then its replica. */
  master: Server;
  replica: Server;
  /** The port of the current master, as the sentinels see it. */
  masterPort(): Promise<number>;
  /** SIGKILLs the current master; resolves with the new master's port once the sentinels promoted it. */
  killMaster(): Promise<number>;
  /** Restarts the killed server; resolves once it is the new master's replica, in sync. */
  revive(): Promise<void>;
  close(): Promise<void>;
}

/** One master, one replica and three sentinels (quorum 2, a master is down after 1 s). */
export async function startSentinelSet(): Promise<SentinelSet> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-sentinel-'));
  const master = await redisServer(dir, []);
  const replica = await redisServer(dir, ['--replicaof', '127.0.0.1', String(master.port)]);
  await inSync(replica.port);
  const sentinels: Server[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor hp-master 127.0.0.1 ${master.port} 2`,
        `sentinel auth-pass hp-master ${topologyPassword}`,
        'sentinel down-after-milliseconds hp-master 1000',
        'sentinel failover-timeout hp-master 5000',
      ].join('\n'),
    );
    sentinels.push({ port, proc: serve('redis-sentinel', [conf]) });
  }
  const sentinelCli = new Redis({
    port: sentinels[0]?.port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => 50,
  });
  sentinelCli.on('error', () => {});
  const masterPort = async () =>
    Number(((await sentinelCli.call('SENTINEL', 'get-master-addr-by-name', 'hp-master')) as string[])[1]);
  // Ready when the sentinels see each other and the replica (failover needs both).
  await waitUntil(
    'the sentinels to know the set',
    async () => {
      const state = (await sentinelCli.call('SENTINEL', 'master', 'hp-master').catch(() => [])) as string[];
      const field = (name: string) => Number(state[state.indexOf(name) + 1]);
      return field('num-other-sentinels') === 2 && field('num-slaves') === 1;
    },
    20_000,
  );
  const servers = [master, replica];
  const all = () => [...servers, ...sentinels];
  let killed: Server | undefined;
  return {
    env: {
      REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      REDIS_SENTINEL_MASTER: 'hp-master',
      REDIS_PASSWORD: topologyPassword,
    },
    master,
    replica,
    masterPort,
    async killMaster() {
      const before = await masterPort();
      killed = servers.find((s) => s.port === before);
      killed?.proc.kill('SIGKILL');
      return waitUntil(
        'the failover',
        async () => {
          const now = await masterPort().catch(() => before);
          return now !== before ? now : undefined;
        },
        30_000,
      );
    },
    async revive() {
      if (!killed) return;
      const back = await redisServer(dir, [], killed.port);
      servers[servers.indexOf(killed)] = back;
      killed = undefined;
      // The sentinels turn the returning old master into a replica of the new one.
      await inSync(back.port);
    },
    async close() {
      sentinelCli.disconnect();
      await stop(all());
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisClusterSet {
  env: Record<string, string>;
  ports: number[];
  /** A client of one master. */
  node(port: number): Redis;
  close(): Promise<void>;
}

/** Three masters, no replicas, made with `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<RedisClusterSet> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-cluster-'));
  const servers: Server[] = [];
  for (let i = 0; i < 3; i++)
    servers.push(await redisServer(dir, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']));
  const ports = servers.map((s) => s.port);
  const create = spawn(
    'redis-cli',
    [
      '-a',
      topologyPassword,
      '--no-auth-warning',
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-yes',
    ],
    { stdio: 'ignore' },
  );
  const code = await new Promise((r) => create.on('exit', r));
  if (code !== 0) throw new Error(`redis-cli --cluster create exited ${code}`);
  const clients: Redis[] = [];
  const node = (port: number) => {
    const c = new Redis({ port, host: '127.0.0.1', password: topologyPassword });
    clients.push(c);
    return c;
  };
  const first = node(ports[0] as number);
  await waitUntil(
    'cluster_state:ok',
    async () => String(await first.call('CLUSTER', 'INFO')).includes('cluster_state:ok'),
    20_000,
  );
  return {
    env: { REDIS_CLUSTER_NODES: ports.map((p) => `127.0.0.1:${p}`).join(','), REDIS_PASSWORD: topologyPassword },
    ports,
    node,
    async close() {
      for (const c of clients) c.disconnect();
      await stop(servers);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
