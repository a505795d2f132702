import { runScenario, type RunReport } from '../../src/explore/run.ts';
import type { RunSettings } from '../../src/explore/settings.ts';

/** Runs a scenario with defaults filled in; small sizes keep the suite fast. */
export function run(s: Partial<RunSettings> & { scenario: string; seed: number }): RunReport {
  return runScenario({ guarantee: 'exactly-once', faults: 'none', bugs: [], ...s });
}

export function failed(r: RunReport): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
}

export const SCENARIO_NAMES = ['wordcount', 'sessions', 'sliding-average', 'join', 'bank'] as const;
