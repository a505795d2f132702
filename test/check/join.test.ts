/**
 * The interval-join oracle. The reference follows Flink's inclusive bounds
 * (`lower <= payment.ts - order.ts <= upper`, ts = max of the two). Planted
 * mistakes: a missing pair, a pair committed twice, a pair outside the
 * interval, a pair with the wrong timestamp or value; where records may be
 * late a missing pair is allowed but an invented one is not.
 */
import { describe, expect, it } from 'vitest';
import { checkJoin, referenceJoin } from '../../src/check/index.ts';
import type { JoinResult } from '../../src/stream/records.ts';
import { rootRng } from '../../src/sim/rng.ts';
import { generateWorkload } from '../../src/workload/index.ts';
import { rec } from './helpers.ts';

const order = (id: number, ts: number, key = 'a') => rec(id, ts, key, 10, { stream: 'orders' });
const payment = (id: number, ts: number, key = 'a') => rec(id, ts, key, 3, { stream: 'payments' });
const toResults = (input: Parameters<typeof referenceJoin>[0], lo: number, hi: number): JoinResult[] =>
  referenceJoin(input, lo, hi).map((p) => ({ type: 'join', key: p.key, leftId: p.leftId, rightId: p.rightId, ts: p.ts, value: 13 }));

describe('referenceJoin', () => {
  it('uses inclusive bounds on payment.ts - order.ts', () => {
    const input = [order(0, 100), payment(1, 90), payment(2, 89), payment(3, 150), payment(4, 151), payment(5, 120, 'b'), order(6, 120, 'b')];
    expect(referenceJoin(input, -10, 50)).toEqual([
      { key: 'a', leftId: 0, rightId: 1, ts: 100 },
      { key: 'a', leftId: 0, rightId: 3, ts: 150 },
      { key: 'b', leftId: 6, rightId: 5, ts: 120 },
    ]);
  });
});

describe('checkJoin', () => {
  const w = generateWorkload(rootRng(5), { events: 600, keys: 8, partitions: 2, disorderBoundMs: 20, streams: ['orders', 'payments'] });
  const good = toResults(w.records, -50, 100);
  const value = { joinValue: (l: { value: number }, r: { value: number }) => l.value + r.value };

  it('passes the reference pairs', () => {
    expect(good.length).toBeGreaterThan(100);
    const v = checkJoin(w.records, good, -50, 100, { canBeLate: false });
    expect(v).toEqual({ name: 'join', ok: true, detail: `${good.length} pairs committed, reference has ${good.length}` });
  });

  it('fails a missing pair unless records may be late', () => {
    const p = good[17]!;
    const missing = good.filter((x) => x !== p);
    expect(checkJoin(w.records, missing, -50, 100, { canBeLate: false }).detail)
      .toBe(`pair (order ${p.leftId}, payment ${p.rightId}) of key ${p.key} is in the reference but was never committed`);
    expect(checkJoin(w.records, missing, -50, 100, { canBeLate: true }).ok).toBe(true);
  });

  it('given the records dropped as late, excuses a missing pair only when one of them was', () => {
    const p = good[17]!;
    const missing = good.filter((x) => x !== p);
    expect(checkJoin(w.records, missing, -50, 100, { canBeLate: false, droppedLate: new Set([p.rightId]) }).ok).toBe(true);
    expect(checkJoin(w.records, missing, -50, 100, { canBeLate: false, droppedLate: new Set([p.leftId]) }).ok).toBe(true);
    const other = checkJoin(w.records, missing, -50, 100, { canBeLate: true, droppedLate: new Set([-1]) });
    expect(other.ok).toBe(false);
    expect(other.detail).toContain('and neither record was dropped as late');
  });

  it('fails a pair committed twice', () => {
    const v = checkJoin(w.records, [...good, good[3]!], -50, 100, { canBeLate: true });
    expect(v.detail).toBe(`pair (order ${good[3]!.leftId}, payment ${good[3]!.rightId}) of key ${good[3]!.key} was committed twice`);
  });

  it('under at-least-once counts a pair committed again by a replay, and still fails a pair missing', () => {
    const v = checkJoin(w.records, [...good, good[3]!], -50, 100, { canBeLate: false, atLeastOnce: true });
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toContain('1 committed again by a replay, as at-least-once allows');
    const lost = checkJoin(w.records, [...good.slice(1), good[3]!], -50, 100, { canBeLate: false, atLeastOnce: true });
    expect(lost.detail).toContain(`pair (order ${good[0]!.leftId}, payment ${good[0]!.rightId}) of key ${good[0]!.key} is in the reference but was never committed`);
  });

  it('fails invalid pairs', () => {
    const input = [order(0, 100), payment(1, 151), payment(2, 120), order(3, 110, 'b')];
    const j = (leftId: number, rightId: number, ts: number, key = 'a', v = 13): JoinResult => ({ type: 'join', key, leftId, rightId, ts, value: v });
    const check = (r: JoinResult) => checkJoin(input, [r], -10, 50, { canBeLate: true, ...value }).detail;
    expect(check(j(0, 1, 151))).toBe('pair (order 0, payment 1) of key a is outside the interval: payment.ts - order.ts = 51, bounds [-10, 50]');
    expect(check(j(0, 2, 100))).toBe('pair (order 0, payment 2) of key a has ts 100, expected max(100, 120)');
    expect(check(j(0, 2, 120, 'a', 12))).toBe('pair (order 0, payment 2) of key a has value 12, expected 13');
    expect(check(j(3, 2, 120))).toBe('pair (order 3, payment 2) of key a joins keys b and a');
    expect(check(j(2, 0, 120))).toMatch(/joins streams payments and orders/);
    expect(check(j(0, 9, 120))).toMatch(/names a record that is not in the input/);
    expect(checkJoin(input, [j(0, 2, 120)], -10, 50, { canBeLate: false, ...value }).ok).toBe(true);
  });
});
