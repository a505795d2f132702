/**
 * file-sink: wordcount-final's tumbling one-second counts per word (200 ms
 * grace, a watermark 300 ms behind), in append mode — one final result per
 * window — written by Spark's file sink (Spark only): each batch's results
 * as JSON-lines part files under `out/`, one per task attempt, and the list
 * of the valid ones in `out/_spark_metadata/N`, written once after every
 * task of batch N finished and before `commits/N`. A batch that runs again
 * after a restart and finds itself in the metadata log is skipped whole.
 *
 * The output the checks judge is what a reader of the directory sees:
 * through `_spark_metadata` (so files of attempts that failed or of a batch
 * written twice are invisible), or every part file when the directory has
 * no metadata log. Exactly-once holds for metadata readers under either
 * guarantee. The workload ends with wordcount-final's far-future flush
 * records, which close every window.
 */
import { tumbling } from '../src/stream/assigners.ts';
import { wordCountsSpark } from './wordcount.ts';
import { finalCountsWorkload } from './wordcount-final.ts';
import type { Scenario } from './types.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const GRACE_MS = 200;

export const fileSink: Scenario = {
  name: 'file-sink',
  summary: 'tumbling 1 s counts per word in append mode, written as files listed in _spark_metadata (Spark file sink)',
  defaults: { events: 2_000, parallelism: 2, partitions: 4, keys: 20 },
  window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: GRACE_MS },
  workload: (rng, s) => finalCountsWorkload(rng, s, s.parallelism),
  engines: {
    spark: {
      build: (spark) => wordCountsSpark(spark, BOUND_MS + GRACE_MS).writeStream().format('json').option('path', 'out').outputMode('append').trigger({ processingTimeMs: 100 }),
    },
  },
};
