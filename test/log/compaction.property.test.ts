/**
 * Property: compaction is crash-safe and loses nothing it must keep. Under
 * any sequence of keyed writes, tombstones and committed or aborted
 * transactions on a compacted partition, with the broker crashing at seeded
 * moments (also while the cleaner rewrites the segment, and with torn
 * writes), once the writes are done and the cleaner has run, a
 * read_committed consumer sees exactly the last committed value of every key
 * whose last value is not a tombstone, each at the offset its write was
 * acknowledged with — through fetch (paged) and through the offline reader on
 * the crashed broker's disk. While writes go on, what it sees is always a
 * subsequence of the committed records at their offsets.
 *
 * Method: fast-check draws the operations and crash delays; a model records
 * each acknowledged record with its offset and whether it is committed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { call, logWorld, ok, settle, type LogWorld } from './helpers.ts';
import { readTopic } from '../../src/log/reader.ts';
import type { AckResult, FetchResult, InitTxnResult, ProduceResult } from '../../src/log/client.ts';
import type { KeyedRecord } from '../../src/log/protocol.ts';

type Op =
  | { op: 'put'; key: number; tombstone: boolean; crashInMs: number | null }
  | { op: 'txn'; keys: number[]; commit: boolean; crashInMs: number | null };

const crashIn = fc.option(fc.integer({ min: 0, max: 40 }), { freq: 3 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('put' as const), key: fc.integer({ min: 0, max: 4 }), tombstone: fc.boolean(), crashInMs: crashIn }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('txn' as const), keys: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }), commit: fc.boolean(), crashInMs: crashIn }) },
);

interface Acked {
  offset: number;
  record: KeyedRecord;
  committed: boolean;
}

function scheduleCrash(w: LogWorld, crashInMs: number | null): void {
  if (crashInMs === null) return;
  w.world.schedule(crashInMs, () => {
    w.world.crash('broker');
    w.world.schedule(5, () => w.world.restart('broker'));
  });
}

function fetchAll(w: LogWorld): { offset: number; value: unknown }[] {
  const out: { offset: number; value: unknown }[] = [];
  let offset = 0;
  for (let i = 0; i < 1000; i++) {
    const r = ok(call<FetchResult>(w.world, (cb) => w.client().fetch('c', 0, offset, 3, 'read_committed', cb)));
    out.push(...r.records);
    if (r.nextOffset === offset) break;
    offset = r.nextOffset;
  }
  return out;
}

function expectSubsequence(seen: { offset: number; value: unknown }[], model: Acked[]): void {
  const byOffset = new Map(model.filter((a) => a.committed).map((a) => [a.offset, a.record]));
  for (let i = 0; i < seen.length; i++) {
    expect(byOffset.get(seen[i]!.offset), `offset ${seen[i]!.offset}`).toEqual(seen[i]!.value);
    if (i > 0) expect(seen[i]!.offset).toBeGreaterThan(seen[i - 1]!.offset);
  }
}

describe('compaction under crashes', () => {
  it('keeps exactly the last committed value of every live key, at its offset', () => {
    const args = [fc.integer({ min: 0, max: 1 << 30 }), fc.array(opArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: 60 })] as const;
    fc.assert(fc.property(...args, (seed, ops, deleteRetentionMs) => {
      const w = logWorld(seed, { c: 1 }, {}, { topicConfigs: { c: { cleanupPolicy: 'compact', deleteRetentionMs } }, cleanerBackoffMs: 20 });
      const model: Acked[] = [];
      let epoch: number | undefined;
      let seq = 0;
      const produce = (records: KeyedRecord[], txn?: { id: string; epoch: number }): number =>
        ok(call<ProduceResult>(w.world, (cb) => w.client().produce('c', 0, records, { producer: { id: 'p', seq: seq++ }, ...(txn ? { txn } : {}) }, cb))).baseOffset;
      ops.forEach((o, i) => {
        scheduleCrash(w, o.crashInMs);
        if (o.op === 'put') {
          const record = { key: `k${o.key}`, value: o.tombstone ? null : `v${i}` };
          model.push({ offset: produce([record]), record, committed: true });
        } else {
          epoch ??= ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn('T', cb))).epoch;
          const records = o.keys.map((k, j) => ({ key: `k${k}`, value: `t${i}.${j}` }));
          const base = produce(records, { id: 'T', epoch });
          ok(call<AckResult>(w.world, (cb) => w.client().endTxn('T', epoch!, o.commit, cb)));
          records.forEach((record, j) => model.push({ offset: base + j, record, committed: o.commit }));
        }
        if (i % 8 === 7) expectSubsequence(fetchAll(w), model);
      });
      settle(w.world, 600);
      const last = new Map<string, Acked>();
      for (const a of model) if (a.committed) last.set(a.record.key, a);
      const want = [...last.values()].filter((a) => a.record.value !== null).sort((a, b) => a.offset - b.offset).map((a) => ({ offset: a.offset, value: a.record }));
      expect(fetchAll(w)).toEqual(want);
      w.world.crash('broker');
      expect(readTopic(w.world.disk('broker'), 'c', 'read_committed')[0]!.map((r) => ({ offset: r.offset, value: r.value }))).toEqual(want);
    }), { numRuns: 150 });
  });
});
