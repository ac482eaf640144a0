import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

/** A logger that keeps its lines for assertions (secrets must not appear in them). */
export function memoryLogger(level = 'debug'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ level, destination }), lines };
}

/** A stream that collects what is written to it. */
export function captureStream(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text(): string };
  w.text = () => chunks.join('');
  return w;
}

/** Writes files into a fresh temp directory; returns their paths. */
export function tempFiles(files: Record<string, string>): Record<string, string> & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-test-'));
  const out: Record<string, string> = { dir };
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    writeFileSync(p, content);
    out[name] = p;
  }
  return out as Record<string, string> & { dir: string };
}

export function uniquePrefix(name: string): string {
  return `hpt-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Slack's request signature: `v0=` HMAC-SHA256 of `v0:ts:body` with the signing secret. */
export function slackSignature(secret: string, ts: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

/** Posts to Bolt as Slack does, signed with the signing secret. */
export async function postSigned(
  url: string,
  body: string,
  secret: string,
  options: { ts?: number; signature?: string; contentType?: string } = {},
): Promise<{ status: number; text: string; ms: number }> {
  const ts = options.ts ?? Math.floor(Date.now() / 1000);
  const signature = options.signature ?? slackSignature(secret, ts, body);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signature,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

/** The form body of a slash command invocation. */
export function slashBody(fields: {
  text: string;
  user?: string;
  channel?: string;
  command?: string;
  responseUrl: string;
}): string {
  return new URLSearchParams({
    token: 'legacy-token',
    team_id: 'T0SIM',
    team_domain: 'sim',
    channel_id: fields.channel ?? 'C0INCIDENT',
    channel_name: 'incident',
    user_id: fields.user ?? 'U0RESPONDER',
    user_name: 'responder',
    command: fields.command ?? '/harbor',
    text: fields.text,
    api_app_id: 'A0SIM',
    response_url: fields.responseUrl,
    trigger_id: `${Date.now()}.${Math.random().toString(36).slice(2, 10)}`,
  }).toString();
}

/** One query on its own connection to the machine's PostgreSQL (tests create and drop databases). */
export async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}

/** Polls a condition (no fixed sleeps): resolves with its first truthy value. */
export async function waitUntil<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A private redis-server on `port` with an append-only file in `dir`; resolves once it answers PING. */
export async function startRedisServer(port: number, dir: string): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return proc;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  proc.kill('SIGKILL');
  throw new Error('private redis-server did not start');
}

/** A throwaway self-signed EC certificate for 127.0.0.1 (2 days), made by openssl in `dir`. */
export function selfSignedCertificate(dir: string): { keyFile: string; certFile: string; key: Buffer; cert: Buffer } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'];
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  execFileSync('openssl', [...args, ...subject, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { keyFile, certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}
