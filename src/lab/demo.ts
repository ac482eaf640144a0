import type { Registry } from '../checks/registry.js';
import { formatReport } from '../cli/findings-view.js';
import { formatPreflight } from '../cli/preflight-view.js';
import type { Logger } from '../log.js';
import { evaluateScenario, type ScenarioOutcome } from './evaluate.js';
import { labTarget, startLab } from './lab.js';
import type { Scenario } from './scenario-schema.js';

export interface DemoOptions {
  scenarios: readonly Scenario[];
  registry: Registry;
  log: Logger;
  out: NodeJS.WritableStream;
  port?: number;
}

function modeLabel(s: Scenario): string {
  return s.mode === 'healthy' ? 'healthy' : s.mode === 'common' ? 'common' : `mode ${s.mode}`;
}

/** Wraps prose at `width` columns (the scenario descriptions are single folded lines). */
export function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** The block printed for one scenario: what it is, the findings table, preflight, the verdict. */
export function formatOutcome(o: ScenarioOutcome): string {
  const s = o.scenario;
  const lines = [
    `=== ${s.name} (${modeLabel(s)}): ${s.title}`,
    wrap(s.description),
    '',
    formatReport(o.report).trimEnd(),
  ];
  if (o.preflight && s.preflight) {
    lines.push(
      '',
      `preflight --to ${s.preflight.to}:`,
      formatPreflight(o.preflight, { harbor: labTarget, cluster: labTarget, to: s.preflight.to }).trimEnd(),
    );
  }
  lines.push('', verdict(o), '', '');
  return lines.join('\n');
}

function verdict(o: ScenarioOutcome): string {
  const parts: string[] = [];
  if (o.scenario.mode === 'healthy')
    parts.push(
      o.loud.length === 0
        ? 'nothing at warning or above, as it should be'
        : `UNEXPECTED: ${o.loud.length} findings at warning or above`,
    );
  if (o.found.length > 0) parts.push(`found ${o.found.join(', ')}`);
  if (o.missing.length > 0) parts.push(`MISSING ${o.missing.join(', ')}`);
  if (o.preflight)
    parts.push(
      o.preflightWrong.length === 0
        ? 'preflight gates as expected'
        : `preflight UNEXPECTED: ${o.preflightWrong.join(', ')}`,
    );
  return `${o.ok ? 'ok' : 'NOT OK'}: ${parts.join('; ') || 'no expectations'}`;
}

/** The closing summary: one line per scenario, then which failure modes were found. */
export function formatSummary(outcomes: readonly ScenarioOutcome[]): string {
  const width = Math.max(...outcomes.map((o) => o.scenario.name.length));
  const lines = [
    'Summary',
    ...outcomes.map(
      (o) =>
        `  ${o.ok ? 'ok    ' : 'NOT OK'}  ${o.scenario.name.padEnd(width)}  ${modeLabel(o.scenario).padEnd(8)}  ` +
        `${verdict(o).replace(/^(ok|NOT OK): /, '')}`,
    ),
  ];
  const seeded = [
    ...new Set(
      outcomes
        .filter((o) => o.scenario.expect.causes.length > 0 && /^[A-G]/.test(o.scenario.mode))
        .map((o) => o.scenario.mode),
    ),
  ].sort();
  const missed = [
    ...new Set(
      outcomes.filter((o) => o.missing.length > 0 && /^[A-G]/.test(o.scenario.mode)).map((o) => o.scenario.mode),
    ),
  ].sort();
  const found = seeded.filter((m) => !missed.includes(m));
  lines.push(
    '',
    `Failure modes found: ${found.join(', ') || 'none'} (of ${seeded.join(', ') || 'none'} ` +
      `seeded).${missed.length ? ` Not found: ${missed.join(', ')}.` : ''}`,
  );
  const healthy = outcomes.find((o) => o.scenario.mode === 'healthy');
  if (healthy)
    lines.push(
      healthy.loud.length === 0
        ? 'Healthy scenario: no findings at warning or above.'
        : `Healthy scenario: ${healthy.loud.length} findings at warning or above (false alarms).`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * `harbor-pilot lab --demo`: one lab, every scenario in turn, every check in-process; prints a
 * findings table per scenario and a summary. Exit 0 when every scenario met its expectations.
 */
export async function runDemo(options: DemoOptions): Promise<{ outcomes: ScenarioOutcome[]; exitCode: number }> {
  const [first] = options.scenarios;
  if (!first) throw new Error('no scenarios to run');
  const lab = await startLab({ scenario: first, port: options.port });
  const outcomes: ScenarioOutcome[] = [];
  try {
    options.out.write(
      `Incident lab demo: ${options.scenarios.length} scenarios, simulated Harbor ${lab.harbor.url} and ` +
        `Kubernetes API ${lab.kube.url}\n\n`,
    );
    for (const s of options.scenarios) {
      const outcome = await evaluateScenario(lab, s, options.registry, options.log);
      outcomes.push(outcome);
      options.out.write(formatOutcome(outcome));
    }
  } finally {
    await lab.close();
  }
  options.out.write(formatSummary(outcomes));
  return { outcomes, exitCode: outcomes.every((o) => o.ok) ? 0 : 1 };
}
