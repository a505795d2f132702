/**
 * sliding-average: the average reading per sensor over sliding windows of
 * 2 s every 500 ms. A straggler can be too late for some of its windows but
 * not all: it joins the ones still open (Flink's rule) and the checker
 * accounts for each window separately.
 */
import { sliding } from '../src/stream/assigners.ts';
import { avgAggregate } from '../src/engines/flink/operators/aggregates.ts';
import { generateWorkload } from '../src/workload/generate.ts';
import { avg, window } from '../src/engines/spark/dsl.ts';
import { toWindowResults } from '../src/engines/kstreams/dsl.ts';
import type { Aggregation } from '../src/engines/kstreams/aggregate.ts';
import { TimeWindows } from '../src/engines/kstreams/windows.ts';
import { TOPICS, sinkWindowResults, type Scenario } from './types.ts';

/** Kafka Streams' average: the aggregate carries sum and count; the result is floor(sum / count), as the checker's `avg`. */
interface SumCount {
  sum: number;
  count: number;
}
const average: Aggregation<SumCount> = {
  initializer: () => ({ sum: 0, count: 0 }),
  aggregator: (_k, v, a) => ({ sum: a.sum + (v as { value: number }).value, count: a.count + 1 }),
};

const SIZE_MS = 2_000;
const SLIDE_MS = 500;
const BOUND_MS = 80;
const IDLE_MS = 1_000;
const LATENESS_MS = 100;

export const slidingAverage: Scenario = {
  name: 'sliding-average',
  summary: 'average per sensor over sliding 2 s windows every 500 ms, 100 ms allowed lateness',
  defaults: { events: 1_500, parallelism: 2, partitions: 3, keys: 8 },
  window: { assigner: sliding(SIZE_MS, SLIDE_MS), aggregate: 'avg', allowedLatenessMs: LATENESS_MS },
  timeliness: { boundMs: BOUND_MS, idleTimeoutMs: IDLE_MS },
  workload: (rng, s) =>
    generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      disorderBoundMs: BOUND_MS,
      stragglerRatio: [1, 40],
      stragglerExtraMs: 1_200,
      edgeTimestamps: { windowSizeMs: SLIDE_MS, allowedLatenessMs: LATENESS_MS },
    }),
  engines: {
    flink: {
      build(env, s) {
        const readings = env.fromLog('sensors', { topic: TOPICS.input, partitions: s.partitions, boundMs: BOUND_MS, idleTimeoutMs: IDLE_MS });
        const avg = readings.keyBy((r) => r.key).window(sliding(SIZE_MS, SLIDE_MS)).allowedLateness(LATENESS_MS).sideOutputLateData('late').aggregate(avgAggregate, 'window');
        sinkWindowResults(avg, s.parallelism);
      },
    },
    // Kafka Streams: hopping windows of 2 s advancing by 500 ms, the allowed lateness as grace. Kafka
    // has no windows with negative starts, so the first records belong to fewer windows than Flink's.
    kstreams: {
      build(builder) {
        const avg = builder
          .stream(TOPICS.input)
          .groupBy((_k, v) => (v as { key: string }).key)
          .windowedBy(TimeWindows.ofSizeAndGrace(SIZE_MS, LATENESS_MS).advanceBy(SLIDE_MS))
          .aggregate(average as Aggregation, { name: 'averages' });
        toWindowResults(avg, TOPICS.output, (a) => Math.floor((a as SumCount).sum / (a as SumCount).count));
      },
    },
    // Spark: the same sliding windows, update mode, a watermark trailing by the bound plus the lateness.
    spark: {
      build: (spark) =>
        spark
          .readStream(TOPICS.input, { isolation: 'read_committed' })
          .withWatermark('ts', BOUND_MS + LATENESS_MS)
          .groupBy(window('ts', SIZE_MS, SLIDE_MS), 'key')
          .agg(avg('value'))
          .writeStream(TOPICS.output)
          .outputMode('update')
          .trigger({ processingTimeMs: 100 }),
    },
  },
};
