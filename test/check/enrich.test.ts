/**
 * What this proves: the enrichment judges (`enrich.join`, `enrich.table`)
 * hold a run to the table value current before each order and to the
 * customers' update order, and under at-least-once count what a replay makes
 * — an order enriched again, or with a later value of its customer (the table
 * restored ahead of the committed offsets), a table change again or back —
 * while still failing a lost enrichment, an older value, a wrong product and
 * a wrong final table.
 *
 * How: one partition of hand-made records (customer c: value 2, then 5, then
 * a tombstone; orders before, between and after) and the output a correct
 * run gives; each case edits that output and reads both verdicts.
 */
import { describe, expect, it } from 'vitest';
import { checkEnrichment, enrichValue } from '../../src/check/enrich.ts';
import type { InputRecord, JoinResult, KeyedUpdate, OutputRecord } from '../../src/stream/records.ts';

const customer = (id: number, value: number): InputRecord => ({ id, ts: id * 10, key: 'c', value, stream: 'customers' });
const order = (id: number, value: number): InputRecord => ({ id, ts: id * 10, key: 'c', value, stream: 'orders' });
// Order 1 comes before any value (dropped), 3 after value 2, 5 after value 5, 7 after the tombstone (dropped).
const input = [order(1, 3), customer(2, 2), order(3, 4), customer(4, 5), order(5, 6), customer(6, 0), order(7, 8)];
const joined = (o: InputRecord, c: InputRecord): JoinResult => ({ type: 'join', key: 'c', leftId: o.id, rightId: c.id, ts: o.ts, value: enrichValue(o, c) });
const change = (c: InputRecord): KeyedUpdate => ({ type: 'update', key: 'c', value: c.value, id: c.id, seq: 0, ts: c.ts });
const byId = (id: number) => input.find((r) => r.id === id)!;
const good: OutputRecord[] = [change(byId(2)), joined(byId(3), byId(2)), change(byId(4)), joined(byId(5), byId(4)), change(byId(6))];

const verdicts = (output: OutputRecord[], atLeastOnce = false) => {
  const [join, table] = checkEnrichment([input], output, { atLeastOnce });
  return { join: join!, table: table! };
};

describe('checkEnrichment', () => {
  it('passes the correct run under either guarantee', () => {
    for (const alo of [false, true]) {
      const v = verdicts(good, alo);
      expect(v.join.ok, v.join.detail).toBe(true);
      expect(v.table.ok, v.table.detail).toBe(true);
    }
  });

  it('under at-least-once counts an order enriched again, or with a later value of its customer, and fails them otherwise', () => {
    const again = [...good, joined(byId(3), byId(2))];
    expect(verdicts(again).join.detail).toContain('enriched order 3 (customer c) was committed twice');
    expect(verdicts(again, true).join.ok).toBe(true);
    // Order 3 replayed against the table restored ahead: customer value 5 (record 4, after the order).
    const ahead = good.map((o) => (o.type === 'join' && o.leftId === 3 ? joined(byId(3), byId(4)) : o));
    expect(verdicts(ahead).join.detail).toContain('but the table value when it was processed came from record 2');
    const v = verdicts(ahead, true).join;
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toContain('1 enrichment again or with a later customer value by a replay');
    // Order 1 came before any value: a replay meeting value 2 is the same case.
    expect(verdicts([...good, joined(byId(1), byId(2))], true).join.ok).toBe(true);
  });

  it('under at-least-once still fails an older value, a deleted customer, a wrong product and an order never enriched', () => {
    // Order 5 joined with value 2 (record 2, before the one current at the order).
    expect(verdicts([...good, joined(byId(5), byId(2))], true).join.detail).toContain('enriched order 5 (customer c) was joined with customer record 2 (value 2), but the table value when it was processed came from record 4');
    // Order 7 came after the tombstone, and no later value exists: dropped, whatever the replay.
    expect(verdicts([...good, joined(byId(7), byId(4))], true).join.ok).toBe(false);
    expect(verdicts([...good, { ...joined(byId(3), byId(4)), value: 1 }], true).join.detail).toContain('has value 1, expected 4 × 5 = 20');
    expect(verdicts(good.filter((o) => !(o.type === 'join' && o.leftId === 5)), true).join.detail).toContain('order 5 (customer c) was never enriched');
  });

  it('under at-least-once counts a table change again or back, and still fails a wrong final table', () => {
    const back = [...good, change(byId(2))];
    expect(verdicts(back).table.detail).toContain('table of c went back: record 2 after record 6');
    // The replay took it back and the last change is not the last update: failed under both.
    expect(verdicts(back, true).table.detail).toContain('customer c ends at record 2 (value 2), but its last update is record 6 (a tombstone)');
    const backAndForth = [...good, change(byId(4)), change(byId(6))];
    const v = verdicts(backAndForth, true).table;
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toContain('1 change again or back by a replay');
    expect(verdicts(backAndForth).table.ok).toBe(false);
  });
});
