/**
 * Compacted topics: the pure cleaning rule (compaction.ts) and the broker's
 * background cleaner (log-cleaner.ts). Proves: the latest value per key
 * survives, older ones and aborted records and markers go, offsets are kept
 * and readers skip the gaps; a tombstone stays until its delete horizon and
 * then goes; nothing at or after the first open transaction or the high
 * watermark is touched; a compacted topic refuses records without a key; the
 * rewritten segment is what a restarted broker and the offline reader see;
 * `__consumer_offsets` is compacted too.
 */
import { describe, expect, it } from 'vitest';
import { bounce, call, logWorld, ok, settle, type LogWorld } from './helpers.ts';
import { cleanableEnd, cleanPrefix } from '../../src/log/compaction.ts';
import { OFFSETS_TOPIC, segmentPath, type SegmentEntry } from '../../src/log/codec.ts';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { readTopic } from '../../src/log/reader.ts';
import type { AckResult, FetchResult, InitTxnResult, JoinGroupResult, ProduceResult } from '../../src/log/client.ts';
import type { KeyedRecord } from '../../src/log/protocol.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

const kv = (key: string, value: unknown): KeyedRecord => ({ key, value });

function logOf(entries: SegmentEntry[]): PartitionLog {
  const log = new PartitionLog('c', 0);
  for (const e of entries) log.apply(e);
  log.durableEnd = log.endOffset;
  return log;
}

describe('cleanPrefix', () => {
  it('keeps the latest committed value per key at its offset and drops the rest', () => {
    const log = logOf([
      { t: 'b', o: 0, r: [kv('a', 1), kv('b', 1)] },
      { t: 'b', o: 2, r: [kv('a', 2)], x: 'T', e: 1, n: 1 },
      { t: 'b', o: 3, r: [kv('b', 2)], x: 'U', e: 1, n: 1 },
      { t: 'm', o: 4, x: 'U', e: 1, n: 1, c: false },
      { t: 'm', o: 5, x: 'T', e: 1, n: 1, c: true },
      { t: 'b', o: 6, r: ['no key', kv('c', 1)] },
    ]);
    const end = cleanableEnd(log);
    expect(end).toBe(8);
    const r = cleanPrefix(log.entriesBelow(end), end, 0, 100)!;
    // a: committed 2 at offset 2 wins; b: the aborted 2 does not count, 1 stays; markers and the keyless record go.
    expect(r.entry).toEqual({ t: 'k', o: 0, n: 8, r: [{ o: 1, v: kv('b', 1) }, { o: 2, v: kv('a', 2) }, { o: 7, v: kv('c', 1) }] });
    expect(r.removed).toBe(5);
    log.replacePrefix(r.entry);
    expect(log.read(0, 100, 'read_committed')).toEqual({
      records: [{ offset: 1, value: kv('b', 1) }, { offset: 2, value: kv('a', 2) }, { offset: 7, value: kv('c', 1) }],
      nextOffset: 8,
    });
    // Paging across the gaps resumes at the next kept record.
    expect(log.read(0, 1, 'read_committed')).toEqual({ records: [{ offset: 1, value: kv('b', 1) }], nextOffset: 2 });
    expect(log.read(3, 1, 'read_committed')).toEqual({ records: [{ offset: 7, value: kv('c', 1) }], nextOffset: 8 });
  });

  it('keeps a tombstone until its delete horizon, stamped by the first cleaning that keeps it', () => {
    const log = logOf([{ t: 'b', o: 0, r: [kv('a', 1), kv('a', null), kv('b', 1)] }]);
    const first = cleanPrefix(log.entriesBelow(3), 3, 1_000, 500)!;
    expect(first).toMatchObject({ removed: 1, stamped: 1, nextHorizonMs: 1_500 });
    expect(first.entry.r).toEqual([{ o: 1, v: kv('a', null), h: 1_500 }, { o: 2, v: kv('b', 1) }]);
    log.replacePrefix(first.entry);
    expect(cleanPrefix(log.entriesBelow(3), 3, 1_499, 500)).toMatchObject({ removed: 0, stamped: 0, nextHorizonMs: 1_500 });
    const late = cleanPrefix(log.entriesBelow(3), 3, 1_500, 500)!;
    expect(late.entry.r).toEqual([{ o: 2, v: kv('b', 1) }]);
    expect(late.nextHorizonMs).toBeUndefined();
  });

  it('stops at the first open transaction and at the high watermark', () => {
    const log = logOf([
      { t: 'b', o: 0, r: [kv('a', 1)] },
      { t: 'b', o: 1, r: [kv('a', 2)], x: 'T', e: 1, n: 1 },
      { t: 'b', o: 2, r: [kv('a', 3)] },
    ]);
    expect(cleanableEnd(log)).toBe(1);
    expect(log.entriesBelow(1)).toHaveLength(1);
    log.apply({ t: 'm', o: 3, x: 'T', e: 1, n: 1, c: true });
    expect(cleanableEnd(log)).toBe(3); // the marker at 3 is not durable yet
    log.durableEnd = 4;
    expect(cleanableEnd(log)).toBe(4);
  });
});

const CONFIG = { topicConfigs: { c: { cleanupPolicy: 'compact' as const, deleteRetentionMs: 500 } }, cleanerBackoffMs: 100 };

