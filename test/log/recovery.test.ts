/**
 * Broker crash and recovery. Proves: (1) every acknowledged record survives
 * any number of broker crashes, at the offset it was acknowledged with, and an
 * idempotent producer's retries never duplicate it, whatever the torn writes
 * (checked over many seeds with crashes at seeded times); (2) a torn tail
 * line is dropped and the file cut back so later appends start clean; (3) a
 * corrupt line in the middle stops recovery there and is reported as
 * `disk.corrupt`; (4) transient read corruption loses nothing, also when
 * it hits a complete last line in every read of a restart (not taken for a
 * torn write, which leaves a line without its newline).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFile, isSegmentEntry, segmentPath } from '../../src/log/codec.ts';
import { CorruptFrame, TORN_FRAME } from '../../src/runtime/types.ts';
import { readTopic } from '../../src/log/reader.ts';
import { bounce, call, logWorld, ok, settle } from './helpers.ts';
import type { FetchResult, ProduceResult } from '../../src/log/client.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

describe('acknowledged records survive crashes', () => {
  it('holds over seeded crash times, with torn writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 6 }), (seed, crashAtMs) => {
        const { world, client } = logWorld(seed);
        for (const at of crashAtMs) {
          world.schedule(at, () => {
            world.crash('broker');
            world.schedule(7, () => world.restart('broker'));
          });
        }
        const acked = new Map<number, number>();
        const batches = 40;
        const produceSeq = (seq: number): void => {
          const records = [`s${seq}a`, `s${seq}b`];
          client().produce('t', 0, records, { producer: { id: 'w', seq } }, (r) => {
            if (!r.ok) throw new Error(`produce failed: ${r.code}`);
            acked.set(seq, r.baseOffset);
            if (seq + 1 < batches) produceSeq(seq + 1);
          });
        };
        produceSeq(0);
        world.run({ stopWhen: () => acked.size === batches, untilMs: 200_000 });
        expect(acked.size).toBe(batches);
        settle(world, 1_000);
        world.crash('broker');
        const log = readTopic(world.disk('broker'), 't', 'read_committed')[0];
        expect(log.map((r) => r.value)).toEqual(Array.from({ length: batches }, (_, s) => [`s${s}a`, `s${s}b`]).flat());
        for (const [seq, base] of acked) expect(log[base].value).toBe(`s${seq}a`);
      }),
      { numRuns: 60 },
    );
  });
});

function collect(world: { trace: { subscribe(fn: (e: TraceEvent) => void): unknown } }, kind: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  world.trace.subscribe((e) => {
    if (e.kind === kind) out.push(e);
  });
  return out;
}

describe('damaged segments', () => {
  it('drops a torn tail frame and appends cleanly after it', () => {
    const { world, client } = logWorld(20);
    ok(call<ProduceResult>(world, (cb) => client().produce('t', 0, ['a', 'b'], {}, cb)));
    const path = segmentPath('t', 0);
    const disk = world.disk('broker');
    // A torn append: part of a frame, made durable.
    disk.appendFrame(path, TORN_FRAME);
    disk.fsync(path);
    settle(world, 50);
    bounce(world, 'broker');
    const next = ok(call<ProduceResult>(world, (cb) => client().produce('t', 0, ['c'], {}, cb)));
    expect(next.baseOffset).toBe(2);
    settle(world, 50);
    const decoded = readFile(disk, path, isSegmentEntry);
    expect(decoded.damage).toBeUndefined();
    expect(decoded.items).toHaveLength(2);
    expect(readTopic(disk, 't', 'read_committed')[0].map((r) => r.value)).toEqual(['a', 'b', 'c']);
  });

  it('stops at a corrupt frame in the middle and reports disk.corrupt', () => {
    const { world, client } = logWorld(21);
    for (const v of ['a', 'b', 'c']) ok(call<ProduceResult>(world, (cb) => client().produce('t', 1, [v], {}, cb)));
    const path = segmentPath('t', 1);
    const disk = world.disk('broker');
    const frames = [...(disk.readFrames(path) as unknown[])];
    // The second frame fails its checksum, durably.
    frames[1] = new CorruptFrame(frames[1], 0);
    disk.writeFrames(path, frames);
    disk.fsync(path);
    settle(world, 50);
    const corrupt = collect(world, 'disk.corrupt');
    bounce(world, 'broker');
    const fetched = ok(call<FetchResult>(world, (cb) => client().fetch('t', 1, 0, 10, 'read_committed', cb)));
    expect(fetched.records.map((r) => r.value)).toEqual(['a']);
    // The damage reads back the same on every retry, so it is taken as lost data at last.
    const retries = corrupt.filter((e) => e.retry !== undefined);
    const cut = corrupt.filter((e) => e.droppedFrames !== undefined);
    // The recovery that went on read the segment again after its first read showed the damage.
    expect(corrupt.some((e) => e.reread === true && e.path === path)).toBe(true);
    expect(retries.length).toBeGreaterThan(1);
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatchObject({ path, frame: 1, droppedFrames: 1, detectedBy: 'log.recovery' });
    const next = ok(call<ProduceResult>(world, (cb) => client().produce('t', 1, ['d'], {}, cb)));
    expect(next.baseOffset).toBe(1);
  });

  it('keeps an acknowledged last frame that reads back corrupt for the whole restart, once the reads clear', () => {
    // A short segment: every damaged read lands on its one frame, in every read of the restart.
    const { world, client } = logWorld(23);
    ok(call<ProduceResult>(world, (cb) => client().produce('t', 1, ['only'], {}, cb)));
    world.setDiskFault('broker', { readCorruption: true });
    world.crash('broker');
    world.restart('broker');
    settle(world, 250);
    world.setDiskFault('broker', { readCorruption: false });
    settle(world, 500);
    const fetched = ok(call<FetchResult>(world, (cb) => client().fetch('t', 1, 0, 10, 'read_committed', cb)));
    expect(fetched.records).toEqual([{ offset: 0, value: 'only' }]);
  });

  it('tells a torn last frame from a complete one that fails its checksum', () => {
    const frame = { t: 'b', o: 0, r: ['x'] };
    const torn = readFile({ readFrames: () => [frame, TORN_FRAME] } as never, 'p', isSegmentEntry);
    expect(torn.damage).toMatchObject({ kind: 'tail', frame: 1 });
    expect(torn.intact).toEqual([frame]);
    const corrupt = readFile({ readFrames: () => [frame, new CorruptFrame(frame, 0)] } as never, 'p', isSegmentEntry);
    expect(corrupt.damage).toMatchObject({ kind: 'middle', frame: 1, droppedFrames: 0 });
    // Damage followed by an intact frame is corruption even when the damaged one is torn.
    const middle = readFile({ readFrames: () => [frame, TORN_FRAME, { t: 's', o: 1 }] } as never, 'p', isSegmentEntry);
    expect(middle.damage).toMatchObject({ kind: 'middle', frame: 1, droppedFrames: 1 });
  });

  it('loses nothing to transient read corruption', () => {
    const { world, client } = logWorld(22);
    for (let i = 0; i < 20; i++) ok(call<ProduceResult>(world, (cb) => client().produce('t', 0, [i, i + 1], {}, cb)));
    world.setDiskFault('broker', { readCorruption: true });
    for (let k = 0; k < 5; k++) bounce(world, 'broker');
    const fetched = ok(call<FetchResult>(world, (cb) => client().fetch('t', 0, 0, 100, 'read_committed', cb)));
    expect(fetched.records).toHaveLength(40);
    expect(fetched.records[39]).toEqual({ offset: 39, value: 20 });
  });
});
