import type { Finding, Report } from '../findings/finding.js';

const widths = { severity: 8, target: 16, resource: 34, title: 60 };

function cell(text: string, width: number): string {
  const t = text.replace(/\s+/g, ' ');
  return t.length > width ? `${t.slice(0, width - 1)}…` : t.padEnd(width);
}

function resourceName(f: Finding): string {
  return `${f.resource.kind}/${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`;
}

/** The readable default output of `harbor-pilot check`. */
export function formatReport(report: Report): string {
  const lines: string[] = [];
  if (report.findings.length === 0) {
    lines.push('No findings.');
  } else {
    lines.push(
      [
        cell('SEVERITY', widths.severity),
        cell('TARGET', widths.target),
        cell('RESOURCE', widths.resource),
        cell('TITLE', widths.title),
        'PROPOSED FIXES',
      ].join('  '),
    );
    for (const f of report.findings) {
      const fixes = f.remediations.map((r) => r.id).join(', ') || '-';
      lines.push(
        [
          cell(f.severity, widths.severity),
          cell(f.target, widths.target),
          cell(resourceName(f), widths.resource),
          cell(f.title, widths.title),
          fixes,
        ].join('  '),
      );
    }
  }
  const errors = report.checks.filter((c) => c.status === 'error');
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of report.findings) counts[f.severity] += 1;
  lines.push('');
  lines.push(
    `${report.checks.length} check run${report.checks.length === 1 ? '' : 's'}, ${errors.length} could not complete; ` +
      `${counts.critical} critical, ${counts.warning} warning, ${counts.info} info`,
  );
  return `${lines.join('\n')}\n`;
}
