import { createClientSet } from '../checks/clients.js';
import type { Registry } from '../checks/registry.js';
import { planChecks, runPlan } from '../checks/runner.js';
import type { Config } from '../config.js';
import { severityOrder, type Finding, type Report } from '../findings/finding.js';
import type { Logger } from '../log.js';
import { runPreflight, type PreflightResult } from '../preflight/run-preflight.js';
import { listTargets } from '../targets.js';
import { labTarget, type Lab } from './lab.js';
import type { Scenario } from './scenario-schema.js';

/** What running the checks (and preflight, where the scenario asks for it) on a scenario showed. */
export interface ScenarioOutcome {
  scenario: Scenario;
  report: Report;
  /** Expected causes the checks reported, and those they did not. */
  found: string[];
  missing: string[];
  /** Findings at warning or above on the healthy scenario (there must be none). */
  loud: Finding[];
  preflight?: PreflightResult;
  /** Gates that should have failed and passed, or should have passed and failed. */
  preflightWrong: string[];
  ok: boolean;
}

/** Runs every check of `registry` that applies (or only `ids`) against everything `config` names. */
export async function runAllChecks(config: Config, registry: Registry, log: Logger, ids?: string[]): Promise<Report> {
  const plan = planChecks(registry, config, { ids }, listTargets(config));
  const { runs: _runs, ...report } = await runPlan(plan, { config, clients: createClientSet(config, { log }), log });
  return report;
}

/** Serves `scenario` in `lab`, runs the checks and preflight, and compares with what the scenario expects. */
export async function evaluateScenario(
  lab: Lab,
  scenario: Scenario,
  registry: Registry,
  log: Logger,
): Promise<ScenarioOutcome> {
  lab.load(scenario);
  const report = await runAllChecks(lab.config, registry, log);
  const causes = new Set(report.findings.map((f) => f.cause));
  const found = scenario.expect.causes.filter((c) => causes.has(c));
  const missing = scenario.expect.causes.filter((c) => !causes.has(c));
  const loud =
    scenario.mode === 'healthy'
      ? report.findings.filter((f) => severityOrder[f.severity] <= severityOrder.warning)
      : [];
  let preflight: PreflightResult | undefined;
  const preflightWrong: string[] = [];
  if (scenario.preflight) {
    const deps = { config: lab.config, clients: createClientSet(lab.config, { log }), log };
    preflight = await runPreflight(deps, { harbor: labTarget, cluster: labTarget, to: scenario.preflight.to });
    for (const g of preflight.gates) {
      const shouldFail = scenario.preflight.fail.includes(g.gate);
      if (shouldFail === g.pass) preflightWrong.push(`${g.gate} ${g.pass ? 'passed' : 'failed'}`);
    }
  }
  return {
    scenario,
    report,
    found,
    missing,
    loud,
    preflight,
    preflightWrong,
    ok: missing.length === 0 && loud.length === 0 && preflightWrong.length === 0,
  };
}
