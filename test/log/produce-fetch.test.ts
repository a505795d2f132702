/**
 * Produce and fetch against a simulated broker: offsets are contiguous per
 * partition, batches are one line each, fetch pages with maxRecords, and an
 * idempotent produce whose reply is lost (partition, broker crash) is not
 * appended twice when retried — while a produce without a seq may be.
 */
import { describe, expect, it } from 'vitest';
import { readTopic } from '../../src/log/reader.ts';
import { segmentPath } from '../../src/log/codec.ts';
import { bounce, call, logWorld, ok, settle } from './helpers.ts';
import type { AckResult, EndOffsetsResult, FetchResult, ProduceResult } from '../../src/log/client.ts';

describe('produce / fetch', () => {
  it('assigns contiguous offsets and reads them back in order', () => {
    const { world, client } = logWorld(1);
    const bases: number[] = [];
    for (let b = 0; b < 5; b++) {
      const records = Array.from({ length: b + 1 }, (_, k) => `r${b}.${k}`);
      bases.push(ok(call<ProduceResult>(world, (cb) => client().produce('t', 0, records, {}, cb))).baseOffset);
    }
    expect(bases).toEqual([0, 1, 3, 6, 10]);
    const all = ok(call<FetchResult>(world, (cb) => client().fetch('t', 0, 0, 100, 'read_committed', cb)));
    expect(all.records.map((r) => r.offset)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(all.records[0].value).toBe('r0.0');
    expect(all.records[14].value).toBe('r4.4');
    expect(all.nextOffset).toBe(15);
    expect(all.endOfPartition).toBe(false);
    // One frame per produce request.
    expect(world.disk('broker').readFrames(segmentPath('t', 0))).toHaveLength(5);
  });

  it('pages with maxRecords and resumes at nextOffset', () => {
    const { world, client } = logWorld(2);
    ok(call<ProduceResult>(world, (cb) => client().produce('t', 1, [1, 2, 3, 4, 5, 6, 7], {}, cb)));
    const seen: unknown[] = [];
    let offset = 0;
    for (let i = 0; i < 4; i++) {
      const r = ok(call<FetchResult>(world, (cb) => client().fetch('t', 1, offset, 3, 'read_uncommitted', cb)));
      seen.push(...r.records.map((x) => x.value));
      offset = r.nextOffset;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(offset).toBe(7);
  });

  it('rejects unknown topics and bad offsets', () => {
    const { world, client } = logWorld(3);
    const r1 = call<ProduceResult>(world, (cb) => client().produce('nope', 0, [1], {}, cb));
    expect(r1).toMatchObject({ ok: false, code: 'unknown-topic' });
    const r2 = call<ProduceResult>(world, (cb) => client().produce('t', 2, [1], {}, cb));
    expect(r2).toMatchObject({ ok: false, code: 'unknown-topic' });
    const r3 = call<FetchResult>(world, (cb) => client().fetch('t', 0, 5, 10, 'read_committed', cb));
    expect(r3).toMatchObject({ ok: false, code: 'bad-request' });
  });

  it('seals a partition: endOfPartition at its end, later produces refused', () => {
    const { world, client } = logWorld(4);
    ok(call<ProduceResult>(world, (cb) => client().produce('t', 0, ['a', 'b'], {}, cb)));
    ok(call<AckResult>(world, (cb) => client().seal('t', 0, cb)));
    ok(call<AckResult>(world, (cb) => client().seal('t', 0, cb)));
    const head = ok(call<FetchResult>(world, (cb) => client().fetch('t', 0, 0, 1, 'read_committed', cb)));
    expect(head.endOfPartition).toBe(false);
    const tail = ok(call<FetchResult>(world, (cb) => client().fetch('t', 0, 1, 10, 'read_committed', cb)));
    expect(tail.endOfPartition).toBe(true);
    const late = call<ProduceResult>(world, (cb) => client().produce('t', 0, ['c'], {}, cb));
    expect(late).toMatchObject({ ok: false, code: 'bad-request' });
    const other = ok(call<FetchResult>(world, (cb) => client().fetch('t', 1, 0, 10, 'read_committed', cb)));
    expect(other.endOfPartition).toBe(false);
    // The seal survives a restart.
    bounce(world, 'broker');
    const again = ok(call<FetchResult>(world, (cb) => client().fetch('t', 0, 2, 10, 'read_committed', cb)));
    expect(again.endOfPartition).toBe(true);
  });

  it('reports end offsets', () => {
    const { world, client } = logWorld(5);
    ok(call<ProduceResult>(world, (cb) => client().produce('t', 1, ['a', 'b', 'c'], {}, cb)));
    const r = ok(call<EndOffsetsResult>(world, (cb) => client().endOffsets('t', cb)));
    expect(r.offsets).toEqual([0, 3]);
  });
});

describe('idempotent retries', () => {
  it('does not duplicate a produce whose reply was cut by a partition', () => {
    const { world, client } = logWorld(10);
    let result: ProduceResult | undefined;
    client().produce('t', 0, ['x', 'y'], { producer: { id: 'p1', seq: 0 } }, (r) => (result = r));
    // Let the request reach the broker and the broker append, then cut the link before the reply lands.
    world.run({ stopWhen: () => (world.disk('broker').readFrames(segmentPath('t', 0)) ?? []).length > 0 });
    world.partition('app', 'broker', 120);
    world.run({ stopWhen: () => result !== undefined, untilMs: world.now() + 10_000 });
    expect(world.stats.messagesDropped).toBeGreaterThan(0);
    expect(ok(result as ProduceResult).baseOffset).toBe(0);
    settle(world, 500);
    expect(readTopic(world.disk('broker'), 't', 'read_uncommitted')[0].map((r) => r.value)).toEqual(['x', 'y']);
  });

  it('does not duplicate a produce acknowledged just before a broker crash', () => {
    const { world, client } = logWorld(11);
    ok(call<ProduceResult>(world, (cb) => client().produce('t', 0, ['a'], { producer: { id: 'p1', seq: 0 } }, cb)));
    bounce(world, 'broker');
    // The same seq again (what a retry after a lost reply sends) gets the original offset back.
    const again = ok(call<ProduceResult>(world, (cb) => client().produce('t', 0, ['a'], { producer: { id: 'p1', seq: 0 } }, cb)));
    expect(again.baseOffset).toBe(0);
    const next = ok(call<ProduceResult>(world, (cb) => client().produce('t', 0, ['b'], { producer: { id: 'p1', seq: 1 } }, cb)));
    expect(next.baseOffset).toBe(1);
    const fetched = ok(call<FetchResult>(world, (cb) => client().fetch('t', 0, 0, 10, 'read_committed', cb)));
    expect(fetched.records.map((r) => r.value)).toEqual(['a', 'b']);
  });

  it('a produce without a producer seq may duplicate when its reply is lost (at-least-once)', () => {
    const { world, client } = logWorld(12);
    let result: ProduceResult | undefined;
    client().produce('t', 0, ['dup'], {}, (r) => (result = r));
    world.run({ stopWhen: () => (world.disk('broker').readFrames(segmentPath('t', 0)) ?? []).length > 0 });
    world.partition('app', 'broker', 120);
    world.run({ stopWhen: () => result !== undefined, untilMs: world.now() + 10_000 });
    expect(world.stats.messagesDropped).toBeGreaterThan(0);
    ok(result as ProduceResult);
    settle(world, 500);
    expect(readTopic(world.disk('broker'), 't', 'read_committed')[0].map((r) => r.value)).toEqual(['dup', 'dup']);
  });
});
