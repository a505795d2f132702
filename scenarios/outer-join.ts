/**
 * outer-join: orders ⟗ payments per key, a payment between 0 and 500 ms
 * (event time) after its order, as a stream-stream full outer join (Spark
 * only). Pairs are emitted as they match; an order or payment that never
 * matched is emitted alone, with nulls for the other side, once the
 * watermark has passed the range a partner could still arrive in — and
 * never when it did match (Spark keeps a matched flag per stored row).
 *
 * Some records are stragglers, later than the watermark delay: the join
 * drops them as late, and a partner of theirs may be emitted alone. The
 * input ends with one order per partition far ahead in event time (key ''),
 * as Spark's own tests move the watermark, so that every real row's range
 * is passed; those flush orders are never emitted and are no input records
 * the checks account for (only the schedule holds them).
 *
 * Judged by `join` (the pairs: exactly the reference's, but for pairs with
 * a record dropped as late), `join.outer` (the rows emitted with nulls,
 * against the reference and the last watermark) and `spark.join.outer` (each
 * such row in a batch whose watermark, derived from the input, had passed
 * its range).
 */
import { generateWorkload, type Workload } from '../src/workload/generate.ts';
import { checkOuterJoin, JOIN_LEFT_STREAM, JOIN_RIGHT_STREAM } from '../src/check/join.ts';
import type { InputRecord, JoinResult, OutputRecord, UnmatchedRow } from '../src/stream/records.ts';
import type { Row } from '../src/engines/spark/dsl.ts';
import { concatAll } from '../src/runtime/arrays.ts';
import { TOPICS, type Scenario } from './types.ts';

const LOWER_MS = 0;
const UPPER_MS = 500;
const BOUND_MS = 60;
const FLUSH_AHEAD_MS = 10_000;
const FLUSH_AFTER_MS = 500;

/** Appends one order without a customer per partition, far ahead in event time, after the last arrival. */
function withFlush(w: Workload, partitions: number): Workload {
  const maxTs = w.records.reduce((m, r) => Math.max(m, r.ts), 0);
  const lastAt = w.arrivals.reduce((m, a) => Math.max(m, a.atMs), 0);
  const flush = Array.from({ length: partitions }, (_, p) => ({
    atMs: lastAt + FLUSH_AFTER_MS,
    partition: p,
    records: [{ id: w.records.length + p, ts: maxTs + FLUSH_AHEAD_MS, key: '', value: 0, stream: JOIN_LEFT_STREAM } satisfies InputRecord],
  }));
  return { ...w, arrivals: [...w.arrivals, ...flush] };
}

function joinedRow(l: InputRecord | null, r: InputRecord | null): JoinResult | UnmatchedRow {
  if (l && r) return { type: 'join', key: l.key, leftId: l.id, rightId: r.id, ts: Math.max(l.ts, r.ts), value: l.value + r.value };
  const one = (l ?? r)!;
  return { type: 'unmatched', side: l ? 'left' : 'right', key: one.key, id: one.id, ts: one.ts, value: one.value };
}

export const outerJoin: Scenario = {
  name: 'outer-join',
  summary: 'orders ⟗ payments per key (payment within [0, 500] ms after the order), a stream-stream full outer join: unmatched rows once the watermark passes (Spark)',
  defaults: { events: 1_000, parallelism: 2, partitions: 2, keys: 40 },
  workload: (rng, s) =>
    withFlush(generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      disorderBoundMs: BOUND_MS,
      stragglerRatio: [1, 50],
      streams: [JOIN_LEFT_STREAM, JOIN_RIGHT_STREAM],
    }), s.partitions),
  engines: {
    // Each side with its own watermark (delay: the disorder bound) under the max policy, so the global
    // watermark is the input's max event time − the delay; append mode, as joins require.
    spark: {
      build: (spark) => {
        const all = spark.readStream(TOPICS.input, { isolation: 'read_committed' });
        const orders = all.where((r) => r.stream === JOIN_LEFT_STREAM).withWatermark('ts', BOUND_MS);
        const payments = all.where((r) => r.stream === JOIN_RIGHT_STREAM).withWatermark('ts', BOUND_MS);
        return orders
          .option('multipleWatermarkPolicy', 'max')
          .join(payments, { key: 'key', time: 'ts', lowerMs: LOWER_MS, upperMs: UPPER_MS }, (l, r) => joinedRow(l as unknown as InputRecord | null, r as unknown as InputRecord | null) as unknown as Row, 'full_outer')
          .writeStream(TOPICS.output)
          .outputMode('append')
          .trigger({ processingTimeMs: 100 });
      },
    },
  },
  check: ({ input, inputByPartition, output, droppedLate, stuckWatermark, guarantee }) =>
    checkOuterJoin(
      input,
      output.filter((o: OutputRecord): o is JoinResult => o.type === 'join'),
      output.filter((o: OutputRecord): o is UnmatchedRow => o.type === 'unmatched'),
      LOWER_MS, UPPER_MS,
      { joinType: 'full_outer', delayMs: BOUND_MS, arrived: concatAll(inputByPartition), droppedLate, joinValue: (l, r) => l.value + r.value, atLeastOnce: guarantee === 'at-least-once', ...(stuckWatermark !== undefined ? { finalWatermark: stuckWatermark } : {}) },
    ),
};
