import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../src/log.js';

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
