/**
 * foreach-batch: wordcount's tumbling one-second counts per word (update
 * mode: every changed window each batch), written by a `foreachBatch`
 * function (Spark only), which Spark calls again with the same batch id and
 * rows when a batch runs again after a restart.
 *
 * Under exactly-once the function is the careful one: it writes the batch
 * with the idempotent-write options, `txnAppId` and `txnVersion = batchId`,
 * in one transaction that records the version, skipped when the version is
 * recorded already. Under at-least-once it is the careless one: it writes
 * the rows as they are, and a batch that runs again is written twice — the
 * exactly-once check catches the duplicates.
 */
import { tumbling } from '../src/stream/assigners.ts';
import { generateWorkload } from '../src/workload/generate.ts';
import type { ForeachBatchFn } from '../src/engines/spark/dsl.ts';
import { wordCountsSpark } from './wordcount.ts';
import { TOPICS, type Scenario } from './types.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const LATENESS_MS = 200;

/** Uses the batch id: a batch written before is skipped, by the version its transaction recorded. */
export const carefulWrite: ForeachBatchFn = (df, batchId) => {
  df.write.option('txnAppId', 'wordcount').option('txnVersion', batchId).saveToTopic(TOPICS.output);
};

/** Ignores the batch id: a batch that runs again is written again. */
export const carelessWrite: ForeachBatchFn = (df) => {
  df.write.saveToTopic(TOPICS.output);
};

export const foreachBatch: Scenario = {
  name: 'foreach-batch',
  summary: 'tumbling 1 s counts per word written by foreachBatch: careful (txnVersion = batchId) under exactly-once, careless under at-least-once (Spark)',
  defaults: { events: 2_000, parallelism: 2, partitions: 4, keys: 20 },
  window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: LATENESS_MS },
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
    spark: {
      build: (spark, _sizes, { guarantee }) =>
        wordCountsSpark(spark, BOUND_MS + LATENESS_MS).writeStream().foreachBatch(guarantee === 'exactly-once' ? carefulWrite : carelessWrite).outputMode('update').trigger({ processingTimeMs: 100 }),
    },
  },
};