function compactedWorld(seed: number): LogWorld {
  return logWorld(seed, { t: 1, c: 1 }, {}, CONFIG);
}
function produce(w: LogWorld, records: unknown[], txn?: { id: string; epoch: number }): ProduceResult {
  return call<ProduceResult>(w.world, (cb) => w.client().produce('c', 0, records, txn === undefined ? {} : { txn }, cb));
}
function readAll(w: LogWorld): { offset: number; value: unknown }[] {
  return ok(call<FetchResult>(w.world, (cb) => w.client().fetch('c', 0, 0, 1000, 'read_committed', cb))).records;
}
function cleanings(w: LogWorld): TraceEvent[] {
  const out: TraceEvent[] = [];
  w.world.trace.subscribe((e) => void (e.kind === 'log.clean' && out.push(e)));
  return out;
}

describe('the cleaner on the broker', () => {
  it('refuses records without a key on a compacted topic', () => {
    const w = compactedWorld(70);
    expect(produce(w, ['bare'])).toMatchObject({ ok: false, code: 'bad-request' });
    expect(produce(w, [kv('k', 'v'), { value: 1 }])).toMatchObject({ ok: false, code: 'bad-request' });
    ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['bare'], {}, cb)));
  });

  it('compacts in the background and the rewritten segment survives a crash', () => {
    const w = compactedWorld(71);
    const cleaned = cleanings(w);
    for (let i = 0; i < 10; i++) ok(produce(w, [kv(`k${i % 3}`, i)]));
    const sizeBefore = w.world.disk('broker').readFrames(segmentPath('c', 0))!.length;
    settle(w.world, 300);
    expect(cleaned.length).toBeGreaterThan(0);
    const want = [{ offset: 7, value: kv('k1', 7) }, { offset: 8, value: kv('k2', 8) }, { offset: 9, value: kv('k0', 9) }];
    expect(readAll(w)).toEqual(want);
    expect(w.world.disk('broker').readFrames(segmentPath('c', 0))!.length).toBeLessThan(sizeBefore);
    // Appends continue at the end; a restart reads the rewritten segment.
    expect(ok(produce(w, [kv('k0', 10)])).baseOffset).toBe(10);
    bounce(w.world, 'broker');
    expect(readAll(w)).toEqual([...want, { offset: 10, value: kv('k0', 10) }]);
    w.world.crash('broker');
    expect(readTopic(w.world.disk('broker'), 'c', 'read_committed')[0]!.map((r) => r.offset)).toEqual([7, 8, 9, 10]);
  });

  it('removes a tombstone after delete.retention.ms', () => {
    const w = compactedWorld(72);
    ok(produce(w, [kv('a', 1), kv('b', 1)]));
    ok(produce(w, [kv('a', null)]));
    settle(w.world, 300);
    expect(readAll(w)).toEqual([{ offset: 1, value: kv('b', 1) }, { offset: 2, value: kv('a', null) }]);
    settle(w.world, 1_000);
    expect(readAll(w)).toEqual([{ offset: 1, value: kv('b', 1) }]);
  });

  it('leaves open transactions and what follows them alone, and drops aborted records', () => {
    const w = compactedWorld(73);
    const epoch = ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn('T', cb))).epoch;
    const epochU = ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn('U', cb))).epoch;
    ok(produce(w, [kv('a', 1), kv('a', 2)]));
    ok(produce(w, [kv('a', 'aborted')], { id: 'U', epoch: epochU }));
    ok(call<AckResult>(w.world, (cb) => w.client().endTxn('U', epochU, false, cb)));
    ok(produce(w, [kv('a', 'open')], { id: 'T', epoch }));
    ok(produce(w, [kv('a', 3), kv('a', 4)]));
    settle(w.world, 300);
    const uncommitted = ok(call<FetchResult>(w.world, (cb) => w.client().fetch('c', 0, 0, 100, 'read_uncommitted', cb))).records;
    // Offsets 0..3 cleaned (a=2 kept; the aborted record and its marker gone); 4.. untouched.
    expect(uncommitted.map((r) => r.offset)).toEqual([1, 4, 5, 6]);
    ok(call<AckResult>(w.world, (cb) => w.client().endTxn('T', epoch, true, cb)));
    settle(w.world, 300);
    expect(readAll(w)).toEqual([{ offset: 6, value: kv('a', 4) }]);
  });

  it('compacts __consumer_offsets, keeping the latest commit per partition', () => {
    const w = logWorld(74, { t: 2 }, {}, { cleanerBackoffMs: 100 });
    const j = ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 1_000 }, cb)));
    const group = { groupId: 'g', memberId: 'a', generation: j.generation };
    for (let k = 0; k < 20; k++) ok(call<AckResult>(w.world, (cb) => w.client().commitOffsets(group, [{ topic: 't', partition: k % 2, offset: k, metadata: '' }], cb)));
    settle(w.world, 300);
    const stored = ok(call<FetchResult>(w.world, (cb) => w.client().fetch(OFFSETS_TOPIC, 0, 0, 100, 'read_committed', cb))).records;
    expect(stored).toHaveLength(3); // the group record and one commit per partition
    bounce(w.world, 'broker');
    ok(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', j.generation, cb)));
    const fetched = ok(call<import('../../src/log/client.ts').FetchOffsetsResult>(w.world, (cb) =>
      w.client().fetchOffsets('g', [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }], {}, cb)));
    expect(fetched.offsets.map((o) => o.offset)).toEqual([18, 19]);
  });

  it('never arms a timer or writes anything new for a broker without compacted writes or deletes', () => {
    const w = logWorld(75);
    ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['x'], {}, cb)));
    settle(w.world, 100);
    const steps = w.world.stats.steps;
    settle(w.world, 60_000);
    expect(w.world.stats.steps).toBe(steps);
    expect(w.world.disk('broker').list('log/').filter((p) => p.includes(OFFSETS_TOPIC) || p.endsWith('.clean'))).toEqual([]);
  });
});
