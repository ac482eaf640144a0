import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The registry Harbor 2.x ships (CNCF distribution 2.8.2, Debian package docker-registry), run by
// hand on 127.0.0.1 with filesystem storage in a temp dir. Tests and `lab --real-registry` use it
// as the referee for what lost storage looks like.

export const installHint =
  'the real registry (CNCF distribution, the one Harbor ships) is not installed: ' +
  'run `apt-get install -y docker-registry` ' +
  '(Debian/Ubuntu; ignore its systemd unit) or set DOCKER_REGISTRY_BIN to a distribution 2.x binary';

/** `none`: storage answers every read; `redis`/`inmemory`: the blob-descriptor cache Harbor turns on. */
export type RegistryCache = 'none' | 'redis' | 'inmemory';

export interface RealRegistryOptions {
  cache: RegistryCache;
  /** For `cache: redis`: `host:port` and a database of its own (flushed by the caller between runs). */
  redis?: { addr: string; db: number; password?: string };
  /** Blob reads answer 307 to this base URL (distribution's `redirect` storage middleware, as on S3). */
  redirectTo?: string;
}

export interface RealRegistry {
  url: string;
  /** The storage root directory (`<root>/docker/registry/v2/...`). */
  root: string;
  stop(): Promise<void>;
}

/** The registry binary, or an error that says how to install it. */
export function registryBinary(): string {
  const bin = process.env.DOCKER_REGISTRY_BIN ?? 'docker-registry';
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(`${installHint} (${probe.error?.message ?? probe.stderr.trim()})`);
  return bin;
}

function configYaml(o: RealRegistryOptions, root: string, port: number): string {
  const lines = [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    'storage:',
    `  filesystem: {rootdirectory: ${JSON.stringify(root)}}`,
    '  delete: {enabled: true}',
    '  maintenance: {uploadpurging: {enabled: false}}',
  ];
  if (o.cache === 'redis') lines.push('  cache: {layerinfo: redis}');
  if (o.cache === 'inmemory') lines.push('  cache: {blobdescriptor: inmemory}');
  lines.push(`http: {addr: "127.0.0.1:${port}"}`);
  if (o.cache === 'redis') {
    if (!o.redis) throw new Error('cache: redis needs a redis address and database');
    const password = o.redis.password ? `, password: ${JSON.stringify(o.redis.password)}` : '';
    lines.push(`redis: {addr: ${JSON.stringify(o.redis.addr)}, db: ${o.redis.db}${password}}`);
  }
  if (o.redirectTo)
    lines.push(
      'middleware:',
      '  storage:',
      '    - name: redirect',
      `      options: {baseurl: ${JSON.stringify(o.redirectTo)}}`,
    );
  return `${lines.join('\n')}\n`;
}

/** Starts `docker-registry serve` on a free port and waits until `/v2/` answers. */
export async function startRealRegistry(o: RealRegistryOptions): Promise<RealRegistry> {
  const bin = registryBinary();
  const dir = mkdtempSync(join(tmpdir(), 'hp-registry-'));
  const root = join(dir, 'storage');
  const port = await freePort();
  writeFileSync(join(dir, 'config.yml'), configYaml(o, root, port));
  const child = spawn(bin, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-2000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child, dir);
  try {
    await untilReady(url, child, () => stderr);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, root, stop };
}

async function untilReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr().trim()}`);
    const ok = await fetch(`${url}/v2/`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url} within 10 s: ${stderr().trim()}`);
}

function stopChild(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
  });
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}
