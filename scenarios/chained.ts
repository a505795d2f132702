/**
 * chained: the wordcount pipeline as the middle job of a chain. Its input is
 * the output of an upstream job, written in transactions — about one batch
 * in five is first written in a transaction that aborts, then again in one
 * that commits — so the sources must read committed records only, each
 * once. Its output is read by a downstream read-committed consumer while the
 * job runs, so open, aborted and fenced transactions of the sink are seen
 * through the broker's Last Stable Offset, not only after everything settled.
 */
import { tumbling } from '../src/engine/windows/assigners.ts';
import { countAggregate } from '../src/engine/operators/aggregates.ts';
import { generateWorkload } from '../src/workload/generate.ts';
import { TOPICS, sinkWindowResults, type Scenario } from './types.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const LATENESS_MS = 200;

export const chained: Scenario = {
  name: 'chained',
  summary: 'wordcount between two jobs: transactional input with aborted batches, output read committed while the job runs',
  defaults: { events: 1_000, parallelism: 2, partitions: 2, keys: 20 },
  window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: LATENESS_MS },
  transactionalInput: { abortOneIn: 5 },
  readOutputDuringRun: true,
  workload: (rng, s) =>
    generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      disorderBoundMs: BOUND_MS,
      stragglerRatio: [1, 100],
      stragglerExtraMs: 600,
    }),
  build(env, s) {
    const words = env.fromLog('source', { topic: TOPICS.input, partitions: s.partitions, boundMs: BOUND_MS, idleTimeoutMs: 1_000 });
    const counts = words
      .keyBy((r) => r.key)
      .window(tumbling(WINDOW_MS))
      .allowedLateness(LATENESS_MS)
      .sideOutputLateData('late')
      .aggregate(countAggregate, 'window');
    sinkWindowResults(counts, s.parallelism);
  },
};
