import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/log.js';

export const benchLog = createLogger({ level: 'fatal' });

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export interface Figure {
  name: string;
  measured: number;
  unit: string;
  /** The lower bound or limit it is judged against. */
  bound: number;
  kind: 'limit' | 'lower-bound';
  /** Allowed ratio measured/bound (1 for a limit). */
  target: number;
}

/** Prints each figure with its bound and ratio, writes bench/results/<name>.json; false if a target is missed. */
export function report(name: string, figures: Figure[], extra: Record<string, unknown> = {}): boolean {
  let ok = true;
  for (const f of figures) {
    const ratio = f.measured / f.bound;
    const met = ratio <= f.target;
    ok &&= met;
    const against = f.kind === 'limit' ? `limit ${f.bound} ${f.unit}` : `lower bound ${f.bound.toFixed(1)} ${f.unit}, target ≤ ${f.target}x`;
    process.stdout.write(`${met ? 'ok  ' : 'MISS'} ${f.name}: ${f.measured.toFixed(1)} ${f.unit} (${against}; ratio ${ratio.toFixed(2)})\n`);
  }
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ name, at: new Date().toISOString(), node: process.version, figures, ...extra }, null, 2)}\n`);
  return ok;
}

/** Samples RSS every 20 ms; returns the peak in MB when stopped. */
export function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage().rss) / 1024 / 1024;
    },
  };
}
