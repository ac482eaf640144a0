import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigError, UserInputError } from '../errors.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

/** The repository's scenarios/ directory, found from this module (works from src/ and from dist/). */
export function defaultScenarioDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'scenarios');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new ConfigError(['scenarios/: directory not found next to package.json; pass --scenarios DIR']);
    dir = parent;
  }
}

/** Healthy first, then by failure mode letter, then by name: the order the demo prints. */
function order(a: Scenario, b: Scenario): number {
  const rank = (s: Scenario) => (s.mode === 'healthy' ? ' ' : s.mode);
  return rank(a).localeCompare(rank(b)) || a.name.localeCompare(b.name);
}

/** Parses one scenario file; every problem names the file and the key. */
export function parseScenario(text: string, source: string): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`${source}: not valid YAML (${(err as Error).message.split('\n')[0]})`]);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`));
  return parsed.data;
}

/** Every `*.yaml` scenario of `dir`, validated, names unique. */
export function loadScenarios(dir = defaultScenarioDir()): Scenario[] {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const scenarios = files.map((f) => parseScenario(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
  const seen = new Set<string>();
  for (const s of scenarios) {
    if (seen.has(s.name)) throw new ConfigError([`${resolve(dir)}: two scenarios are named "${s.name}"`]);
    seen.add(s.name);
  }
  return scenarios.sort(order);
}

/** The scenarios named in `names` (in that order); an unknown name lists the valid ones. */
export function pickScenarios(all: readonly Scenario[], names: readonly string[]): Scenario[] {
  return names.map((n) => {
    const s = all.find((x) => x.name === n);
    if (!s) throw new UserInputError(`unknown scenario "${n}"; valid: ${all.map((x) => x.name).join(', ')}`);
    return s;
  });
}
