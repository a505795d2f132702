/**
 * join: orders joined with payments of the same key when the payment comes
 * between 0 and 500 ms (event time) after the order — an interval join.
 * Without stragglers no record is late in a quiet run, so the committed pairs
 * must equal the batch reference — but for pairs whose records the join
 * dropped as late, which happens when an outage longer than the idle timeout
 * lets every input go idle and the watermark jump ahead (as in Flink).
 */
import { generateWorkload } from '../src/workload/generate.ts';
import { checkJoin, JOIN_LEFT_STREAM, JOIN_RIGHT_STREAM } from '../src/check/join.ts';
import type { InputRecord, JoinResult, OutputRecord } from '../src/stream/records.ts';
import { JoinWindows } from '../src/engines/kstreams/windows.ts';
import type { Row } from '../src/engines/spark/dsl.ts';
import { TOPICS, type Scenario } from './types.ts';

const LOWER_MS = 0;
const UPPER_MS = 500;
const BOUND_MS = 60;
/** Kafka Streams: how long the join's window stores keep records beyond the interval. */
const GRACE_MS = 2_000;

const joined = (l: InputRecord, r: InputRecord): JoinResult => ({ type: 'join', key: l.key, leftId: l.id, rightId: r.id, ts: Math.max(l.ts, r.ts), value: l.value + r.value });

export const join: Scenario = {
  name: 'join',
  summary: 'orders ⋈ payments per key, payment within [0, 500] ms after the order (interval join)',
  defaults: { events: 1_000, parallelism: 2, partitions: 2, keys: 40 },
  workload: (rng, s) =>
    generateWorkload(rng, {
      events: s.events,
      keys: s.keys,
      partitions: s.partitions,
      disorderBoundMs: BOUND_MS,
      streams: [JOIN_LEFT_STREAM, JOIN_RIGHT_STREAM],
    }),
  engines: {
    flink: {
      build(env, s) {
        const all = env.fromLog('source', { topic: TOPICS.input, partitions: s.partitions, boundMs: BOUND_MS, idleTimeoutMs: 1_000 });
        const orders = all.filter((r) => r.stream === JOIN_LEFT_STREAM, 'orders');
        const payments = all.filter((r) => r.stream === JOIN_RIGHT_STREAM, 'payments');
        orders
          .keyBy((r) => r.key)
          .intervalJoin(payments.keyBy((r) => r.key))
          .between(LOWER_MS, UPPER_MS, joined)
          .sinkTo({ topic: TOPICS.output, partitions: s.parallelism, name: 'sink' });
      },
    },
    // Kafka Streams: both streams re-keyed by their key (two repartition topics, co-partitioned),
    // then a windowed KStream–KStream join: payments from 0 ms before to 500 ms after the order
    // (before(0), after 500). Grace is the window stores' retention beyond the interval. Named as
    // StreamJoined.as("orders-payments").withName("orders-payments"): stores and processors alike.
    kstreams: {
      build(builder) {
        const all = builder.stream(TOPICS.input);
        const byKey = (_k: string | null, v: unknown): string => (v as InputRecord).key;
        const orders = all.filter((_k, v) => (v as InputRecord).stream === JOIN_LEFT_STREAM).selectKey(byKey);
        const payments = all.filter((_k, v) => (v as InputRecord).stream === JOIN_RIGHT_STREAM).selectKey(byKey);
        orders
          .join(payments, (l, r) => joined(l as InputRecord, r as InputRecord), JoinWindows.ofTimeDifferenceAndGrace(UPPER_MS, GRACE_MS).before(LOWER_MS), { name: 'orders-payments', storeName: 'orders-payments' })
          .to(TOPICS.output);
      },
    },
    // Spark: a stream-stream inner join of the topic's two streams, each with its own watermark
    // (delay: the disorder bound), payments from 0 to 500 ms after the order, append mode. Two
    // watermark operators under Spark's default min policy: the global watermark is the smaller of
    // the two sides' (each its max event time − the delay), the rule spark.watermark judges
    // (outer-join takes the max policy). Rows behind the late watermark, and rows the join's state
    // watermark already covers (not stored), are traced; a pair may be missing only for them.
    spark: {
      build: (spark) => {
        const all = spark.readStream(TOPICS.input, { isolation: 'read_committed' });
        const orders = all.where((r) => r.stream === JOIN_LEFT_STREAM).withWatermark('ts', BOUND_MS);
        const payments = all.where((r) => r.stream === JOIN_RIGHT_STREAM).withWatermark('ts', BOUND_MS);
        return orders
          .join(payments, { key: 'key', time: 'ts', lowerMs: LOWER_MS, upperMs: UPPER_MS }, (l, r) => joined(l as unknown as InputRecord, r as unknown as InputRecord) as unknown as Row)
          .writeStream(TOPICS.output)
          .outputMode('append')
          .trigger({ processingTimeMs: 100 });
      },
    },
  },
  check: ({ input, output, canBeLate, droppedLate, guarantee }) => [
    checkJoin(input, output.filter((o: OutputRecord): o is JoinResult => o.type === 'join'), LOWER_MS, UPPER_MS, {
      canBeLate,
      droppedLate,
      atLeastOnce: guarantee === 'at-least-once',
      joinValue: (l, r) => l.value + r.value,
    }),
  ],
};
