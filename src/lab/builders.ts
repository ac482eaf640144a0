import { UserInputError } from '../errors.js';
import type { Builder } from './builder.js';
import { clusterBuilders } from './cluster-builders.js';
import { harborBuilders } from './harbor-builders.js';
import { operationsBuilders } from './operations-builders.js';
import type { Scenario, ScenarioStep } from './scenario-schema.js';
import { healthyWorld, type LabWorld } from './world.js';

/** Every builder a scenario file may name, by name. */
export const builders: Readonly<Record<string, Builder>> = Object.freeze({
  ...harborBuilders,
  ...clusterBuilders,
  ...operationsBuilders,
});

/** Applies one step; an unknown builder or bad parameters is a UserInputError naming the scenario. */
export function applyStep(world: LabWorld, step: ScenarioStep, scenario: string): void {
  const builder = builders[step.builder];
  if (!builder) {
    throw new UserInputError(
      `scenario ${scenario}: unknown step "${step.builder}"; valid: ${Object.keys(builders).join(', ')}`,
    );
  }
  const parsed = builder.params.safeParse(step.params);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
    throw new UserInputError(`scenario ${scenario}: step ${step.builder}: ${detail}`);
  }
  builder.apply(world, parsed.data);
}

/** The world a scenario describes: a healthy one with its steps applied in order, relative to `now`. */
export function buildWorld(scenario: Scenario, now: Date): LabWorld {
  const world = healthyWorld(now, scenario.release);
  for (const step of scenario.steps) applyStep(world, step, scenario.name);
  return world;
}
