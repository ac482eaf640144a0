import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { freePort } from './support/helpers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

let child: ChildProcess | undefined;
let dir: string | undefined;

/**
 * Uses REDIS_URL (or 127.0.0.1:6379) when it answers; otherwise starts a private redis-server from
 * PATH on a free port. Tests isolate themselves with a unique BullMQ prefix each.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await answers(wanted)) {
    project.provide('redisUrl', wanted);
    return async () => {};
  }
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'hp-redis-'));
  child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const spawnError = new Promise<never>((_, reject) =>
    child?.on('error', (err) =>
      reject(
        new Error(
          `no Redis answers at ${wanted} and redis-server could not start (${err.message}); install redis-server or set REDIS_URL`,
        ),
      ),
    ),
  );
  const url = `redis://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      if (await answers(url)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${port} did not answer`);
  })();
  await Promise.race([ready, spawnError]);
  project.provide('redisUrl', url);
  return async () => {
    child?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
