/**
 * wordcount: tumbling one-second counts per word. Records are words with
 * bounded disorder and a few stragglers; late records go to the side output.
 */
import { tumbling } from '../src/stream/assigners.ts';
import { countAggregate } from '../src/engines/flink/operators/aggregates.ts';
import { generateWorkload } from '../src/workload/generate.ts';
import { toWindowResults, type KTable, type StreamsBuilder } from '../src/engines/kstreams/dsl.ts';
import { TimeWindows } from '../src/engines/kstreams/windows.ts';
import type { EmitStrategy } from '../src/engines/kstreams/aggregate.ts';
import { count, window, type DataStreamWriter, type OutputMode, type StreamingDataFrame, type spark as SparkEntry } from '../src/engines/spark/dsl.ts';

type SparkSession = typeof SparkEntry;
import { TOPICS, sinkWindowResults, type Scenario } from './types.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const IDLE_MS = 1_000;
const LATENESS_MS = 200;

export const wordcount: Scenario = {
  name: 'wordcount',
  summary: 'tumbling 1 s counts per word, 200 ms allowed lateness, late side output',
  defaults: { events: 2_000, parallelism: 2, partitions: 4, keys: 20 },
  window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: LATENESS_MS },
  timeliness: { boundMs: BOUND_MS, idleTimeoutMs: IDLE_MS },
  workload: (rng, s) =>
    generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      disorderBoundMs: BOUND_MS,
      stragglerRatio: [1, 100],
      stragglerExtraMs: 600,
      keySkew: true,
      edgeTimestamps: { windowSizeMs: WINDOW_MS, allowedLatenessMs: LATENESS_MS },
    }),
  engines: {
    flink: {
      build(env, s) {
        const words = env.fromLog('source', { topic: TOPICS.input, partitions: s.partitions, boundMs: BOUND_MS, idleTimeoutMs: IDLE_MS });
        const counts = words
          .keyBy((r) => r.key)
          .window(tumbling(WINDOW_MS))
          .allowedLateness(LATENESS_MS)
          .sideOutputLateData('late')
          .aggregate(countAggregate, 'window');
        sinkWindowResults(counts, s.parallelism);
      },
    },
    // Kafka Streams: the input is not partitioned by word, so groupBy re-keys and repartitions;
    // allowed lateness becomes grace.
    kstreams: {
      build(builder) {
        toWindowResults(countWordsKStreams(builder, LATENESS_MS), TOPICS.output);
      },
    },
    // Spark: update mode (each batch writes the windows it changed; append would hold the last
    // windows until a watermark past them, which a finite input never brings). The watermark
    // delay is the allowed lateness plus the source bound, as Flink's watermark trails by both;
    // the input is read committed (kafka.isolation.level).
    spark: {
      build: (spark) => countWordsSpark(spark, BOUND_MS + LATENESS_MS, 'update'),
    },
  },
};

/** wordcount on Kafka Streams: re-keyed by word (a repartition), one-second windows with `graceMs`, counted into the store `counts`, emitting every update (the default) or on window close. */
export function countWordsKStreams(builder: StreamsBuilder, graceMs: number, emit: EmitStrategy = 'on-window-update'): KTable {
  return builder
    .stream(TOPICS.input)
    .groupBy((_k, v) => (v as { key: string }).key)
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, graceMs))
    .emitStrategy(emit)
    .count({ name: 'counts' });
}

/** wordcount on Spark: the input read committed, one-second windows counted with a watermark `delayMs` behind, in `mode`. */
export function countWordsSpark(spark: SparkSession, delayMs: number, mode: OutputMode): DataStreamWriter {
  return wordCountsSpark(spark, delayMs).writeStream(TOPICS.output).outputMode(mode).trigger({ processingTimeMs: 100 });
}

/** wordcount's streaming DataFrame on Spark, before its sink: one-second windows counted with a watermark `delayMs` behind. */
export function wordCountsSpark(spark: SparkSession, delayMs: number): StreamingDataFrame {
  return spark
    .readStream(TOPICS.input, { isolation: 'read_committed' })
    .withWatermark('ts', delayMs)
    .groupBy(window('ts', WINDOW_MS), 'key')
    .agg(count());
}
