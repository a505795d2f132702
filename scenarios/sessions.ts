/**
 * sessions: session windows (gap 500 ms) over user clicks, counted per
 * user, with allowed lateness so late clicks can merge sessions that have
 * already fired. Two partitions go idle early to exercise idleness.
 *
 * The input ends as Spark's session tests end (StreamingSessionWindowSuite
 * adds a far-future row to move the watermark): one click without a user per
 * partition, far ahead in event time, after everything else. Spark's append
 * mode emits a session only once the watermark passes its end, and a finite
 * input never brings the watermark past the last sessions by itself (Spark
 * has no end-of-input watermark; Trigger.AvailableNow ends with them still in
 * state). Every build drops clicks without a user, except Spark's, whose
 * watermark must see them: its optimizer would push such a filter below the
 * EventTimeWatermark, so the flush would move nothing. Their own session
 * never closes, and they are not input records the checks account for (only
 * the schedule holds them).
 */
import { session } from '../src/stream/assigners.ts';
import { countAggregate } from '../src/engines/flink/operators/aggregates.ts';
import { generateWorkload, type Workload } from '../src/workload/generate.ts';
import type { InputRecord } from '../src/stream/records.ts';
import { count, session_window } from '../src/engines/spark/dsl.ts';
import { toWindowResults } from '../src/engines/kstreams/dsl.ts';
import { SessionWindows } from '../src/engines/kstreams/windows.ts';
import { TOPICS, sinkWindowResults, type Scenario } from './types.ts';

const GAP_MS = 500;
const BOUND_MS = 50;
const IDLE_MS = 400;
const LATENESS_MS = 300;
/** How far past the last click the flush clicks are, in event time and in arrival time. */
const FLUSH_AHEAD_MS = 10_000;
const FLUSH_AFTER_MS = 500;

/** Appends one click without a user per partition, far ahead in event time, after the last arrival. */
function withFlush(w: Workload, partitions: number): Workload {
  const maxTs = w.records.reduce((m, r) => Math.max(m, r.ts), 0);
  const lastAt = w.arrivals.reduce((m, a) => Math.max(m, a.atMs), 0);
  const flush = Array.from({ length: partitions }, (_, p) => ({
    atMs: lastAt + FLUSH_AFTER_MS,
    partition: p,
    records: [{ id: w.records.length + p, ts: maxTs + FLUSH_AHEAD_MS, key: '', value: 0 } satisfies InputRecord],
  }));
  return { ...w, arrivals: [...w.arrivals, ...flush] };
}

export const sessions: Scenario = {
  name: 'sessions',
  summary: 'session windows (gap 500 ms) over clicks per user, merging, 300 ms allowed lateness, idle partitions',
  defaults: { events: 1_500, parallelism: 2, partitions: 4, keys: 30 },
  window: { assigner: session(GAP_MS), aggregate: 'count', allowedLatenessMs: LATENESS_MS },
  timeliness: { boundMs: BOUND_MS, idleTimeoutMs: IDLE_MS },
  workload: (rng, s) =>
    withFlush(generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      eventRateMsPerRecord: 15,
      disorderBoundMs: BOUND_MS,
      stragglerRatio: [1, 60],
      stragglerExtraMs: 500,
      bursts: true,
      idlePartitions: 1,
    }), s.partitions),
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
    // Spark: session_window with the same gap, append mode (update is refused for sessions), a watermark
    // trailing by the bound plus the allowed lateness: a click is dropped iff ts + gap <= the late
    // watermark, which run.ts judges as Flink's rule at watermark wmLate - 1 + lateness. A session that
    // was emitted and evicted is gone: a later click touching it starts a new session.
    spark: {
      build: (spark) =>
        spark
          .readStream(TOPICS.input, { isolation: 'read_committed' })
          .withWatermark('ts', BOUND_MS + LATENESS_MS)
          .groupBy(session_window('ts', GAP_MS), 'key')
          .agg(count())
          .writeStream(TOPICS.output)
          .outputMode('append')
          .trigger({ processingTimeMs: 100 }),
    },
  },
};
