import { toJSONSchema, type z } from 'zod';

/** The parts of a JSON Schema (z.toJSONSchema) that wording an issue needs. */
export interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  additionalProperties?: JsonSchemaNode | boolean;
  required?: string[];
  default?: unknown;
  description?: string;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  anyOf?: JsonSchemaNode[];
}

/** `harbors[0].url` from `['harbors', 0, 'url']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

/** The schema node at `path` (list indexes step into `items`). */
function nodeAt(root: JsonSchemaNode | undefined, path: readonly PropertyKey[]): JsonSchemaNode | undefined {
  let node = root;
  for (const p of path) {
    if (!node) return undefined;
    node = typeof p === 'number' ? node.items : node.properties?.[String(p)];
  }
  return node;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const p of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[p];
  }
  return value;
}

/** Edit distance, for "did you mean": small strings only. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** The known key closest to a misspelt one, when it is close enough to be what was meant. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = name.toLowerCase() === lower ? 0 : distance(lower, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.floor(key.length / 3)) ? best.name : undefined;
}

function unknownKeys(issue: z.core.$ZodIssueUnrecognizedKeys, where: string, node?: JsonSchemaNode): string {
  const known = Object.keys(node?.properties ?? {});
  const each = issue.keys.map((k) => {
    const guess = closestKey(k, known);
    return guess ? `"${k}" (did you mean "${guess}"?)` : `"${k}"`;
  });
  const valid =
    known.length > 0 && each.every((e) => !e.includes('did you mean')) ? `; valid keys: ${known.join(', ')}` : '';
  return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${each.join(', ')}${valid}`;
}

export interface IssueContext {
  /** Put before every key (`env `). */
  prefix?: string;
  /** The document that was validated: a key absent from it is reported as required. */
  input?: unknown;
  /** Its JSON Schema: descriptions for required keys, known keys for "did you mean". */
  schema?: JsonSchemaNode;
}

/**
 * One line per zod issue, naming the key: unknown keys with the closest known one, a missing
 * required key with what it is (`harbors[0].url is required: the Harbor's external URL, …`).
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], context: IssueContext = {}): string[] {
  const prefix = context.prefix ?? '';
  return issues.map((i) => {
    const where = `${prefix}${formatPath(i.path) || '(root)'}`;
    if (i.code === 'unrecognized_keys') return unknownKeys(i, where, nodeAt(context.schema, i.path));
    const missing =
      i.code === 'invalid_type' && context.input !== undefined && valueAt(context.input, i.path) === undefined;
    if (missing) {
      const what = nodeAt(context.schema, i.path)?.description;
      return `${where} is required${what ? `: ${what}` : ''}`;
    }
    return `${where}: ${i.message}`;
  });
}

const jsonSchemas = new WeakMap<z.ZodType, JsonSchemaNode>();

/** The JSON Schema of a zod schema as a document's author sees it (defaults optional), computed once. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchemaNode {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
    jsonSchemas.set(schema, json);
  }
  return json;
}
