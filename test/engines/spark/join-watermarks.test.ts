/**
 * What this proves: a Spark stream-stream outer join evicts state, emits
 * rows with nulls and runs no-data batches only when both sides carry a
 * watermark, and a side's state watermark needs the other side's on the
 * join's time column. Spark gives a side a state watermark only from a watermark on
 * the side itself (`getOneSideStateWatermarkPredicate`) and one on the
 * other side (`StreamingJoinHelper.getStateValueWatermark`), and the join's
 * `shouldRunAnotherBatch` asks for a batch only when a side has one. The
 * analyzer accepts a full outer join with a watermark on one side only, so
 * such a query runs, and keeps its unmatched rows for good.
 *
 * How: a whole simulated run of a full outer join (AvailableNow, so the run
 * ends after the data and any no-data batch the watermark asks for) over
 * an order and a payment that never match, then an order and its payment
 * that move the watermark (the minimum of the two sides') past both. With both watermarks the driver runs a no-data batch
 * that emits the two unmatched rows with nulls; with the order side's
 * watermark only, it runs the data batch alone and emits no row with nulls;
 * with the payments' watermark on a column of their own, the payments get a
 * state watermark and the driver runs the no-data batch, which evicts
 * nothing (a code that asked for both watermarks on the time column runs
 * none).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/explore/run.ts';
import { JOIN_LEFT_STREAM, JOIN_RIGHT_STREAM } from '../../../src/check/join.ts';
import type { Row } from '../../../src/engines/spark/dsl.ts';
import type { Scenario } from '../../../scenarios/types.ts';
import { scriptedSpark } from '../../support/scripted-spark.ts';
import type { InputRecord, OutputRecord } from '../../../src/stream/records.ts';

const rec = (id: number, ts: number, key: string, stream: string): InputRecord => ({ id, ts, key, value: 1, stream });

/** Which watermarks the query has: both on `ts`; the order side's only; or the payments' on a column of their own, `seen`. */
type Marks = 'both' | 'left' | 'seen';

function scenario(marks: Marks): Scenario {
  const records = [rec(0, 10, 'a', JOIN_LEFT_STREAM), rec(1, 10, 'b', JOIN_RIGHT_STREAM), rec(2, 500, 'c', JOIN_LEFT_STREAM), rec(3, 505, 'c', JOIN_RIGHT_STREAM)];
  return scriptedSpark(`join-watermarks-${marks}`, records, (spark) => {
    const all = spark.readStream('input');
    const orders = all.where((r) => r.stream === JOIN_LEFT_STREAM).withWatermark('ts', 5);
    const paid = all.where((r) => r.stream === JOIN_RIGHT_STREAM);
    const payments = marks === 'both' ? paid.withWatermark('ts', 5) : marks === 'seen' ? paid.withColumn('seen', (r) => (r.ts as number) + 1_000).withWatermark('seen', 5) : paid;
    const pair = (l: Row | null, r: Row | null): Row => ({ type: 'pair', key: String((l ?? r)!.key), pair: `${l ? String(l.id) : 'null'}+${r ? String(r.id) : 'null'}` });
    return orders.join(payments, { key: 'key', time: 'ts', lowerMs: 0, upperMs: 10 }, pair, 'full_outer').writeStream('output').outputMode('append').trigger('availableNow');
  }, { keys: 3 });
}

function run(marks: Marks) {
  const batches: { batch: number; noData: boolean }[] = [];
  let output: OutputRecord[] = [];
  const s = scenario(marks);
  runScenario({ scenario: s.name, engine: 'spark', seed: 1, guarantee: 'exactly-once', faults: 'none', bugs: [] }, {
    scenario: s,
    onOutput: (o) => (output = o),
    subscribers: [(e) => {
      if (e.kind === 'spark.offsets') batches.push({ batch: e.batch as number, noData: e.noData as boolean });
    }],
  });
  return { batches, pairs: output.map((o) => (o as unknown as { pair: string }).pair).sort() };
}

describe('Spark stream-stream full outer join: state watermarks need a watermark on both sides', () => {
  it('both sides: the watermark advance runs a no-data batch, which emits both unmatched rows with nulls', () => {
    const { batches, pairs } = run('both');
    expect(batches).toEqual([{ batch: 0, noData: false }, { batch: 1, noData: true }]);
    expect(pairs).toEqual(['0+null', '2+3', 'null+1']);
  });

  it('the order side only: one data batch, no no-data batch, only the matched pair', () => {
    const { batches, pairs } = run('left');
    expect(batches).toEqual([{ batch: 0, noData: false }]);
    expect(pairs).toEqual(['2+3']);
  });

  it('the payments\' watermark on a column of their own: the payments have a state watermark (the orders\' is on the time column), so the advance runs a no-data batch; the orders have none, and nothing leaves', () => {
    // The watermark after the data batch: min(500 − 5, 1,505 − 5) = 495. Payments leave once
    // seen <= 495 − 1: none does. The orders side could be evicted only from a payments watermark on ts.
    const { batches, pairs } = run('seen');
    expect(batches).toEqual([{ batch: 0, noData: false }, { batch: 1, noData: true }]);
    expect(pairs).toEqual(['2+3']);
  });
});
