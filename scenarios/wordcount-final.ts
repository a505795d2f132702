/**
 * wordcount-final: wordcount's tumbling one-second counts per word with
 * 200 ms grace, emitting one final result per word and window instead of
 * every update: on Kafka Streams with `suppress(untilWindowCloses(unbounded()))`,
 * on Spark in append mode, on Flink as an event-time window without allowed
 * lateness. Judged by the window checks, and on Kafka Streams by
 * `ks.suppress`: each window's result is released once the suppress
 * operator's stream time reaches `end + grace`, and only once.
 *
 * Suppress waits for stream time, which only records move (an idle
 * partition emits nothing, K14.5), so the workload ends as tests of
 * suppress do: one flush record per repartition partition, far ahead in
 * event time, arriving after everything else. They close every window;
 * their own windows never close, and they are not input records the checks
 * account for (they are in no result, and only the schedule holds them).
 */
import { tumbling } from '../src/stream/assigners.ts';
import { generateWorkload, type Workload } from '../src/workload/generate.ts';
import { partitionForKey } from '../src/stream/partition.ts';
import type { InputRecord } from '../src/stream/records.ts';
import { toWindowResults } from '../src/engines/kstreams/dsl.ts';
import { countAggregate } from '../src/engines/flink/operators/aggregates.ts';
import { countWordsKStreams, countWordsSpark } from './wordcount.ts';
import { TOPICS, sinkWindowResults, type Scenario } from './types.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const GRACE_MS = 200;
const IDLE_MS = 1_000;
/** How far past the last record the flush records are, in event time and in arrival time. */
const FLUSH_AHEAD_MS = 10_000;
const FLUSH_AFTER_MS = 500;

/** Whether `key` is one of the flush records' keys. */
function isFlushKey(key: string): boolean {
  return key.startsWith(FLUSH_KEY);
}

const FLUSH_KEY = '~flush-';

/** Appends the flush records: one key per repartition partition (as many as the input has), on input partition 0, after the last arrival. */
export function withFlush(w: Workload, partitions: number): Workload {
  const maxTs = w.records.reduce((m, r) => Math.max(m, r.ts), 0);
  const lastAt = w.arrivals.reduce((m, a) => Math.max(m, a.atMs), 0);
  const flush: InputRecord[] = [];
  const covered = new Set<number>();
  for (let i = 0; covered.size < partitions; i++) {
    const key = `${FLUSH_KEY}${i}`;
    const p = partitionForKey(key, partitions);
    if (covered.has(p)) continue;
    covered.add(p);
    flush.push({ id: w.records.length + flush.length, ts: maxTs + FLUSH_AHEAD_MS, key, value: 0 });
  }
  return { ...w, arrivals: [...w.arrivals, { atMs: lastAt + FLUSH_AFTER_MS, partition: 0, records: flush }] };
}

/** wordcount's input with its flush records, the workload of the final-result scenarios (`flushPartitions`: how many partitions the flush keys must cover). */
export function finalCountsWorkload(rng: Parameters<Scenario['workload']>[0], s: Parameters<Scenario['workload']>[1], flushPartitions: number): Workload {
  return withFlush(generateWorkload(rng, {
    events: s.events,
    keys: s.keys,
    partitions: s.partitions,
    disorderBoundMs: BOUND_MS,
    stragglerRatio: [1, 100],
    stragglerExtraMs: 600,
    keySkew: true,
    edgeTimestamps: { windowSizeMs: WINDOW_MS, allowedLatenessMs: GRACE_MS },
  }), flushPartitions);
}

export const wordcountFinal: Scenario = {
  name: 'wordcount-final',
  summary: 'tumbling 1 s counts per word, 200 ms grace, one final result per window (Kafka Streams suppress, Spark append, Flink without allowed lateness)',
  defaults: { events: 2_000, parallelism: 2, partitions: 4, keys: 20 },
  window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: GRACE_MS },
  // Flink's final results: no allowed lateness (each window fires once), the grace in the watermark's delay.
  engineWindows: { flink: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: 0 } },
  workload: (rng, s) => finalCountsWorkload(rng, s, s.partitions),
  engines: {
    // Flink: an event-time window with no allowed lateness fires once, when the watermark passes its
    // end, and drops what comes later: Flink's "one final result per window". The watermark trails
    // by the source bound plus the grace, as Spark's; the partitions the flush records do not reach
    // go idle, so the watermark follows the flush past every window.
    flink: {
      build(env, s) {
        const words = env.fromLog('source', { topic: TOPICS.input, partitions: s.partitions, boundMs: BOUND_MS + GRACE_MS, idleTimeoutMs: IDLE_MS });
        // The flush records only move event time (Flink's sources end with the largest watermark
        // anyway); counted, they would fire windows of their own at the end.
        const counts = words
          .filter((r) => !isFlushKey(r.key))
          .keyBy((r) => r.key)
          .window(tumbling(WINDOW_MS))
          .sideOutputLateData('late')
          .aggregate(countAggregate, 'window');
        sinkWindowResults(counts, s.parallelism);
      },
    },
    kstreams: {
      build(builder) {
        toWindowResults(countWordsKStreams(builder, GRACE_MS).suppressUntilWindowCloses(), TOPICS.output);
      },
    },
    // Spark: append mode is Spark's "one final result per window": a window is written once, when
    // the watermark (max event time − bound − grace) passes its end. The flush records move it past
    // every window; their own windows never close.
    spark: {
      build: (spark) => countWordsSpark(spark, BOUND_MS + GRACE_MS, 'append'),
    },
  },
};
