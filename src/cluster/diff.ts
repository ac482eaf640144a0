/** Flattens an object to `path → scalar`; list items with a `name` are keyed by it. */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, '[]');
    value.forEach((item, i) => {
      const key =
        item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string'
          ? (item as { name: string }).name
          : String(i);
      flatten(item, `${prefix}[${key}]`, out);
    });
  } else if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    if (entries.length === 0 && prefix) out.set(prefix, '{}');
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined && value !== null) {
    out.set(prefix, value instanceof Date ? value.toISOString() : String(value));
  }
  return out;
}

/**
 * A readable before/after diff of two objects (or the parts of them that matter), one changed path
 * per pair of lines: `- path: old` then `+ path: new`. Empty when they are the same.
 */
export function diffObjects(before: unknown, after: unknown): string {
  const a = flatten(before);
  const b = flatten(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    const x = a.get(k);
    const y = b.get(k);
    if (x === y) continue;
    if (x !== undefined) lines.push(`- ${k}: ${x}`);
    if (y !== undefined) lines.push(`+ ${k}: ${y}`);
  }
  return lines.join('\n');
}

/** The changed paths between two objects, for evidence lines. */
export function changedPaths(before: unknown, after: unknown): string[] {
  const a = flatten(before);
  const b = flatten(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}
