/**
 * The partition log's records by key (`forEachOfKey`), which OffsetFetch reads
 * in place of a scan of the whole offsets log. Property (random logs): after
 * any sequence of plain and transactional batches of keyed and unkeyed
 * records, commit and abort markers, moves of the log start offset,
 * compaction's prefix swaps and cleaned entries read back from a segment,
 * with lookups in between (so the index is built early and brought up to
 * date by later ones), each key's records are exactly what `forEachRecord`
 * shows of that key: the same offsets, values and statuses, in the same
 * order. A lookup of a key the log never held finds nothing. (Left without
 * its rebuild after a prefix swap or a move of the log start, without
 * catching up on later entries, or without indexing a cleaned entry, the
 * index fails this.)
 */
import { expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { PartitionLog, type EntryStatus } from '../../src/log/partition-log.ts';
import type { CleanedRecord } from '../../src/log/codec.ts';

const KEYS = ['k0', 'k1', 'k2'];

type Op =
  | { op: 'batch'; keys: number[]; txn: number | undefined }
  | { op: 'marker'; txn: number; commit: boolean }
  | { op: 'start'; by: number }
  | { op: 'compact'; keep: number }
  | { op: 'cleaned'; keys: number[] }
  | { op: 'look' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('batch' as const), keys: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 1, maxLength: 3 }), txn: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('marker' as const), txn: fc.integer({ min: 0, max: 1 }), commit: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('start' as const), by: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('compact' as const), keep: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cleaned' as const), keys: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 1, maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.constant({ op: 'look' as const }) },
);

type Seen = [offset: number, value: unknown, status: EntryStatus][];

function byScan(log: PartitionLog, key: string): Seen {
  const out: Seen = [];
  log.forEachRecord((offset, value, status) => {
    if (typeof value === 'object' && value !== null && (value as { key?: unknown }).key === key) out.push([offset, value, status]);
  });
  return out;
}

function byKey(log: PartitionLog, key: string): Seen {
  const out: Seen = [];
  log.forEachOfKey(key, (offset, value, status) => out.push([offset, value, status]));
  return out;
}

test.prop([fc.array(opArb, { maxLength: 40 })], { numRuns: 200 })('each key\'s records are what a scan of the log shows of it', (ops) => {
  const log = new PartitionLog('__consumer_offsets', 0);
  // Per transactional id: the transaction number open on the log, if any.
  const open = new Map<number, number>();
  let n = 0;
  const check = (): void => {
    for (const key of KEYS) expect(byKey(log, key)).toEqual(byScan(log, key));
    expect(byKey(log, 'never')).toEqual([]);
  };
  for (const o of ops) {
    if (o.op === 'batch') {
      const r = o.keys.map((k, i) => (k < 0 ? { unkeyed: i } : { key: KEYS[k]!, value: { at: log.endOffset + i } }));
      if (o.txn === undefined) log.apply({ t: 'b', o: log.endOffset, r });
      else {
        if (!open.has(o.txn)) open.set(o.txn, ++n);
        log.apply({ t: 'b', o: log.endOffset, r, x: `t${o.txn}`, e: 0, n: open.get(o.txn)! });
      }
    } else if (o.op === 'marker') {
      const txn = open.get(o.txn);
      if (txn === undefined) continue;
      log.apply({ t: 'm', o: log.endOffset, x: `t${o.txn}`, e: 0, n: txn, c: o.commit });
      open.delete(o.txn);
    } else if (o.op === 'start') {
      log.apply({ t: 'l', o: log.endOffset, s: Math.min(log.endOffset, log.logStartOffset + o.by) });
    } else if (o.op === 'cleaned') {
      // A cleaned entry read back from a rewritten segment: a record at each of its offsets whose
      // key is not -1 (the others are compaction's gaps).
      const r: CleanedRecord[] = [];
      o.keys.forEach((k, i) => {
        if (k >= 0) r.push({ o: log.endOffset + i, v: { key: KEYS[k]!, value: { at: log.endOffset + i } } });
      });
      if (open.size > 0) continue;
      log.apply({ t: 'k', o: log.endOffset, n: o.keys.length, r });
    } else if (o.op === 'compact') {
      // Compaction swaps a prefix that ends at an entry boundary for the records it keeps: here up to
      // the first open transaction (the last stable offset), keeping every `keep`-th record.
      const end = log.lastStableOffset();
      const first = log.entriesBelow(end)[0]?.base;
      if (first === undefined || first >= end) continue;
      const kept: CleanedRecord[] = [];
      let i = 0;
      log.forEachRecord((offset, value, status) => {
        if (offset < end && status !== 'marker' && status !== 'aborted' && i++ % (o.keep + 1) === 0) kept.push({ o: offset, v: value });
      });
      log.replacePrefix({ t: 'k', o: first, n: end - first, r: kept });
    }
    log.durableEnd = log.endOffset;
    if (o.op === 'look') check();
  }
  check();
});
