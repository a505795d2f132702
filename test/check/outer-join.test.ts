/**
 * The outer-join judges can fail.
 *
 * `join.outer` (from the output): every record of a preserved side that is
 * in no committed pair, was not dropped as late, and whose range the last
 * watermark passed is emitted with nulls exactly once; a record that was
 * joined, one of a side the join does not preserve, one dropped as late, or
 * one whose range the watermark never passed is never emitted alone.
 *
 * `spark.join.outer` (from the trace and the input): a row is emitted with
 * nulls only in a batch whose watermark, derived from the input before the
 * batch, had passed its range.
 */
import { describe, expect, it } from 'vitest';
import { checkOuterJoin, type OuterJoinCheckOptions } from '../../src/check/join.ts';
import { checkSparkOuterJoin, SparkBatchTrace } from '../../src/check/spark-watermark.ts';
import type { JoinResult, UnmatchedRow } from '../../src/stream/records.ts';
import { rec } from './helpers.ts';

const order = (id: number, ts: number, key = 'a') => rec(id, ts, key, 10, { stream: 'orders' });
const payment = (id: number, ts: number, key = 'a') => rec(id, ts, key, 3, { stream: 'payments' });

// o0 and p3 pair (p3 200 ms after o0); o1 (key b), o2 (key a, but 4.9 s after p3) and p4 (key c) never match.
const input = [order(0, 100), order(1, 100, 'b'), order(2, 5_000), payment(3, 300), payment(4, 200, 'c')];
const flush = order(99, 100_000, '');
const pair: JoinResult = { type: 'join', key: 'a', leftId: 0, rightId: 3, ts: 300, value: 13 };
const alone = (side: 'left' | 'right', id: number): UnmatchedRow => {
  const r = input.find((x) => x.id === id)!;
  return { type: 'unmatched', side, key: r.key, id, ts: r.ts, value: r.value };
};
const good = [alone('left', 1), alone('left', 2), alone('right', 4)];
const opts = (more: Partial<OuterJoinCheckOptions> = {}): OuterJoinCheckOptions => ({ joinType: 'full_outer', delayMs: 60, arrived: [...input, flush], droppedLate: new Set(), ...more });
const outerVerdict = (unmatched: UnmatchedRow[], more: Partial<OuterJoinCheckOptions> = {}, pairs = [pair]) => checkOuterJoin(input, pairs, unmatched, 0, 500, opts(more))[1]!;

