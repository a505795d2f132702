/**
 * DeleteRecords (what Kafka Streams calls on repartition topics after a
 * commit). Proves: the log start offset moves forward only, up to the high
 * watermark; fetches below it are `offset-out-of-range` and reads start at
 * it; a compacted topic refuses it (`policy-violation`); the move is durable
 * once acknowledged; the cleaner then drops the records from the segment file,
 * crash-safely, while an idempotent producer's retry is still recognised;
 * the last stable offset never falls below the log start.
 */
import { describe, expect, it } from 'vitest';
import { bounce, call, logWorld, ok, settle, type LogWorld } from './helpers.ts';
import { segmentPath } from '../../src/log/codec.ts';
import { readTopic } from '../../src/log/reader.ts';
import type { DeleteRecordsResult, EndOffsetsResult, FetchResult, InitTxnResult, ProduceResult } from '../../src/log/client.ts';

const CONFIG = { topicConfigs: { c: { cleanupPolicy: 'compact' as const } }, cleanerBackoffMs: 100 };

function del(w: LogWorld, partition: number, before: number, topic = 't'): DeleteRecordsResult {
  return call<DeleteRecordsResult>(w.world, (cb) => w.client().deleteRecords(topic, partition, before, cb));
}
function fetchFrom(w: LogWorld, offset: number): FetchResult {
  return call<FetchResult>(w.world, (cb) => w.client().fetch('t', 0, offset, 100, 'read_committed', cb));
}

describe('deleteRecords', () => {
  it('moves the log start offset, only forward and up to the high watermark', () => {
    const w = logWorld(80, { t: 2, c: 1 }, {}, CONFIG);
    for (let i = 0; i < 10; i++) ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, [`v${i}`], { producer: { id: 'p', seq: i } }, cb)));
    expect(ok(del(w, 0, 4)).lowWatermark).toBe(4);
    expect(ok(del(w, 0, 2)).lowWatermark).toBe(4);
    expect(del(w, 0, 11)).toMatchObject({ ok: false, code: 'offset-out-of-range' });
    expect(del(w, 0, 1, 'c')).toMatchObject({ ok: false, code: 'policy-violation' });
    expect(fetchFrom(w, 3)).toMatchObject({ ok: false, code: 'offset-out-of-range' });
    const r = ok(fetchFrom(w, 4));
    expect(r.records.map((x) => x.offset)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(ok(call<EndOffsetsResult>(w.world, (cb) => w.client().startOffsets('t', cb))).offsets).toEqual([4, 0]);

    // Durable once acknowledged, then dropped from the file by the cleaner.
    bounce(w.world, 'broker');
    expect(ok(call<EndOffsetsResult>(w.world, (cb) => w.client().startOffsets('t', cb))).offsets).toEqual([4, 0]);
    const before = JSON.stringify(w.world.disk('broker').readFrames(segmentPath('t', 0)));
    expect(before).toContain('"v0"');
    settle(w.world, 300);
    const after = JSON.stringify(w.world.disk('broker').readFrames(segmentPath('t', 0)));
    expect(after).not.toContain('"v3"');
    expect(after).toContain('"v4"');
    expect(after.length).toBeLessThan(before.length);
    bounce(w.world, 'broker');
    expect(ok(fetchFrom(w, 4)).records.map((x) => x.value)).toEqual(['v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
    // A retry of the last batch is still recognised after the rewrite and a restart.
    expect(ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['v9'], { producer: { id: 'p', seq: 9 } }, cb))).baseOffset).toBe(9);
    expect(ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['v10'], {}, cb))).baseOffset).toBe(10);
    w.world.crash('broker');
    expect(readTopic(w.world.disk('broker'), 't', 'read_committed')[0]!.map((x) => x.offset)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it('the last stable offset never falls below the log start, also past an open transaction (UnifiedLog)', () => {
    const w = logWorld(82, { t: 1 }, {}, { cleanerBackoffMs: 100 });
    const epoch = ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn('T', cb))).epoch;
    ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['a', 'b', 'c'], { txn: { id: 'T', epoch }, producer: { id: 'T', seq: 0 } }, cb)));
    const lso = (): number => ok(call<EndOffsetsResult>(w.world, (cb) => w.client().endOffsets('t', cb, 'read_committed'))).offsets[0]!;
    expect(lso()).toBe(0);
    ok(del(w, 0, 2));
    expect(lso()).toBe(2);
    expect(ok(fetchFrom(w, 2)).records).toEqual([]);
  });

  it('deleting everything leaves an empty partition that continues at its end', () => {
    const w = logWorld(81, { t: 1 }, {}, { cleanerBackoffMs: 100 });
    ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['a', 'b', 'c'], {}, cb)));
    ok(del(w, 0, 3));
    settle(w.world, 300);
    bounce(w.world, 'broker');
    expect(ok(fetchFrom(w, 3))).toMatchObject({ records: [], nextOffset: 3 });
    expect(ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['d'], {}, cb))).baseOffset).toBe(3);
    expect(ok(fetchFrom(w, 3)).records).toEqual([{ offset: 3, value: 'd' }]);
  });

  it('answers a fetch parked at an offset that DeleteRecords passes with offset-out-of-range', () => {
    const w = logWorld(82, { t: 1 });
    ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['a', 'b'], {}, cb)));
    const epoch = ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn('T', cb))).epoch;
    ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['open'], { txn: { id: 'T', epoch } }, cb)));
    let parked: FetchResult | undefined;
    w.client().fetch('t', 0, 2, 10, 'read_committed', (r) => (parked = r), 40);
    settle(w.world, 20);
    expect(parked).toBeUndefined();
    ok(del(w, 0, 3));
    settle(w.world, 20);
    expect(parked).toMatchObject({ ok: false, code: 'offset-out-of-range' });
  });
});
