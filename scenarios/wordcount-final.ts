/**
 * wordcount-final: wordcount's tumbling one-second counts per word with
 * 200 ms grace, on Kafka Streams only, emitting one final result per word
 * and window with `suppress(untilWindowCloses(unbounded()))` instead of
 * every update. Judged by the window checks and `ks.suppress`: each window's
 * result is released once the suppress operator's stream time reaches
 * `end + grace`, and only once.
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
import { countWordsKStreams, countWordsSpark } from './wordcount.ts';
import { TOPICS, type Scenario } from './types.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const GRACE_MS = 200;
/** How far past the last record the flush records are, in event time and in arrival time. */
const FLUSH_AHEAD_MS = 10_000;
const FLUSH_AFTER_MS = 500;

/** Appends the flush records: one key per repartition partition (as many as the input has), on input partition 0, after the last arrival. */
export function withFlush(w: Workload, partitions: number): Workload {
  const maxTs = w.records.reduce((m, r) => Math.max(m, r.ts), 0);
  const lastAt = w.arrivals.reduce((m, a) => Math.max(m, a.atMs), 0);
  const flush: InputRecord[] = [];
  const covered = new Set<number>();
  for (let i = 0; covered.size < partitions; i++) {
    const key = `~flush-${i}`;
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
  summary: 'tumbling 1 s counts per word, 200 ms grace, one final result per window (Kafka Streams suppress, Spark append)',
  defaults: { events: 2_000, parallelism: 2, partitions: 4, keys: 20 },
  window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: GRACE_MS },
  workload: (rng, s) => finalCountsWorkload(rng, s, s.partitions),
  engines: {
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
