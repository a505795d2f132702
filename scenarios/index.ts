/** The scenarios weir ships, by name. */
import type { Scenario } from './types.ts';
import { wordcount } from './wordcount.ts';

export const SCENARIOS: readonly Scenario[] = [wordcount];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export type { Scenario, ScenarioSizes, CheckInput } from './types.ts';
