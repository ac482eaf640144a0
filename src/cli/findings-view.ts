import { causes, isCause } from '../findings/causes.js';
import { countBySeverity, type Finding, type ProposedRemediation, type Report } from '../findings/finding.js';
import { displayWidth, labelled, padEnd, truncate, wrap } from './text-layout.js';
import { collapseUnreachable, summarizeHtml, type UnreachableTarget } from './unreachable.js';

export interface ViewOptions {
  /** Terminal columns to wrap at (default 100). */
  width?: number;
  /** Every evidence line, in full (`-o wide`, `--details`); default the first three, two lines at most each. */
  details?: boolean;
}

/** A labelled line under a row's head, wrapped; `maxLines` cuts it (with …) when it wraps further. */
interface Line {
  label: string;
  text: string;
  maxLines?: number;
  /** Columns further in than the other lines' text (a fix's details under its title). */
  indent?: number;
}

/** One row: its head (severity, target, resource), the title in full, and the labelled lines. */
interface Row {
  severity: string;
  target: string;
  resource: string;
  title: string;
  lines: Line[];
}

const firstEvidence = 3;
const labelWidth = 8;
const hiddenParams = new Set(['harbor', 'cluster', 'resourceVersion', 'uid', 'pods']);

function resourceName(f: Finding): string {
  return `${f.resource.kind}/${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`;
}

function causeInWords(code: string): string {
  return isCause(code) ? `${causes[code].description} (${code})` : code;
}

function showParam(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
  }
  return Array.isArray(value) ? `${value.length} item(s)` : String(value);
}

/** What a fix acts on, from its parameters: `cluster/lab: namespace harbor, deployment harbor-core, …`. */
export function actsOn(r: ProposedRemediation): string {
  const p = r.params;
  const where =
    typeof p.harbor === 'string' ? `harbor/${p.harbor}` : typeof p.cluster === 'string' ? `cluster/${p.cluster}` : '';
  const what = Object.entries(p)
    .filter(([k]) => !hiddenParams.has(k))
    .map(([k, v]) => `${k} ${showParam(v)}`)
    .join(', ');
  return [where, what].filter(Boolean).join(': ');
}

/** Two lines per fix: its title, then its id, risk and what it acts on; so two fixes never read alike. */
function fixLines(remediations: readonly ProposedRemediation[]): Line[] {
  return remediations.flatMap((r, i) => [
    { label: i === 0 ? 'fixes' : '', text: `${i + 1}. ${r.title}` },
    { label: '', text: `${r.id}, ${r.risk} risk, acts on ${actsOn(r) || 'the target'}`, indent: 3 },
  ]);
}

function evidenceLines(evidence: readonly string[], details: boolean | undefined): Line[] {
  const shown = details ? evidence : evidence.slice(0, firstEvidence);
  const lines: Line[] = shown.map((e, i) => ({
    label: i === 0 ? 'evidence' : '',
    text: details ? e : summarizeHtml(e),
    maxLines: details ? undefined : 2,
  }));
  const more = evidence.length - shown.length;
  if (more > 0) lines.push({ label: '', text: `… ${more} more (-o wide shows every line)` });
  return lines;
}

function findingRow(f: Finding, options: ViewOptions): Row {
  const lines: Line[] = [{ label: 'cause', text: causeInWords(f.cause) }];
  if (f.summary) lines.push({ label: 'summary', text: summarizeHtml(f.summary) });
  lines.push(...evidenceLines(f.evidence, options.details), ...fixLines(f.remediations));
  return { severity: f.severity, target: f.target, resource: resourceName(f), title: f.title, lines };
}

/** The one row of a target that could not be reached: what happened, what to do, what did not run. */
function unreachableRow(u: UnreachableTarget, options: ViewOptions): Row {
  const first = u.findings[0] as Finding;
  const evidence = options.details ? u.findings.flatMap((f) => f.evidence) : [u.request];
  const count = `${u.checks.length} check${u.checks.length === 1 ? '' : 's'}`;
  const lines: Line[] = [
    { label: 'cause', text: causeInWords('target-unreachable') },
    { label: 'advice', text: u.advice },
    ...evidenceLines(evidence, options.details),
    { label: 'not run', text: `${u.checks.join(', ')} (${count})` },
  ];
  return { severity: first.severity, target: u.target, resource: resourceName(first), title: u.title, lines };
}

function renderLine(line: Line, width: number): string[] {
  const out = labelled(2, line.label, labelWidth + (line.indent ?? 0), line.text, width);
  if (!line.maxLines || out.length <= line.maxLines) return out;
  const kept = out.slice(0, line.maxLines);
  kept[kept.length - 1] = `${truncate(kept[kept.length - 1] as string, width - 1)}…`.replace(/……$/, '…');
  return kept;
}

function renderRows(rows: Row[], width: number): string[] {
  const sw = Math.max(...rows.map((r) => displayWidth(r.severity)));
  const tw = Math.max(...rows.map((r) => displayWidth(r.target)));
  const out: string[] = [];
  for (const r of rows) {
    const head = `${padEnd(r.severity, sw)}  ${padEnd(r.target, tw)}  `;
    const hang = ' '.repeat(displayWidth(head));
    out.push(...wrap(r.resource, width - hang.length).map((l, i) => `${i === 0 ? head : hang}${l}`));
    out.push(...wrap(r.title, width - 2).map((l) => `  ${l}`));
    for (const line of r.lines) out.push(...renderLine(line, width));
    out.push('');
  }
  return out;
}

/**
 * The terminal view of `harbor-pilot check`: per finding its severity, target and resource, the
 * title in full (wrapped to `width`), the cause in words, the first evidence lines and each fix with
 * what it acts on. The fault findings of a target that could not be reached become one row.
 */
export function formatReport(report: Report, options: ViewOptions = {}): string {
  const width = Math.max(40, options.width ?? 100);
  const { unreachable, rest } = collapseUnreachable(report.findings);
  const rows = [...unreachable.map((u) => unreachableRow(u, options)), ...rest.map((f) => findingRow(f, options))];
  const lines = rows.length === 0 ? ['No findings.', ''] : renderRows(rows, width);
  const errors = report.checks.filter((c) => c.status === 'error').length;
  const n = countBySeverity(report.findings);
  const runs = `${report.checks.length} check run${report.checks.length === 1 ? '' : 's'}`;
  lines.push(
    ...wrap(
      `${runs}, ${errors} could not complete; ${n.critical} critical, ${n.warning} warning, ${n.info} info`,
      width,
    ),
  );
  return `${lines.join('\n')}\n`;
}
