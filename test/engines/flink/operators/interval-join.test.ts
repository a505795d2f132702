/**
 * The interval join's bounds, record by record (Flink's IntervalJoinOperator:
 * `l.ts + lower <= r.ts <= l.ts + upper`, both inclusive; a record behind the
 * watermark is late and dropped; a buffered record is kept until no partner
 * can still arrive on time).
 *
 * What this proves: with lower 0 and upper 500, an order at 1000 joins the
 * payments at 1000 and 1500 and not those at 999 or 1501; a payment at 1500
 * that arrives while the watermark is 1499 joins; once the watermark reaches
 * 1500 (the order's cleanup time, as in Flink) the order is gone, so a
 * payment at 1500 then is not late (traced `join.at-watermark`) but joins
 * nothing; one at 1500 behind watermark 1501 is late and dropped (traced as
 * `record.late`), never joined; and negative lower bounds join payments
 * before the order. (Bounds, cleanup and late data element by element:
 * interval-join-operator.test.ts.)
 *
 * How: two scripted sources (orders, payments) into `intervalJoin`, run end
 * to end in the simulator without faults; the committed pairs are compared
 * exactly. Scripts order records and watermarks exactly, whatever the seed.
 */
import { describe, expect, it } from 'vitest';
import { script } from '../../../../src/engines/flink/script.ts';
import type { InputRecord, JoinResult, OutputRecord } from '../../../../src/stream/records.ts';
import type { TraceEvent } from '../../../../src/runtime/trace-event.ts';
import { runScripted } from '../scripted/helpers.ts';
import type { Script } from '../../../../src/engines/flink/script.ts';

const joined = (l: InputRecord, r: InputRecord): JoinResult => ({ type: 'join', key: l.key, leftId: l.id, rightId: r.id, ts: Math.max(l.ts, r.ts), value: l.value + r.value });

function pairs(orders: Script, payments: Script, lowerMs: number, upperMs: number): { pairs: string[]; late: number[]; atWatermark: number[] } {
  const late: number[] = [];
  const atWatermark: number[] = [];
  const r = runScripted(
    {
      name: `join-${lowerMs}-${upperMs}`,
      script: orders,
      moreScripts: [payments],
      parallelism: 1,
      build(o, env) {
        const p = env.fromScript('payments', payments);
        o.keyBy((x) => x.key).intervalJoin(p.keyBy((x) => x.key)).between(lowerMs, upperMs, joined).sinkTo({ topic: 'output', partitions: 1, name: 'sink' });
      },
    },
    {},
    { subscribers: [(e: TraceEvent) => {
      if (e.kind === 'record.late') late.push(e.id as number);
      if (e.kind === 'join.at-watermark') atWatermark.push(e.id as number);
    }] },
  );
  const out = r.output.filter((x: OutputRecord): x is JoinResult => x.type === 'join');
  return { pairs: out.map((j) => `${j.leftId}-${j.rightId}@${j.ts}`).sort(), late: late.sort((a, b) => a - b), atWatermark };
}

describe('interval join bounds', () => {
  it('joins exactly within [l.ts + lower, l.ts + upper], both ends inclusive', () => {
    const orders = script().add({ id: 1, key: 'k', ts: 1_000 }).advanceWatermarkToInfinity();
    const payments = script()
      .add({ id: 10, key: 'k', ts: 999 }, { id: 11, key: 'k', ts: 1_000 }, { id: 12, key: 'k', ts: 1_500 }, { id: 13, key: 'k', ts: 1_501 })
      .advanceWatermarkToInfinity();
    expect(pairs(orders, payments, 0, 500)).toEqual({ pairs: ['1-11@1000', '1-12@1500'], late: [], atWatermark: [] });
  });

  it('a partner at the upper bound joins before the watermark reaches it; at the watermark the order is gone; behind it the partner is late', () => {
    const orders = script().add({ id: 1, key: 'k', ts: 1_000 }).advanceWatermarkTo(1_500).advanceProcessingTime(500).advanceWatermarkTo(1_501).advanceWatermarkToInfinity();
    // The payments script waits until the orders side's watermarks have gone through.
    const payments = script()
      .advanceWatermarkTo(1_499).advanceProcessingTime(100)
      .add({ id: 20, key: 'k', ts: 1_500 })
      .advanceWatermarkTo(1_500).advanceProcessingTime(100)
      .add({ id: 21, key: 'k', ts: 1_500 })
      .advanceProcessingTime(400).advanceWatermarkTo(1_501)
      .add({ id: 22, key: 'k', ts: 1_500 })
      .advanceWatermarkToInfinity();
    expect(pairs(orders, payments, 0, 500)).toEqual({ pairs: ['1-20@1500'], late: [22], atWatermark: [21] });
  });

  it('a negative lower bound joins partners before the record', () => {
    const orders = script().add({ id: 1, key: 'k', ts: 1_000 }).advanceWatermarkToInfinity();
    const payments = script()
      .add({ id: 10, key: 'k', ts: 899 }, { id: 11, key: 'k', ts: 900 }, { id: 12, key: 'k', ts: 1_000 }, { id: 13, key: 'k', ts: 1_001 })
      .advanceWatermarkToInfinity();
    expect(pairs(orders, payments, -100, 0)).toEqual({ pairs: ['1-11@1000', '1-12@1000'], late: [], atWatermark: [] });
  });
});
