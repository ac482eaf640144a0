import type { Finding } from '../findings/finding.js';
import type { GateResult, PreflightRequest, PreflightResult } from '../preflight/run-preflight.js';
import { padEnd, wrap } from './text-layout.js';
import { describeFault, isTargetFault, summarizeHtml } from './unreachable.js';

/** What a failed gate's line says: the failing finding's title, or why the gate could not be evaluated. */
function failReason(g: GateResult): { reason: string; advice: string } {
  const f = g.finding as Finding;
  if (g.faulted && isTargetFault(f)) {
    const fault = describeFault(f);
    return { reason: `not evaluated: ${g.target} ${fault.happened}`, advice: fault.advice };
  }
  if (g.faulted) return { reason: `not evaluated: ${summarizeHtml(f.title)}`, advice: summarizeHtml(f.summary) };
  return { reason: f.title, advice: f.summary };
}

/**
 * One line per gate, `PASS  image-source  reason` or `FAIL  gate  what failed`, each failure
 * followed by what to do (wrapped to `width`), then the verdict.
 */
export function formatPreflight(result: PreflightResult, target: PreflightRequest, width = 100): string {
  const w = Math.max(...result.gates.map((g) => g.gate.length));
  const lines: string[] = [];
  for (const g of result.gates) {
    if (g.pass) {
      lines.push(`PASS  ${padEnd(g.gate, w)}  ${g.reason}`);
      continue;
    }
    const { reason, advice } = failReason(g);
    lines.push(`FAIL  ${padEnd(g.gate, w)}  ${reason}`);
    const indent = ' '.repeat(w + 8);
    if (advice) lines.push(...wrap(advice, width - indent.length).map((l) => `${indent}${l}`));
  }
  const failed = result.gates.filter((g) => !g.pass).length;
  const what = `Upgrade of harbor/${target.harbor} on cluster/${target.cluster} to ${result.to}`;
  lines.push(
    '',
    failed === 0
      ? `${what}: every gate passed.`
      : `${what}: ${failed} of ${result.gates.length} gates failed; do not upgrade yet.`,
  );
  return `${lines.join('\n')}\n`;
}
