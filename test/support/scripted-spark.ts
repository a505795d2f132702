/**
 * A Spark scenario over a fixed handful of records for engine tests: every
 * record arrives at 10 ms on the one input partition and the query starts
 * at 300 ms, so the whole input is in the log before the first batch
 * (parallelism 1, one partition).
 */
import type { Scenario } from '../../scenarios/types.ts';
import type { InputRecord } from '../../src/stream/records.ts';

type SparkBuild = NonNullable<Scenario['engines']['spark']>['build'];

export function scriptedSpark(name: string, records: InputRecord[], build: SparkBuild, opts: { keys?: number; activeArrivalGapMsMax?: number } = {}): Scenario {
  return {
    name,
    summary: `${name} test`,
    defaults: { events: records.length, parallelism: 1, partitions: 1, keys: opts.keys ?? 1 },
    workload: () => ({ records, arrivals: [{ atMs: 10, partition: 0, records }], canBeLate: true, idlePartitions: [], activeArrivalGapMsMax: opts.activeArrivalGapMsMax ?? 500 }),
    engines: { spark: { startAtMs: 300, build } },
  };
}
