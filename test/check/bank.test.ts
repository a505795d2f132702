/**
 * The bank oracle can pass and can fail. A correct run is simulated from a
 * generated transfer workload: records in arrival order, each transfer a
 * debit of `key` and a credit of `key2`, one KeyedUpdate per account
 * touched. Planted mistakes: a balance off by one, an at-least-once replay
 * that applies a record twice, a (key, seq) committed with two different
 * records, a lost update, a debit whose credit never happened — each must
 * fail the matching verdict.
 *
 * And the checker judges exactly what its plain definition does
 * (`plain/bank.ts`: maps by account, seq and id, every account's seqs
 * sorted). Method: fast-check draws a transfer workload and a few random
 * edits of the correct run's updates — an update dropped, repeated, moved,
 * or its seq (to any finite number: 0, negative, fractional, far past the
 * rest), value, id (also to one no input has: negative, fractional, huge)
 * or account changed — and whether the input was consumed
 * completely, and whether the run was at-least-once. Oracle: both give equal
 * verdicts (name, ok, detail; the detail names the first problem and counts
 * the rest).
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { checkBank, type CheckResult } from '../../src/check/index.ts';
import { checkBank as plainCheckBank } from './plain/bank.ts';
import type { InputRecord, KeyedUpdate } from '../../src/stream/records.ts';
import { rootRng } from '../../src/sim/rng.ts';
import { generateTransfers } from '../../src/workload/index.ts';

const w = generateTransfers(rootRng(3), { events: 300, accounts: 5, partitions: 3, initialBalance: 1000 });

function process(records: readonly InputRecord[]): KeyedUpdate[] {
  const balance = new Map<string, number>();
  const seq = new Map<string, number>();
  const out: KeyedUpdate[] = [];
  const apply = (key: string, delta: number, r: InputRecord): void => {
    balance.set(key, (balance.get(key) ?? 0) + delta);
    seq.set(key, (seq.get(key) ?? 0) + 1);
    out.push({ type: 'update', key, value: balance.get(key)!, id: r.id, seq: seq.get(key)!, ts: r.ts });
  };
  for (const r of records) {
    if (r.key2 === undefined) apply(r.key, r.value, r);
    else {
      apply(r.key, -r.value, r);
      apply(r.key2, r.value, r);
    }
  }
  return out;
}

const inArrivalOrder = w.arrivals.flatMap((a) => a.records);
const byName = (vs: CheckResult[]): Map<string, CheckResult> => new Map(vs.map((v) => [v.name, v]));

describe('checkBank', () => {
  it('passes a correct run', () => {
    const vs = checkBank(w.records, process(inArrivalOrder));
    expect(vs.map((v) => v.name)).toEqual(['bank.balance', 'bank.total', 'bank.twice', 'bank.lost']);
    for (const v of vs) expect(v.ok, `${v.name}: ${v.detail}`).toBe(true);
    expect(byName(vs).get('bank.total')!.detail).toBe('total 5000 conserved');
  });

  it('fails a balance off by one', () => {
    const updates = process(inArrivalOrder);
    let last = updates.length - 1;
    while (updates[last]!.key !== 'acct-2') last--;
    updates[last] = { ...updates[last]!, value: updates[last]!.value + 1 };
    const v = byName(checkBank(w.records, updates));
    expect(v.get('bank.balance')!.ok).toBe(false);
    expect(v.get('bank.balance')!.detail).toMatch(/^account acct-2 seq \d+ \(record \d+\) moved the balance from -?\d+ to -?\d+; the record moves it by -?\d+/);
    expect(v.get('bank.total')!.detail).toMatch(/^the accounts hold 5001 in total, but 5000 was deposited$/);
  });

  it('fails a record applied twice (at-least-once replay)', () => {
    const r = w.records[40]!;
    const v = byName(checkBank(w.records, process([...inArrivalOrder, r])));
    expect(v.get('bank.twice')!.detail).toMatch(new RegExp(`^record 40 was applied to account ${r.key} twice: at seq \\d+ and \\d+`));
    expect(v.get('bank.balance')!.ok).toBe(false);
  });

  it('fails one (key, seq) committed with two different records', () => {
    const updates = process(inArrivalOrder);
    const u = updates.find((x) => x.key === 'acct-1' && x.seq === 10)!;
    const v = byName(checkBank(w.records, [...updates, { ...u, id: u.id + 1000 }]));
    expect(v.get('bank.twice')!.detail).toMatch(/^account acct-1 seq 10 is committed twice: record \d+ balance -?\d+, then record \d+ balance/);
    // The same update committed again (an idempotent upsert re-delivered) is not a duplicate.
    expect(byName(checkBank(w.records, [...updates, { ...u }])).get('bank.twice')!.ok).toBe(true);
  });

  it('fails a lost update', () => {
    const updates = process(inArrivalOrder);
    const i = updates.findIndex((x) => x.key === 'acct-3' && x.seq === 7);
    updates.splice(i, 1);
    const maxSeq = Math.max(...updates.filter((x) => x.key === 'acct-3').map((x) => x.seq));
    expect(byName(checkBank(w.records, updates)).get('bank.lost')!.detail)
      .toBe(`account acct-3 has no update with seq 7 (it has up to seq ${maxSeq}) (and 1 more problem)`);
  });

  it('fails a transfer whose credit was never applied', () => {
    const t = w.records.find((r) => r.key2 !== undefined)!;
    const v = byName(checkBank(w.records, process(inArrivalOrder.map((r) => (r === t ? { ...r, key2: undefined, value: -r.value } : r)))));
    expect(v.get('bank.lost')!.detail).toBe(`record ${t.id} was never applied to account ${t.key2}`);
    expect(v.get('bank.total')!.ok).toBe(false);
  });

  it('under at-least-once, bank.lost judges every committed update: a replay numbering records anew is no loss, a record in no update is', () => {
    const updates = process(inArrivalOrder);
    // A crash lost the output of acct's seq n while its state kept the record; the replay applied
    // the record again as n + 1: a gap at n, the record present under another seq.
    const i = updates.findIndex((u) => u.seq === 5);
    const u = updates[i]!;
    const replayed = updates.map((x) => (x.key === u.key && x.seq >= 5 ? { ...x, seq: x.seq + 1 } : x));
    expect(byName(checkBank(w.records, replayed)).get('bank.lost')!.detail).toContain(`account ${u.key} has no update with seq 5`);
    const alo = byName(checkBank(w.records, replayed, { atLeastOnce: true })).get('bank.lost')!;
    expect(alo.ok, alo.detail).toBe(true);
    expect(alo.detail).toContain('judged over every committed update');
    // A record at a seq another record also holds (the replay's numbering): only twice fails.
    const renumbered = [...updates, { ...updates[i + 1]!, seq: u.seq, key: u.key, id: updates.find((x) => x.key === u.key && x.seq === 6)!.id }];
    expect(byName(checkBank(w.records, renumbered, { atLeastOnce: true })).get('bank.lost')!.ok).toBe(true);
    // Really lost: the record is in no update of its account.
    const dropped = updates.filter((x) => !(x.key === u.key && x.id === u.id));
    expect(byName(checkBank(w.records, dropped, { atLeastOnce: true })).get('bank.lost')!.detail).toBe(`record ${u.id} was never applied to account ${u.key}`);
  });

  it('checks only consistency while the input is incomplete', () => {
    const half = process(inArrivalOrder.slice(0, 100));
    const vs = checkBank(w.records, half, { complete: false });
    for (const v of vs) expect(v.ok, `${v.name}: ${v.detail}`).toBe(true);
    expect(checkBank(w.records, half).every((v) => v.ok)).toBe(false);
  });

  const seqChoices = [0, -1, 1.5, 3, 1e6, Number.MAX_SAFE_INTEGER, -0.5, 2 ** 40];
  test.prop([
    fc.integer({ min: 1, max: 1000 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.nat(), fc.nat()), { maxLength: 6 }),
    fc.boolean(),
    fc.boolean(),
  ])('judges exactly as the plain definition, on a correct run damaged by random edits', (seed, edits, complete, atLeastOnce) => {
    const work = generateTransfers(rootRng(seed), { events: 60, accounts: 4, partitions: 2, initialBalance: 100 });
    const updates = process(work.arrivals.flatMap((a) => a.records));
    for (const [kind, a, b] of edits) {
      if (updates.length === 0) break;
      const i = a % updates.length;
      const u = updates[i]!;
      switch (kind) {
        case 0: updates.splice(i, 1); break;
        case 1: updates.push({ ...u }); break;
        case 2: updates.splice(b % updates.length, 0, updates.splice(i, 1)[0]!); break;
        case 3: updates[i] = { ...u, seq: seqChoices[b % seqChoices.length]! }; break;
        case 4: updates[i] = { ...u, seq: u.seq + 1 + (b % 3) }; break;
        case 5: updates[i] = { ...u, value: u.value + 1 + (b % 5) }; break;
        case 6: updates[i] = { ...u, id: (u.id + 1 + b) % (work.records.length + 3) }; break;
        case 7: updates[i] = { ...u, key: updates[b % updates.length]!.key }; break;
        case 8: updates.push({ ...u, id: u.id + 1, value: u.value - 1 }); break;
        case 9: updates[i] = { ...u, id: [-1, 2.5, 1e9, -0][b % 4]! }; break;
      }
    }
    expect(checkBank(work.records, updates, { complete, atLeastOnce })).toEqual(plainCheckBank(work.records, updates, { complete, atLeastOnce }));
  });
});
