/**
 * sessions: session windows (gap 500 ms) over user clicks, counted per
 * user, with allowed lateness so late clicks can merge sessions that have
 * already fired. Two partitions go idle early to exercise idleness.
 */
import { session } from '../src/stream/assigners.ts';
import { countAggregate } from '../src/engines/flink/operators/aggregates.ts';
import { generateWorkload } from '../src/workload/generate.ts';
import { toWindowResults } from '../src/engines/kstreams/dsl.ts';
import { SessionWindows } from '../src/engines/kstreams/windows.ts';
import { TOPICS, sinkWindowResults, type Scenario } from './types.ts';

const GAP_MS = 500;
const BOUND_MS = 50;
const IDLE_MS = 400;
const LATENESS_MS = 300;

export const sessions: Scenario = {
  name: 'sessions',
  summary: 'session windows (gap 500 ms) over clicks per user, merging, 300 ms allowed lateness, idle partitions',
  defaults: { events: 1_500, parallelism: 2, partitions: 4, keys: 30 },
  window: { assigner: session(GAP_MS), aggregate: 'count', allowedLatenessMs: LATENESS_MS },
  timeliness: { boundMs: BOUND_MS, idleTimeoutMs: IDLE_MS },
  workload: (rng, s) =>
    generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      eventRateMsPerRecord: 15,
      disorderBoundMs: BOUND_MS,
      stragglerRatio: [1, 60],
      stragglerExtraMs: 500,
      bursts: true,
      idlePartitions: 1,
    }),
  engines: {
    flink: {
      build(env, s) {
        // One source subtask per partition, so the idle partition's subtask goes idle as a whole; and a
        // filter chained to it (clicks without a user are dropped): the idleness must pass through the
        // filter, or the idle partition holds every session back.
        const clicks = env
          .fromLog('clicks', { topic: TOPICS.input, partitions: s.partitions, boundMs: BOUND_MS, idleTimeoutMs: IDLE_MS, parallelism: s.partitions })
          .filter((r) => r.key !== '', 'with-user');
        const perSession = clicks.keyBy((r) => r.key).window(session(GAP_MS)).allowedLateness(LATENESS_MS).sideOutputLateData('late').aggregate(countAggregate, 'sessions');
        sinkWindowResults(perSession, s.parallelism);
      },
    },
    // Kafka Streams: sessions with the same gap and the allowed lateness as grace. Kafka's merge rule
    // (a record joins every session within a gap of it, inclusive) is Flink's (touching proto-windows
    // [ts, ts + gap) merge), so the sessions are the same; toWindowResults writes [first, last] as
    // [first, last + gap). A record whose merged session ends before stream time - grace - gap is
    // dropped, which run.ts judges as late at the operator's stream time - 2 (see droppedByGrace).
    kstreams: {
      build(builder) {
        const perSession = builder
          .stream(TOPICS.input)
          .filter((_k, v) => (v as { key: string }).key !== '')
          .groupBy((_k, v) => (v as { key: string }).key)
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(GAP_MS, LATENESS_MS))
          .count({ name: 'sessions' });
        toWindowResults(perSession, TOPICS.output);
      },
    },
  },
};
