import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The modules a file loads at startup: static imports and re-exports that survive compilation (not type-only). */
function staticImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  const statement = /^(?:import|export)\s+([^;]*?)\s*from\s*'([^']+)';?/gms;
  for (const m of src.matchAll(statement)) {
    const clause = (m[1] ?? '').trim();
    if (clause.startsWith('type ')) continue;
    const braces = /^\{([^}]*)\}$/.exec(clause);
    if (braces) {
      const names = (braces[1] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    }
    out.push(m[2] as string);
  }
  for (const m of src.matchAll(/^import\s+'([^']+)';/gm)) out.push(m[1] as string);
  return out;
}

/** Every package reached from `entry` through static imports of the project's own modules. */
function packagesReachedFrom(entry: string): Map<string, string> {
  const reached = new Map<string, string>(); // package -> first importer
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) {
        const ts = join(dirname(file), spec).replace(/\.js$/, '.ts');
        if (existsSync(ts)) queue.push(ts);
      } else if (!spec.startsWith('node:') && !reached.has(spec)) {
        reached.set(spec, file.slice(root.length + 1));
      }
    }
  }
  return reached;
}

describe('what a process loads at startup', () => {
  it('never loads @kubernetes/client-node statically: a bot, or a worker without clusters, does without it', () => {
    const reached = packagesReachedFrom(join(root, 'src/bin/harbor-pilot.ts'));
    const runtime = packagesReachedFrom(join(root, 'src/runtime.ts'));
    expect(reached.get('@kubernetes/client-node')).toBeUndefined();
    expect(runtime.get('@kubernetes/client-node')).toBeUndefined();
    // The walk is real: it does find what the runtime loads.
    expect(runtime.has('bullmq')).toBe(true);
    expect(runtime.has('@slack/bolt')).toBe(true);
  });
});
