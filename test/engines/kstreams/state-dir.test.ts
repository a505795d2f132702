/**
 * What this proves: a Kafka Streams task's state directory (K10) works as
 * Kafka's does. The files themselves: a `.checkpoint` and a store file read
 * back as written, and a read that read corruption damaged is refused, never
 * misread. Kafka's rule for when a checkpoint is written
 * (`checkpointNeeded`): enforced, or past 10,000 offsets of changelog
 * progress. In runs: under at-least-once commits below that threshold write
 * no checkpoint, a rebalance's clean close does, and a restarted instance
 * loads its stores from the directory and restores only the changelog tail
 * after the checkpoint's offsets; under exactly-once a crash while running leaves no
 * checkpoint, so the directory is wiped and restored in full; a directory
 * found corrupt is wiped and restored from the changelog; and every store so
 * restored is judged by `ks.restore` against the committed changelog.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../../src/sim/world.ts';
import type { Disk } from '../../../src/runtime/types.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import {
  checkpointNeeded, OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT, persistStore, readCheckpoint, readStore, wipeDir, writeCheckpoint,
} from '../../../src/engines/kstreams/state-dir.ts';
import type { FaultPlan } from '../../../src/sim/faults.ts';
import { failed, run } from '../../explore/helpers.ts';

function diskOf(seed = 1): { world: World; disk: Disk } {
  const world = new World({ seed, disk: { fsyncMsMin: 0, fsyncMsMax: 3 } });
  let disk: Disk | undefined;
  world.addProcess('p', (ctx) => {
    disk = ctx.disk;
    return { onMessage() {} };
  });
  world.run();
  return { world, disk: disk! };
}

describe('state directory files', () => {
  const dir = 'state/app/1_0/';
  const entries = [{ topic: 'app-counts-changelog', partition: 0, offset: 41 }, { topic: 'app-other changelog', partition: 0, offset: -1 }];

  it('reads a checkpoint back once its rename landed, and nothing before', () => {
    const { world, disk } = diskOf();
    writeCheckpoint(disk, dir, entries);
    expect(readCheckpoint(disk, dir)).toEqual({ kind: 'missing' });
    world.run();
    expect(readCheckpoint(disk, dir)).toEqual({ kind: 'ok', entries });
  });

  it('drops a checkpoint whose directory was wiped or loaded while it was being written', () => {
    const { world, disk } = diskOf();
    writeCheckpoint(disk, dir, entries, () => false);
    world.run();
    expect(readCheckpoint(disk, dir)).toEqual({ kind: 'missing' });
    expect(disk.list(dir)).toEqual([]);
  });

  it('refuses a checkpoint or store file that a corrupted read damaged, and never misreads one', () => {
    const { world, disk } = diskOf(7);
    writeCheckpoint(disk, dir, entries);
    persistStore(disk, dir, 'counts', [['k1', 3, 100, 40], ['k2', 1, 120, 41]]);
    persistStore(disk, dir, 'counts', [['k1', null, 0, -1]]);
    world.run();
    world.setDiskFault('p', { readCorruption: true });
    const seen = { ok: 0, corrupt: 0, storeOk: 0, storeCorrupt: 0 };
    for (let i = 0; i < 60; i++) {
      const c = readCheckpoint(disk, dir);
      if (c.kind === 'ok') {
        seen.ok++;
        expect(c.entries).toEqual(entries);
      } else {
        expect(c.kind).toBe('corrupt');
        seen.corrupt++;
      }
      const s = readStore(disk, dir, 'counts');
      if (s.kind === 'ok') {
        seen.storeOk++;
        expect(s.entries).toEqual([['k1', 3, 100, 40], ['k2', 1, 120, 41], ['k1', null, 0, -1]]);
      } else {
        expect(s.kind).toBe('corrupt');
        seen.storeCorrupt++;
      }
    }
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.corrupt).toBeGreaterThan(0);
    expect(seen.storeOk).toBeGreaterThan(0);
    expect(seen.storeCorrupt).toBeGreaterThan(0);
  });

  it('ends a store file at a torn last append (a crash cut it), keeping the synced frames', () => {
    const { world, disk } = diskOf(3);
    persistStore(disk, dir, 'counts', [['a', 1, 1, 0]]);
    world.run();
    // Unsynced appends, then a crash: the file keeps its synced frame and maybe a torn tail.
    for (let i = 0; i < 5; i++) disk.appendFrame(`${dir}counts.db`, [[`b${i}`, i, i, i + 1]]);
    world.crash('p');
    const r = readStore(disk, dir, 'counts');
    expect(r.kind).toBe('ok');
    if (r.kind === 'ok') expect(r.entries[0]).toEqual(['a', 1, 1, 0]);
    expect(wipeDir(disk, dir)).toBe(1);
    expect(readStore(disk, dir, 'counts')).toEqual({ kind: 'missing' });
  });
});

describe('when a checkpoint is needed (StateManagerUtil.checkpointNeeded)', () => {
  const offsets = (o: Record<string, number>) => new Map(Object.entries(o));
  it('never before the stores are registered, always when enforced', () => {
    expect(checkpointNeeded(true, undefined, offsets({ a: 50_000 }))).toBe(false);
    expect(checkpointNeeded(true, offsets({ a: 7 }), offsets({ a: 7 }))).toBe(true);
  });
  it('otherwise only past the threshold, summed over the stores, a store new to the snapshot counting from 0', () => {
    const t = OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT;
    expect(t).toBe(10_000);
    expect(checkpointNeeded(false, offsets({ a: 100 }), offsets({ a: 100 + t }))).toBe(false);
    expect(checkpointNeeded(false, offsets({ a: 100 }), offsets({ a: 101 + t }))).toBe(true);
    expect(checkpointNeeded(false, offsets({ a: 0, b: 0 }), offsets({ a: t / 2, b: t / 2 + 1 }))).toBe(true);
    expect(checkpointNeeded(false, offsets({}), offsets({ a: t }))).toBe(false);
    expect(checkpointNeeded(false, offsets({}), offsets({ a: t + 1 }))).toBe(true);
  });
});

describe('the state directory in a run', () => {
  const ks1Crash = { kind: 'crash' as const, atMs: 9_000, process: 'ks-1', restartAfterMs: 400 };
  // ks-0 and ks-1 form generation 1 together at start-up, each opening its tasks on an empty
  // directory; ks-0's crash at 1 s makes the rebalance whose clean close writes ks-1's stores and
  // checkpoints to its directory, well before ks-1 crashes at 9 s.
  const crashPlan: FaultPlan = { faults: [{ kind: 'crash', atMs: 1_000, process: 'ks-0', restartAfterMs: 400 }, ks1Crash] };
  const traced = (guarantee: 'exactly-once' | 'at-least-once', plan: FaultPlan) => {
    const events: TraceEvent[] = [];
    // A short commit interval under at-least-once too (Kafka's default there is 30 s), so checkpoints follow the data.
    const r = run({ scenario: 'wordcount', engine: 'kstreams', seed: 4, guarantee, plan, commitIntervalMs: 200 }, {
      subscribers: [(e) => { if (e.kind === 'ks.state' || e.kind === 'ks.restored' || e.kind === 'proc.restart' || e.kind === 'disk.corrupt') events.push(e); }],
    });
    const restart = events.find((e) => e.kind === 'proc.restart' && e.p === 'ks-1')!;
    const after = events.filter((e) => e.p === 'ks-1' && e.seq > restart.seq);
    return { r, events, after };
  };
  const restoreOk = (r: ReturnType<typeof run>) => r.checks.find((c) => c.name === 'ks.restore')!;

  it('at-least-once: commits below the threshold write no checkpoint; the restart finds the one of the last clean close', () => {
    const { r, events, after } = traced('at-least-once', crashPlan);
    // The last rebalance before the crash (the one ks-0's crash at 1 s made) suspended ks-1's tasks
    // cleanly, each writing a checkpoint, and resumed them with their stores at those offsets (or
    // closed them, and the tasks new there loaded theirs); the commits every 200 ms after it moved
    // each changelog by far less than 10,000 offsets.
    const assigned = events.filter((e) => e.kind === 'ks.state' && e.p === 'ks-1' && e.t < 9_000 && (e.source === 'checkpoint' || e.reason === 'resumed'));
    const before = new Map(assigned.map((e) => [e.task as string, e.offsets]));
    const loaded = after.filter((e) => e.kind === 'ks.state' && e.source === 'checkpoint');
    expect(loaded.length).toBeGreaterThan(0);
    for (const e of loaded) expect(e.offsets).toEqual(before.get(e.task as string));
    const tails = after.filter((e) => e.kind === 'ks.restored' && e.source === 'tail');
    expect(tails.reduce((n, t) => n + (t.records as number), 0)).toBeGreaterThan(100);
    expect(restoreOk(r).ok).toBe(true);
  });

  it('at-least-once: the restarted instance loads its stores from the checkpoint and restores only the tail', () => {
    // ks-0's crash makes a rebalance, whose clean close checkpoints ks-1's filled stores; then ks-1 crashes.
    const plan: FaultPlan = { faults: [{ kind: 'crash', atMs: 5_000, process: 'ks-0', restartAfterMs: 400 }, ks1Crash] };
    const { r, after } = traced('at-least-once', plan);
    const states = after.filter((e) => e.kind === 'ks.state');
    expect(states.length).toBeGreaterThan(0);
    expect(states.some((e) => e.source === 'checkpoint' && (e.entries as number) > 0)).toBe(true);
    const tails = after.filter((e) => e.kind === 'ks.restored' && e.source === 'tail');
    expect(tails.length).toBeGreaterThan(0);
    for (const t of tails) expect(t.from as number).toBeGreaterThan(0);
    // The tail is shorter than the store: most entries came from the directory.
    expect(tails.some((t) => (t.records as number) < (JSON.parse(t.entries as string) as unknown[]).length)).toBe(true);
    expect(restoreOk(r).ok).toBe(true);
  });

  it('exactly-once: a crash while running leaves no checkpoint, so the directory is wiped and restored in full', () => {
    // ks-1's stores reached its directory as the rebalance after ks-0's crash suspended its tasks;
    // the tasks it got back were resumed, their checkpoint deleted (KAFKA-10362) and nothing
    // restored; the others' checkpoints were deleted as they were loaded; and no exactly-once commit
    // writes another.
    const { r, events, after } = traced('exactly-once', crashPlan);
    const resumed = events.filter((e) => e.kind === 'ks.state' && e.p === 'ks-1' && e.t < 9_000 && e.reason === 'resumed');
    expect(resumed.length).toBeGreaterThan(0);
    for (const e of resumed) {
      const restored = events.filter((x) => x.kind === 'ks.restored' && x.p === 'ks-1' && x.task === e.task && x.seq > e.seq && x.t < 9_000);
      expect(restored.length).toBeGreaterThan(0);
      expect(restored[0]!.source).toBe('resumed');
      expect(restored[0]!.records).toBe(0);
    }
    const states = after.filter((e) => e.kind === 'ks.state');
    expect(states.length).toBeGreaterThan(0);
    // The first assignment after the restart finds each stateful task's directory without a checkpoint.
    const first = new Map<string, TraceEvent>();
    for (const e of states) if (!first.has(e.task as string)) first.set(e.task as string, e);
    expect([...first.values()].some((e) => e.reason === 'eos-no-checkpoint' && (e.wiped as number) > 0)).toBe(true);
    for (const e of first.values()) expect(e.source).not.toBe('checkpoint');
    expect(after.some((e) => e.kind === 'ks.restored' && e.source === 'full' && (e.records as number) > 0)).toBe(true);
    expect(failed(r)).toEqual([]);
  });

  it('a corrupted state directory is found bad by its checksum, wiped, and restored from the changelog', () => {
    const plan: FaultPlan = { faults: [...crashPlan.faults, { kind: 'disk-corruption', atMs: 9_400, process: 'ks-1', durationMs: 3_000 }] };
    const { r, after } = traced('at-least-once', plan);
    const detected = after.filter((e) => e.kind === 'disk.corrupt' && e.detectedBy === 'ks.state-dir');
    expect(detected.length).toBeGreaterThan(0);
    const wiped = after.filter((e) => e.kind === 'ks.state' && (e.reason === 'checkpoint-corrupt' || e.reason === 'store-corrupt'));
    expect(wiped.length).toBeGreaterThan(0);
    for (const w of wiped) {
      expect(w.source).toBe('changelog');
      expect(after.some((e) => e.kind === 'ks.restored' && e.task === w.task && e.seq > w.seq && e.source === 'full' && e.from === 0)).toBe(true);
    }
    expect(restoreOk(r).ok).toBe(true);
  });
});
