import * as z from 'zod';
import type { CheckDefinition } from '../checks/define.js';
import type { Registry } from '../checks/registry.js';
import { configSchema, envSchema } from '../config.js';
import { causes } from '../findings/causes.js';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  default?: unknown;
  description?: string;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
};

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object' && !s.properties) return 'map';
  if (s.format === 'uri') return 'URL';
  return String(s.type ?? 'any');
}

function rows(s: JsonSchema, path: string, out: string[]): void {
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    const p = path ? `${path}.${key}` : key;
    const itemObject = prop.type === 'array' && prop.items?.properties ? prop.items : undefined;
    const required = s.required?.includes(key) && prop.default === undefined;
    const def = prop.default === undefined ? (required ? 'required' : '') : `\`${JSON.stringify(prop.default)}\``;
    const desc = (prop.description ?? '').replace(/\|/g, '\\|');
    if (prop.properties) {
      out.push(`| \`${p}\` | section | ${def} | ${desc} |`);
      rows(prop, p, out);
    } else if (itemObject) {
      out.push(`| \`${p}[]\` | list | ${def} | ${desc} |`);
      rows(itemObject, `${p}[]`, out);
    } else {
      out.push(`| \`${p}\` | ${typeOf(prop)} | ${def} | ${desc} |`);
    }
  }
}

/** The configuration reference, generated from the zod schema (file keys and environment). */
export function configReference(): string {
  const file = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const env = z.toJSONSchema(envSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out = ['| key | type | default | meaning |', '|---|---|---|---|'];
  rows(file, '', out);
  out.push('', '| environment variable | type | default | meaning |', '|---|---|---|---|');
  for (const [key, prop] of Object.entries(env.properties ?? {})) {
    const def = prop.default === undefined ? '' : `\`${String(prop.default)}\``;
    out.push(`| \`${key}\` | ${typeOf(prop)} | ${def} | ${(prop.description ?? '').replace(/\|/g, '\\|')} |`);
  }
  return out.join('\n');
}

function checkRow(c: CheckDefinition): string {
  const fixes = (c.remediations ?? []).map((r) => `\`${r.id}\``).join(', ') || '-';
  return (
    `| \`${c.id}\` | ${c.appliesTo.join(', ')} | ${c.causes.map((x) => `\`${x}\``).join(', ')} | ${fixes} | ` +
    `${c.description.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`
  );
}

/** Checks, causes and remediations, generated from the registries. */
export function catalog(registry: Registry): string {
  const out = ['### Checks', '', '| check | targets | causes | proposes | what it does |', '|---|---|---|---|---|'];
  for (const c of registry.checks.values()) out.push(checkRow(c));
  out.push('', '### Causes', '', '| cause | default severity | failure mode | meaning |', '|---|---|---|---|');
  for (const [code, info] of Object.entries(causes))
    out.push(`| \`${code}\` | ${info.severity} | ${info.mode} | ${info.description} |`);
  out.push('', '### Remediations', '', '| remediation | acts on | risk | what it does |', '|---|---|---|---|');
  for (const r of registry.remediations.values())
    out.push(
      `| \`${r.id}\` | ${r.targetKind} | ${r.risk} | ${r.description.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
    );
  return out.join('\n');
}

/** Replaces the text between `<!-- BEGIN GENERATED:name -->` and its END marker. */
export function replaceSection(doc: string, name: string, body: string): string {
  const begin = `<!-- BEGIN GENERATED:${name} -->`;
  const end = `<!-- END GENERATED:${name} -->`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no ${begin} … ${end} section`);
  return `${doc.slice(0, i + begin.length)}\n${body}\n${doc.slice(j)}`;
}