describe('join.outer', () => {
  it('passes the reference: the pair, and every unmatched record of both sides once', () => {
    const [j, o] = checkOuterJoin(input, [pair], good, 0, 500, opts());
    expect(j!.ok).toBe(true);
    expect(o).toEqual({ name: 'join.outer', ok: true, detail: '3 rows emitted with nulls, 3 expected (full_outer, last watermark 99940)' });
  });

  it('fails a joined record emitted alone (an outer row before its partner came)', () => {
    expect(outerVerdict([...good, alone('left', 0)]).detail).toMatch(/^order 0 \(key a\) was emitted with nulls, but it was joined with payment 3/);
  });

  it('fails an unmatched record never emitted, or emitted twice', () => {
    expect(outerVerdict([alone('left', 2), alone('right', 4)]).detail).toMatch(/^order 1 \(key b, ts 100\) never joined .* but it was never emitted with nulls/);
    expect(outerVerdict([...good, alone('right', 4)]).detail).toMatch(/^payment 4 \(key c\) was emitted with nulls twice/);
  });

  it('under at-least-once counts a row with nulls or a pair written again by a replay, and still fails one never emitted', () => {
    const again = outerVerdict([...good, alone('right', 4)], { atLeastOnce: true });
    expect(again.ok, again.detail).toBe(true);
    expect(again.detail).toContain('1 emitted again by a replay, as at-least-once allows');
    const [pairs] = checkOuterJoin(input, [pair, pair], good, 0, 500, opts({ atLeastOnce: true }));
    expect(pairs!.ok, pairs!.detail).toBe(true);
    expect(checkOuterJoin(input, [pair, pair], good, 0, 500, opts())[0]!.ok).toBe(false);
    expect(outerVerdict([alone('left', 2), alone('right', 4)], { atLeastOnce: true }).detail).toMatch(/never emitted with nulls/);
  });

  it('fails a record emitted alone whose range the last watermark never passed, and asks for none then', () => {
    // Without the flush the last watermark is 5000 − 60 = 4940: o2's range (payments up to 5500) is open.
    const noFlush = { arrived: input };
    expect(outerVerdict(good, noFlush).detail).toMatch(/^order 2 \(key a\) at 5000 was emitted with nulls, but the watermark never passed its range \(payments up to 5500; the last watermark is 4940\)/);
    expect(outerVerdict([alone('left', 1), alone('right', 4)], noFlush).ok).toBe(true);
  });

  it('fails a row of a side the join does not preserve, and a late record emitted alone; a missing pair needs a late record', () => {
    expect(outerVerdict(good, { joinType: 'left_outer' }).detail).toMatch(/^payment 4 \(key c\) was emitted with nulls, but a left_outer join keeps no unmatched right rows/);
    expect(outerVerdict(good, { droppedLate: new Set([1]) }).detail).toMatch(/^order 1 \(key b\) was emitted with nulls, but the join dropped it as late/);
    // p3 dropped as late: the pair is missing (excused) and o0 must then be emitted alone.
    const [j, o] = checkOuterJoin(input, [], [...good, alone('left', 0)], 0, 500, opts({ droppedLate: new Set([3]) }));
    expect(j!.ok).toBe(true);
    expect(o!.ok).toBe(true);
    expect(checkOuterJoin(input, [], [...good, alone('left', 0)], 0, 500, opts())[0]!.ok).toBe(false);
  });
});

describe('spark.join.outer', () => {
  /** One partition; batch 0 reads offsets 0–2 (ts up to 300), batch 1 nothing new (a no-data batch at watermark 240). */
  const records = [payment(4, 200, 'c'), order(0, 100), payment(3, 300)].map((value, offset) => ({ offset, value }));
  const traced = (outer: { batch: number; side: number; ts: number; id: number }[]) => {
    const t = new SparkBatchTrace();
    const ev = (kind: string, fields: Record<string, unknown>) => t.onEvent({ seq: 0, t: 0, p: 'x', kind, ...fields });
    ev('spark.start', { watermarkDelayMs: 60, watermarkOperators: 2, watermarkPolicy: 'max', joinType: 'full_outer', joinLowerMs: 0, joinUpperMs: 500 });
    ev('spark.batch', { batch: 0, offsets: ['0:0-3'] });
    ev('spark.reduce', { batch: 0, wmLate: 0, wmEvict: 0 });
    ev('spark.batch', { batch: 1, offsets: ['0:3-3'] });
    ev('spark.reduce', { batch: 1, wmLate: 0, wmEvict: 240 });
    for (const o of outer) ev('spark.join.outer', { batch: o.batch, side: o.side, ts: o.ts, ids: String(o.id) });
    return checkSparkOuterJoin(t, [records]);
  };

  it('passes a right row emitted once the watermark passed it (200 − 0 < 240)', () => {
    expect(traced([{ batch: 1, side: 1, ts: 200, id: 4 }]).ok).toBe(true);
  });

  it('fails a row emitted in a batch whose watermark (from the input before it) had not passed its range', () => {
    expect(traced([{ batch: 0, side: 1, ts: 200, id: 4 }]).detail).toBe('payment 4 at 200 was emitted with nulls in batch 0, whose watermark is 0: an order from -300 to 200 could still come');
    expect(traced([{ batch: 1, side: 0, ts: 100, id: 0 }]).detail).toBe('order 0 at 100 was emitted with nulls in batch 1, whose watermark is 240: a payment up to 600 could still come');
  });
});
