/**
 * What a command checks about a run before it prints anything or starts the
 * run, so that bad input is one line on stderr and nothing else:
 *
 * - the sizes: the scenario's workload generator is asked for a workload of
 *   these sizes with no events, which checks the keys, partitions and the
 *   like (a token with `keys: 1` on bank) without generating anything;
 * - the memory: the estimate for the run's size and engine (memory.ts)
 *   against the memory this process may use.
 *
 * Both throw a UsageError. A run that passes and is large gets V8's heap
 * growth bounded for it (memory.ts, boundHeapGrowth).
 */
import { admitRuns, type MemoryUse } from './memory.ts';
import { UsageError } from './usage-error.ts';
import type { RunSettings } from '../explore/settings.ts';
import type { Scenario } from '../../scenarios/index.ts';

export interface Preflight {
  /** How the command holds the run (memory.ts). */
  use: MemoryUse;
  /** The run comes from a repro token. */
  fromToken: boolean;
  /** Runs held at once (weir replay side by side). Default 1. */
  runs?: number;
}

/** Throws the UsageError for sizes the scenario refuses, or a run that would not fit in memory. */
export async function preflight(scenario: Scenario, settings: RunSettings, how: Preflight): Promise<void> {
  const ask = {
    scenario: scenario.name,
    engine: settings.engine ?? 'flink',
    events: eventsOf(scenario, settings),
    parallelism: settings.parallelism ?? scenario.defaults.parallelism,
    use: how.use,
    fromToken: how.fromToken,
    ...(how.runs !== undefined ? { runs: how.runs } : {}),
  };
  const problem = (await sizeProblem(scenario, settings)) ?? admitRuns(ask);
  if (problem !== undefined) throw new UsageError(how.fromToken ? `the repro token cannot run here: ${problem}` : problem);
}

/** The input events of a run: the settings', or the scenario's default. */
export function eventsOf(scenario: Scenario, settings: Pick<RunSettings, 'events'>): number {
  return settings.events ?? scenario.defaults.events;
}

/** Why the scenario's workload cannot have these sizes, or undefined. */
export async function sizeProblem(scenario: Scenario, settings: RunSettings): Promise<string | undefined> {
  const [{ sizesOf }, { rootRng }] = await Promise.all([import('../explore/run.ts'), import('../sim/rng.ts')]);
  try {
    scenario.workload(rootRng(settings.seed).fork('workload'), { ...sizesOf(scenario, settings), events: 0 });
  } catch (e) {
    if (e instanceof RangeError) return `scenario ${scenario.name} cannot run with these sizes: ${e.message}`;
    throw e;
  }
  return undefined;
}
