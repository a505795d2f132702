/**
 * The memory sink (Spark only): one-second counts per word (a watermark
 * 300 ms behind) written to Spark's memory sink, as the table `counts` in
 * the driver's memory (`format('memory').queryName('counts')`), in two
 * scenarios over one workload (10 words and stragglers):
 *
 * - `memory-sink`, complete mode: each batch replaces the table with the
 *   whole result so far. The table is not durable: a driver crash loses it,
 *   and the restarted query — complete mode may recover from its checkpoint —
 *   recreates it with its next batch. Exactly-once.
 * - `memory-append`, append mode: each batch appends the windows the
 *   watermark closed (the workload ends with wordcount-final's far-future
 *   flush records, so every window closes). Spark refuses to recover such a
 *   query from its checkpoint after a driver crash, so the rows before it
 *   are gone for good: weir runs it only under at-least-once, and a seed
 *   whose faults crash the driver fails.
 *
 * The checks judge the table the driver holds when the run ends: the window
 * checks as always, and `spark.memory-sink` the batches added to it (once
 * each, in order, each before its `commits/N`) and the table itself (in
 * complete mode the full aggregate of the input, which complete mode
 * computes without dropping anything as late).
 */
import { tumbling } from '../src/stream/assigners.ts';
import type { OutputMode } from '../src/engines/spark/dsl.ts';
import { wordCountsSpark } from './wordcount.ts';
import { modeCounts } from './output-modes.ts';
import type { Scenario } from './types.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const GRACE_MS = 200;

function memoryScenario(name: string, mode: OutputMode, summary: string): Scenario {
  return {
    name,
    summary,
    defaults: { events: 600, parallelism: 2, partitions: 2, keys: 10 },
    window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: GRACE_MS },
    workload: (rng, s) => modeCounts(rng, s, mode),
    engines: {
      spark: {
        build: (spark) => wordCountsSpark(spark, BOUND_MS + GRACE_MS).writeStream().format('memory').queryName('counts').outputMode(mode).trigger({ processingTimeMs: 100 }),
      },
    },
  };
}

export const memorySink = memoryScenario('memory-sink', 'complete', 'tumbling 1 s counts per word in complete mode, kept as a table in the driver\'s memory (Spark memory sink)');
export const memoryAppend = memoryScenario('memory-append', 'append', 'the same counts in append mode: a driver crash loses the table, so at-least-once only (Spark memory sink)');
