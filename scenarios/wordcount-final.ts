/**
 * wordcount-final: wordcount's tumbling one-second counts per word with
 * 200 ms grace, on Kafka Streams only, emitting one final result per word
 * and window with `suppress(untilWindowCloses(unbounded()))` instead of
 * every update. Judged by the window checks and `ks.suppress`: each window's
 * result is released once the suppress operator's stream time reaches
 * `end + grace`, and only once.
 */
import { tumbling } from '../src/stream/assigners.ts';
import { generateWorkload } from '../src/workload/generate.ts';
import { toWindowResults } from '../src/engines/kstreams/dsl.ts';
import { TimeWindows } from '../src/engines/kstreams/windows.ts';
import { TOPICS, type Scenario } from './types.ts';

const WINDOW_MS = 1_000;
const BOUND_MS = 100;
const GRACE_MS = 200;

export const wordcountFinal: Scenario = {
  name: 'wordcount-final',
  summary: 'tumbling 1 s counts per word, 200 ms grace, one final result per window (Kafka Streams suppress)',
  defaults: { events: 2_000, parallelism: 2, partitions: 4, keys: 20 },
  window: { assigner: tumbling(WINDOW_MS), aggregate: 'count', allowedLatenessMs: GRACE_MS },
  workload: (rng, s) =>
    generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      disorderBoundMs: BOUND_MS,
      stragglerRatio: [1, 100],
      stragglerExtraMs: 600,
      keySkew: true,
      edgeTimestamps: { windowSizeMs: WINDOW_MS, allowedLatenessMs: GRACE_MS },
    }),
  engines: {
    kstreams: {
      build(builder) {
        const counts = builder
          .stream(TOPICS.input)
          .groupBy((_k, v) => (v as { key: string }).key)
          .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS))
          .count({ name: 'counts' })
          .suppressUntilWindowCloses();
        toWindowResults(counts, TOPICS.output);
      },
    },
  },
};
