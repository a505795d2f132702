import { bank } from '../../scenarios/bank.ts';
import { generateTransfers } from '../../src/workload/bank.ts';
import type { Scenario } from '../../scenarios/types.ts';
import { runScenario, type RunOptions, type RunReport } from '../../src/explore/run.ts';
import type { RunSettings } from '../../src/explore/settings.ts';

/** Runs a scenario with defaults filled in; small sizes keep the suite fast. */
export function run(s: Partial<RunSettings> & { scenario: string; seed: number }, opts: RunOptions = {}): RunReport {
  return runScenario({ guarantee: 'exactly-once', faults: 'none', bugs: [], ...s }, opts);
}

export function failed(r: RunReport): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
}

export const SCENARIO_NAMES = ['wordcount', 'sessions', 'sliding-average', 'join', 'bank', 'chained'] as const;


/**
 * `bank` over a dense stream (20 transfers share each of ~1 ms steps), so
 * records are in flight on every channel when barriers pass: a missing
 * alignment shows up in the checkpointed state.
 */
export const denseBank: Scenario = {
  ...bank,
  workload: (rng, s) => generateTransfers(rng, { events: s.events, accounts: s.keys, partitions: s.partitions, initialBalance: 1_000, recordsPerStep: 20, eventRateMsPerRecord: 1 }),
};

/** bank with its sink subtasks behind a rebalance edge: the balances tasks send them barriers and cancellation markers. */
export const bankSinkApart: Scenario = {
  ...bank,
  name: 'bank-sink-apart',
  engines: {
    flink: {
      ...bank.engines.flink!,
      build(env, s) {
        bank.engines.flink!.build(env, s);
        const sink = env.graph.nodes.find((n) => n.name === 'sink')!;
        sink.inputs[0]!.partitioning = 'rebalance';
      },
    },
  },
};
