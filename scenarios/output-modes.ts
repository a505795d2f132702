/**
 * The output modes (Spark only): one query — one-second counts per word
 * with a watermark 300 ms behind — in append, update and complete mode, as
 * three scenarios (`modes-append`, `modes-update`, `modes-complete`) over
 * the same workload, small enough to read: 10 words and stragglers; in
 * append mode it ends with wordcount-final's flush records far ahead in
 * event time, so that the last windows are written (update and complete
 * mode would write the flush records' own windows, which no check accounts
 * for).
 *
 * The sink is a careful `foreachBatch` that tags each result with its batch
 * id (`withColumn('batch', …)`) and writes it with `txnVersion = batchId`,
 * so `spark.output-mode` can judge each batch's results by the mode's rule:
 * append writes each window once, in the batch whose eviction watermark
 * passed its end, with its final count; update writes exactly the windows
 * the batch changed; complete writes the whole table every batch (and
 * filters no row as late). The window checks judge the counts as always.
 */
import { tumbling } from '../src/stream/assigners.ts';
import { generateWorkload, type Workload } from '../src/workload/generate.ts';
import type { OutputMode } from '../src/engines/spark/dsl.ts';
import { wordCountsSpark } from './wordcount.ts';
import { withFlush } from './wordcount-final.ts';
import { TOPICS, type Scenario, type ScenarioSizes } from './types.ts';
import type { Rng } from '../src/sim/rng.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const GRACE_MS = 200;

/**
 * The counting workload of the output-mode scenarios: tumbling-window counts with stragglers and
 * records at window edges; in append mode with flush records at the end, so every window closes.
 */
export function modeCounts(rng: Rng, s: ScenarioSizes, mode: OutputMode): Workload {
  const w = generateWorkload(rng, {
    events: s.events,
    keys: s.keys,
    partitions: s.partitions,
    disorderBoundMs: BOUND_MS,
    stragglerRatio: [1, 40],
    stragglerExtraMs: 600,
    edgeTimestamps: { windowSizeMs: WINDOW_MS, allowedLatenessMs: GRACE_MS },
  });
  return mode === 'append' ? withFlush(w, s.parallelism) : w;
}

function modeScenario(mode: OutputMode): Scenario {
  return {
    name: `modes-${mode}`,
    summary: `tumbling 1 s counts per word in ${mode} mode, each result tagged with its batch and judged by the mode's rule (Spark)`,
    defaults: { events: 600, parallelism: 2, partitions: 2, keys: 10 },
    window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: GRACE_MS },
    workload: (rng, s) => modeCounts(rng, s, mode),
    engines: {
      spark: {
        build: (spark) =>
          wordCountsSpark(spark, BOUND_MS + GRACE_MS)
            .writeStream()
            .foreachBatch((df, batchId) => {
              df.withColumn('batch', () => batchId).write.option('txnAppId', `modes-${mode}`).option('txnVersion', batchId).saveToTopic(TOPICS.output);
            })
            .outputMode(mode)
            .trigger({ processingTimeMs: 100 }),
      },
    },
  };
}

export const modesAppend = modeScenario('append');
export const modesUpdate = modeScenario('update');
export const modesComplete = modeScenario('complete');
