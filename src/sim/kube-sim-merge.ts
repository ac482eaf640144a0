/** Selector and merge semantics of the Kubernetes API server, for the simulator. */

/** `a=b,c!=d,e,!f,g in (x,y)` as Kubernetes evaluates it. */
export function matchesLabels(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  const parts = selector.match(/([^,(]+(\([^)]*\))?)/g) ?? [];
  return parts.every((raw) => {
    const p = raw.trim();
    let m = /^([^!=\s]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m) {
      const vals = (m[3] ?? '').split(',').map((s) => s.trim());
      const has = vals.includes(l[m[1] as string] ?? '\u0000');
      return m[2] === 'in' ? has : !has;
    }
    m = /^([^!=]+)!=(.*)$/.exec(p);
    if (m) return l[(m[1] ?? '').trim()] !== (m[2] ?? '').trim();
    m = /^([^!=]+)==?(.*)$/.exec(p);
    if (m) return l[(m[1] ?? '').trim()] === (m[2] ?? '').trim();
    if (p.startsWith('!')) return !(p.slice(1) in l);
    return p in l;
  });
}

function fieldValue(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

export function matchesFields(obj: unknown, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((p) => {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(p.trim());
    if (!m) return true;
    const v = String(fieldValue(obj, m[1] as string) ?? '');
    return m[2] === '!=' ? v !== m[3] : v === m[3];
  });
}

/** Strategic merge: objects merge, lists of named items merge by name, other lists replace. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    if (!Array.isArray(base) || !patch.every((p) => p && typeof p === 'object' && 'name' in p)) return patch;
    const out = [...base];
    for (const p of patch as { name: string }[]) {
      const i = out.findIndex((b) => (b as { name?: string })?.name === p.name);
      if (i >= 0) out[i] = strategicMerge(out[i], p);
      else out.push(p);
    }
    return out;
  }
  if (patch && typeof patch === 'object') {
    const out: Record<string, unknown> =
      base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
    for (const [k, v] of Object.entries(patch)) {
      if (k === '$patch') continue;
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  return patch;
}

/** JSON merge patch (RFC 7386): null deletes, objects merge, everything else replaces. */
export function jsonMerge(base: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMerge(out[k], v);
  }
  return out;
}
