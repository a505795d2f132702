/**
 * chained: the wordcount pipeline as the middle job of a chain. Its input is
 * the output of an upstream job, written in transactions — about one batch
 * in five is first written in a transaction that aborts, then again in one
 * that commits — so the sources must read committed records only, each
 * once. Its output is read by a downstream read-committed consumer while the
 * job runs, so open, aborted and fenced transactions of the sink are seen
 * through the broker's Last Stable Offset, not only after everything settled.
 * (No timeliness judge: records become visible at their commit, not when the
 * log appends them.)
 */
import { wordcount } from './wordcount.ts';
import type { Scenario } from './types.ts';

const { timeliness: _timeliness, ...pipeline } = wordcount;

export const chained: Scenario = {
  ...pipeline,
  name: 'chained',
  summary: 'wordcount between two jobs: transactional input with aborted batches, output read committed while the job runs',
  defaults: { events: 1_000, parallelism: 2, partitions: 2, keys: 20 },
  transactionalInput: { abortOneIn: 5 },
  readOutputDuringRun: true,
};
