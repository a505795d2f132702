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
import { TOPICS, sinkWindowResults, type Scenario } from './types.ts';

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
