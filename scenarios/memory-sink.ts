/**
 * memory-sink: one-second counts per word (a watermark 300 ms behind) in
 * complete mode, written to Spark's memory sink as the table `counts` in the
 * driver's memory (`format('memory').queryName('counts')`; Spark only).
 *
 * Each batch replaces the table with the whole result so far, and a batch
 * whose id the table holds already is skipped. The table is not durable: a
 * driver crash loses it, and the restarted query — complete mode may recover
 * from its checkpoint — recreates it with its next batch. The checks judge
 * the table the driver holds when the run ends: the window checks as always,
 * and `spark.memory-sink` the batches added to it (once each, in order, each
 * before its `commits/N`) and the table itself, which must be the full
 * aggregate of the input (complete mode drops nothing as late).
 *
 * The same query in append or update mode cannot survive a driver crash at
 * all (Spark refuses to recover it from its checkpoint), so weir runs such a
 * query only under at-least-once.
 */
import { tumbling } from '../src/stream/assigners.ts';
import { generateWorkload } from '../src/workload/generate.ts';
import { wordCountsSpark } from './wordcount.ts';
import type { Scenario } from './types.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const GRACE_MS = 200;

export const memorySink: Scenario = {
  name: 'memory-sink',
  summary: 'tumbling 1 s counts per word in complete mode, kept as a table in the driver\'s memory (Spark memory sink)',
  defaults: { events: 600, parallelism: 2, partitions: 2, keys: 10 },
  window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: GRACE_MS },
  workload: (rng, s) =>
    generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      disorderBoundMs: BOUND_MS,
      stragglerRatio: [1, 40],
      stragglerExtraMs: 600,
      edgeTimestamps: { windowSizeMs: WINDOW_MS, allowedLatenessMs: GRACE_MS },
    }),
  engines: {
    spark: {
      build: (spark) => wordCountsSpark(spark, BOUND_MS + GRACE_MS).writeStream().format('memory').queryName('counts').outputMode('complete').trigger({ processingTimeMs: 100 }),
    },
  },
};
