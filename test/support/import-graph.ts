import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The .ts files under `dir` (relative to `root`), depth first. */
export function tsFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? tsFiles(root, p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module a file names in an import or export (`from '…'`, `import('…')`), types included. */
export function importsOf(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:\bfrom|\bimport\(?)\s*'([^']+)'/g)].map((m) => m[1] as string);
}

/** The local modules a file imports, as paths relative to `root` (`./x.js` resolves to `x.ts`). */
function localImports(root: string, file: string): string[] {
  return importsOf(root, file)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(root, resolve(root, dirname(file), spec.replace(/\.js$/, '.ts'))))
    .filter((p) => existsSync(join(root, p)));
}

/**
 * The import cycles among the .ts files under `dir`, type-only imports included (a cycle of types
 * still ties the modules together for a reader). Each cycle is listed once, as `a -> b -> a`.
 */
export function importCycles(root: string, dir: string): string[] {
  const graph = new Map(tsFiles(root, dir).map((f) => [f, localImports(root, f)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles = new Set<string>();
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (state.get(next) === 'open') {
        const loop = stack.slice(stack.indexOf(next));
        const start = loop.indexOf([...loop].sort()[0] as string);
        const canonical = [...loop.slice(start), ...loop.slice(0, start)];
        cycles.add([...canonical, canonical[0]].join(' -> '));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return [...cycles].sort();
}
