/**
 * Harbor's doublestar globs (replication name filters), matched without backtracking: a pattern
 * with many stars compiled to a RegExp can take exponential time on a long repository name (the
 * event loop stalls), so the glob runs as a set of states over the name: linear in its length.
 * `**` crosses `/`, `*` and `?` do not, `{a,b}` is an alternative, `[...]` a class (`[!...]` negated).
 */
export interface Glob {
  test(name: string): boolean;
}

type Token = { kind: 'char'; test(c: string): boolean } | { kind: 'star' | 'globstar' | 'globstar-dir' };
type Sequence = Token[];

/** A pattern expands to at most this many brace alternatives; more is refused. */
const maxAlternatives = 256;

function cross(left: Sequence[], right: Sequence[]): Sequence[] {
  if (left.length * right.length > maxAlternatives) throw new Error(`more than ${maxAlternatives} {a,b} alternatives`);
  return left.flatMap((l) => right.map((r) => [...l, ...r]));
}

function charClass(body: string): Token {
  const cls = new RegExp(`^[${body.replace(/^!/, '^').replace(/\\/g, '\\\\')}]$`);
  return { kind: 'char', test: (c) => cls.test(c) };
}

/** Parses from `at` to the end, or (inside braces) to the `,` or `}` that ends an alternative. */
function parse(p: string, at: number, depth: number): { alternatives: Sequence[]; end: number } {
  let alternatives: Sequence[] = [[]];
  const push = (t: Token) => {
    for (const a of alternatives) a.push(t);
  };
  let i = at;
  for (; i < p.length; i++) {
    const c = p[i] as string;
    if (depth > 0 && (c === ',' || c === '}')) break;
    if (c === '*' && p[i + 1] === '*') {
      i += p[i + 2] === '/' ? 2 : 1;
      push({ kind: p[i] === '/' ? 'globstar-dir' : 'globstar' });
    } else if (c === '*') push({ kind: 'star' });
    else if (c === '?') push({ kind: 'char', test: (x) => x !== '/' });
    else if (c === '[' && p.indexOf(']', i) > i) {
      const end = p.indexOf(']', i);
      push(charClass(p.slice(i + 1, end)));
      i = end;
    } else if (c === '{') {
      const group = braceGroup(p, i, depth);
      alternatives = cross(alternatives, group.alternatives);
      i = group.end;
    } else push({ kind: 'char', test: (x) => x === c });
  }
  return { alternatives, end: i };
}

function braceGroup(p: string, open: number, depth: number): { alternatives: Sequence[]; end: number } {
  const alternatives: Sequence[] = [];
  let at = open;
  do {
    const inner = parse(p, at + 1, depth + 1);
    alternatives.push(...inner.alternatives);
    at = inner.end;
  } while (p[at] === ',');
  if (p[at] !== '}') throw new Error(`unclosed { in ${p}`);
  return { alternatives, end: at };
}

// State 2*s is "before token s"; 2*s+1 is "inside the `**/` token s" (which must end with `/`).
// Stars may match nothing, so each state before a star also holds the state after it.
function close(tokens: Sequence, states: Uint8Array): void {
  for (let s = 0; s < states.length; s += 2) {
    const t = tokens[s / 2];
    if (states[s] && t && t.kind !== 'char') states[s + 2] = 1;
  }
}

function step(tokens: Sequence, from: Uint8Array, to: Uint8Array, c: string): void {
  to.fill(0);
  for (let s = 0; s < from.length; s++) {
    const at = s >> 1;
    const t = tokens[at];
    if (!from[s] || !t) continue;
    if (t.kind === 'char') {
      if (t.test(c)) to[s + 2] = 1;
    } else if (t.kind === 'globstar' || (t.kind === 'star' && c !== '/')) to[2 * at] = 1;
    else if (t.kind === 'globstar-dir') {
      to[2 * at + 1] = 1;
      if (c === '/') to[2 * at + 2] = 1;
    }
  }
  close(tokens, to);
}

function matches(tokens: Sequence, name: string): boolean {
  let states = new Uint8Array(2 * tokens.length + 2);
  let spare = new Uint8Array(states.length);
  states[0] = 1;
  close(tokens, states);
  for (const c of name) {
    step(tokens, states, spare, c);
    [states, spare] = [spare, states];
    if (!states.includes(1)) return false;
  }
  return states[2 * tokens.length] === 1;
}

/** Compiles a doublestar glob; throws on an unclosed `{` or too many alternatives. */
export function compileGlob(pattern: string): Glob {
  const { alternatives } = parse(pattern, 0, 0);
  return { test: (name) => alternatives.some((tokens) => matches(tokens, name)) };
}
