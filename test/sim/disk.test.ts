/**
 * The simulated disk. Property (model-based, random writes / appends /
 * fsyncs / waits / crashes on a few files): after any crash, every file reads
 * back as its content at the last completed fsync, or — a torn write — that
 * content plus a strict prefix of what was appended after it; complete
 * sealed lines always unseal, files never synced are gone. Unit tests cover
 * rename (atomic replace survives a crash, an unsynced rename does not),
 * delete, list, fsync callbacks cancelled by a crash, and read corruption,
 * which `unseal` always catches. Frame files get the same property with a
 * frame as the unit: after a crash a file holds its frames at the last
 * completed fsync, or those plus a strict prefix of the unsynced appended
 * frames and one torn frame; and a corrupted read damages exactly one frame
 * of the copy it returns, never the stored frames.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { seal, unseal } from '../../src/runtime/checksum.ts';
import { World } from '../../src/sim/world.ts';
import { CorruptFrame, TORN_FRAME } from '../../src/runtime/types.ts';

function diskWorld(seed: number, tornWrites = true): World {
  const world = new World({ seed, disk: { fsyncMsMin: 0, fsyncMsMax: 3, tornWrites } });
  world.addProcess('p', () => ({ onMessage() {} }));
  world.run();
  return world;
}

type DiskOp =
  | { op: 'write' | 'append' | 'fsync'; file: number }
  | { op: 'wait'; ms: number }
  | { op: 'crash' };

const diskOpArb: fc.Arbitrary<DiskOp> = fc.oneof(
  fc.record({ op: fc.constantFrom('write' as const, 'append' as const, 'fsync' as const), file: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 4 }) }),
  fc.constant({ op: 'crash' as const }),
);

interface FileModel {
  volatile?: string;
  durable?: string;
}

/** Checks one file after a crash against the model; returns the content that is now durable. */
function checkRecovered(got: string | undefined, m: FileModel): string | undefined {
  if (m.durable === undefined) {
    expect(got).toBeUndefined();
    return undefined;
  }
  expect(got).toBeDefined();
  const content = got as string;
  if (content !== m.durable) {
    // Torn: durable + a strict prefix of the unsynced appended tail.
    expect(content.startsWith(m.durable)).toBe(true);
    expect(m.volatile?.startsWith(content)).toBe(true);
    expect(content.length).toBeLessThan((m.volatile as string).length);
  }
  // Every write and append ends its line, so every complete line unseals; a trailing
  // partial line is a torn append (possibly a whole frame that lost only its newline).
  const lines = content.split('\n');
  lines.pop();
  for (const line of lines) expect(unseal(line)).toBeDefined();
  return content;
}

describe('SimDisk', () => {
  test.prop([fc.integer({ min: 0, max: 10_000 }), fc.array(diskOpArb, { maxLength: 60 })], { numRuns: 200 })(
    'after any crash, synced data is intact and unsynced data is gone or a torn prefix',
    (seed, ops) => {
      const world = diskWorld(seed);
      const disk = world.disk('p');
      const files = ['a.log', 'b.log', 'c.log'];
      const model: FileModel[] = files.map(() => ({}));
      let n = 0;
      for (const op of ops) {
        if (op.op === 'write' || op.op === 'append' || op.op === 'fsync') {
          const m = model[op.file];
          const path = files[op.file];
          if (op.op === 'write') {
            m.volatile = seal(`w${n++}`) + '\n';
            disk.write(path, m.volatile);
          } else if (op.op === 'append') {
            const line = seal(`a${n++}`) + '\n';
            m.volatile = (m.volatile ?? '') + line;
            disk.append(path, line);
          } else {
            const snapshot = m.volatile;
            disk.fsync(path, () => {
              if (snapshot !== undefined) m.durable = snapshot;
            });
          }
          expect(disk.read(path)).toBe(m.volatile);
        } else if (op.op === 'wait') {
          world.run({ untilMs: world.now() + op.ms });
        } else {
          world.crash('p');
          world.restart('p');
          files.forEach((path, i) => {
            let now = checkRecovered(disk.read(path), model[i]);
            if (now !== undefined && !now.endsWith('\n')) {
              // Recover as a log does: cut the torn tail back to the last whole line, durably.
              now = now.slice(0, now.lastIndexOf('\n') + 1);
              disk.write(path, now);
              disk.fsync(path);
              world.run();
            }
            model[i] = { volatile: now, durable: now };
          });
          expect(disk.list('')).toEqual(files.filter((_, i) => model[i].durable !== undefined));
        }
      }
    },
  );

  test.prop([fc.integer({ min: 0, max: 10_000 }), fc.array(diskOpArb, { maxLength: 60 })], { numRuns: 200 })(
    'frame files: after any crash, synced frames are intact and unsynced frames are gone or a torn prefix',
    (seed, ops) => {
      const world = diskWorld(seed);
      const disk = world.disk('p');
      const files = ['a.seg', 'b.seg', 'c.seg'];
      const model: { volatile?: unknown[]; durable?: unknown[] }[] = files.map(() => ({}));
      let n = 0;
      for (const op of ops) {
        if (op.op === 'write' || op.op === 'append' || op.op === 'fsync') {
          const m = model[op.file];
          const path = files[op.file];
          if (op.op === 'write') {
            m.volatile = [{ w: n++ }];
            disk.writeFrames(path, m.volatile);
          } else if (op.op === 'append') {
            const frame = { a: n++ };
            m.volatile = [...(m.volatile ?? []), frame];
            disk.appendFrame(path, frame);
          } else {
            const snapshot = m.volatile;
            disk.fsync(path, () => {
              if (snapshot !== undefined) m.durable = snapshot;
            });
          }
          expect(disk.readFrames(path)).toEqual(m.volatile);
        } else if (op.op === 'wait') {
          world.run({ untilMs: world.now() + op.ms });
        } else {
          world.crash('p');
          world.restart('p');
          files.forEach((path, i) => {
            const m = model[i];
            const got = disk.readFrames(path);
            if (m.durable === undefined) {
              expect(got).toBeUndefined();
              model[i] = {};
              return;
            }
            let now = [...(got as unknown[])];
            if (now.at(-1) === TORN_FRAME) {
              now.pop();
              // Durable frames, then a strict prefix of the unsynced tail, then the torn one.
              expect(now.slice(0, m.durable.length)).toEqual(m.durable);
              expect(m.volatile!.slice(0, now.length)).toEqual(now);
              expect(now.length).toBeLessThan(m.volatile!.length);
              disk.writeFrames(path, now);
              disk.fsync(path);
              world.run();
            } else {
              expect(now).toEqual(m.durable);
            }
            expect(now).not.toContain(TORN_FRAME);
            model[i] = { volatile: now, durable: now };
          });
          expect(disk.list('')).toEqual(files.filter((_, i) => model[i].durable !== undefined));
        }
      }
    },
  );

  it('a corrupted read of a frame file damages one frame of its copy, never the stored frames', () => {
    const world = diskWorld(5);
    const disk = world.disk('p');
    for (let i = 0; i < 5; i++) disk.appendFrame('f', { i });
    world.setDiskFault('p', { readCorruption: true });
    const reads = Array.from({ length: 40 }, () => disk.readFrames('f') as unknown[]);
    // About half the reads are damaged, each in exactly one frame.
    const damaged = reads.filter((r) => r.some((f) => f instanceof CorruptFrame));
    expect(damaged.length).toBeGreaterThan(0);
    expect(damaged.length).toBeLessThan(reads.length);
    for (const read of damaged) expect(read.filter((f) => f instanceof CorruptFrame)).toHaveLength(1);
    world.setDiskFault('p', { readCorruption: false });
    expect(disk.readFrames('f')).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
    expect(() => disk.append('f', 'text')).toThrow(/holds frames/);
    disk.write('t', 'text');
    expect(() => disk.appendFrame('t', {})).toThrow(/holds text/);
  });

  it('frame files tear on some seeds, and never with tornWrites off', () => {
    const count = (tornWrites: boolean): number => {
      let events = 0;
      for (let seed = 0; seed < 30; seed++) {
        const world = diskWorld(seed, tornWrites);
        const disk = world.disk('p');
        disk.appendFrame('log', { one: 1 });
        disk.fsync('log');
        world.run();
        disk.appendFrame('log', { two: 2 });
        world.crash('p');
        const torn = world.trace.recent().filter((e) => e.kind === 'disk.torn').length;
        if (torn > 0) expect(disk.readFrames('log')).toEqual([{ one: 1 }, TORN_FRAME]);
        events += torn;
      }
      return events;
    };
    expect(count(true)).toBeGreaterThan(0);
    expect(count(false)).toBe(0);
  });

  it('torn writes happen on some seeds, and never with tornWrites off', () => {
    const count = (torn: boolean): number => {
      let events = 0;
      for (let seed = 0; seed < 30; seed++) {
        const world = diskWorld(seed, torn);
        const disk = world.disk('p');
        disk.append('log', seal('one') + '\n');
        disk.fsync('log');
        world.run();
        disk.append('log', seal('two') + '\n');
        world.crash('p');
        events += world.trace.recent().filter((e) => e.kind === 'disk.torn').length;
      }
      return events;
    };
    expect(count(true)).toBeGreaterThan(0);
    expect(count(false)).toBe(0);
  });

  it('write + fsync + rename is an atomic replace that survives a crash', () => {
    const world = diskWorld(1);
    const disk = world.disk('p');
    disk.write('meta', 'old');
    disk.fsync('meta');
    world.run();
    disk.write('meta.tmp', 'new');
    let synced = false;
    disk.fsync('meta.tmp', () => (synced = true));
    world.run();
    expect(synced).toBe(true);
    disk.rename('meta.tmp', 'meta');
    expect(disk.list('meta')).toEqual(['meta']);
    world.crash('p');
    expect(disk.read('meta')).toBe('new');
    expect(disk.read('meta.tmp')).toBeUndefined();
  });

  it('a rename of unsynced data is lost on crash; a later fsync of the target makes it durable', () => {
    const world = diskWorld(2);
    const disk = world.disk('p');
    disk.write('meta', 'old');
    disk.fsync('meta');
    world.run();
    disk.write('tmp', 'new');
    disk.rename('tmp', 'meta');
    expect(disk.read('meta')).toBe('new');
    world.crash('p');
    expect(disk.read('meta')).toBe('old');
    expect(disk.list('')).toEqual(['meta']);

    world.restart('p');
    disk.write('tmp', 'newer');
    disk.rename('tmp', 'meta');
    disk.fsync('meta');
    world.run();
    world.crash('p');
    expect(disk.read('meta')).toBe('newer');
    expect(disk.list('')).toEqual(['meta']);
  });

  it('an unsynced rename of a durable file brings back the old name on crash, never loses it', () => {
    const world = diskWorld(3, false);
    const disk = world.disk('p');
    disk.write('x', 'data');
    disk.fsync('x');
    world.run();
    disk.append('x', '+more');
    disk.rename('x', 'y');
    world.crash('p');
    expect(disk.list('')).toEqual(['x']);
    expect(disk.read('x')).toBe('data');
  });

  // `list` reads a sorted index of the live paths, kept beside the files: after any run of writes,
  // renames (onto new and existing names), deletes, fsyncs and crashes it names exactly the files
  // that read back, under every prefix, in ascending order.
  test.prop([fc.array(fc.tuple(fc.constantFrom('write', 'rename', 'delete', 'fsync', 'crash'), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), { maxLength: 40 })], { numRuns: 60 })(
    'list names exactly the files that read back, through renames, deletes and crashes',
    (ops) => {
      const names = ['a', 'a/1', 'a/10', 'a/2', 'ab', 'b/1'];
      const world = diskWorld(5);
      const disk = world.disk('p');
      for (const [op, i, j] of ops) {
        const from = names[i]!;
        if (op === 'write') disk.write(from, `${from}:${j}`);
        else if (op === 'rename' && disk.read(from) !== undefined) disk.rename(from, names[j]!);
        else if (op === 'delete') disk.delete(from);
        else if (op === 'fsync' && disk.read(from) !== undefined) {
          disk.fsync(from);
          world.run();
        } else if (op === 'crash') {
          world.crash('p');
          world.restart('p');
        }
        for (const prefix of ['', 'a', 'a/', 'a/1', 'b', 'c']) {
          expect(disk.list(prefix)).toEqual(names.filter((n) => n.startsWith(prefix) && disk.read(n) !== undefined));
        }
      }
    },
  );

  // A crash recovers the durable files in one order, and draws from the disk's rng (torn writes) in
  // it, so the order is part of every trace. It is the order of a map of durable names in which a
  // file named durably again moves to the end and a file that takes another's name takes its place.
  // The model below keeps exactly such a map; the disk keeps stamps instead (an fsync of a file
  // already durable under its name touches no map). Every live file gets an unsynced append before
  // each crash, so each durable file that is live reports its recovery (disk.lost or disk.torn), as
  // does one no longer live that changed after its fsync.
  const recoveryOp = fc.oneof(
    { arbitrary: fc.constantFrom('write' as const, 'fsync' as const), weight: 6 },
    { arbitrary: fc.constantFrom('append' as const, 'rename' as const, 'delete' as const, 'crash' as const), weight: 2 },
  );
  test.prop([fc.array(fc.tuple(recoveryOp, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 20, maxLength: 60 })], { numRuns: 150 })(
    'a crash recovers the durable files in the order they were last named durable',
    (ops) => {
      const names = ['a', 'b', 'c', 'd'];
      const world = diskWorld(6);
      const disk = world.disk('p');
      interface M { path: string; durablePath: string | undefined; synced: boolean; clean: boolean }
      const live = new Map<string, M>();
      const durable = new Map<string, M>();
      const name = (m: M, path: string): void => {
        if (m.durablePath !== undefined && durable.get(m.durablePath) === m) durable.delete(m.durablePath);
        durable.set(path, m);
        m.durablePath = path;
      };
      const touch = (path: string): void => {
        let m = live.get(path);
        if (m === undefined) live.set(path, (m = { path, durablePath: undefined, synced: false, clean: false }));
        m.clean = false;
      };
      let crashes = 0;
      for (const [op, i, j] of [...ops, ['crash', 0, 0] as const]) {
        const path = names[i]!;
        if (op === 'write') { disk.write(path, `${path}${j}\n`); touch(path); }
        else if (op === 'append') { disk.append(path, `${j}\n`); touch(path); }
        else if (op === 'fsync') {
          disk.fsync(path);
          world.run();
          const m = live.get(path);
          if (m !== undefined) { m.synced = true; m.clean = true; name(m, path); }
        } else if (op === 'rename' && live.has(path)) {
          const to = names[j]!;
          if (to === path) continue;
          disk.rename(path, to);
          const m = live.get(path)!;
          live.delete(path);
          live.set(to, m);
          m.path = to;
          if (m.synced && m.clean && m.durablePath !== undefined) name(m, to);
        } else if (op === 'delete') {
          disk.delete(path);
          const m = live.get(path);
          live.delete(path);
          durable.delete(path);
          if (m !== undefined && m.durablePath !== undefined && durable.get(m.durablePath) === m) durable.delete(m.durablePath);
        } else if (op === 'crash') {
          for (const [p, m] of live) {
            disk.append(p, 'x\n');
            m.clean = false;
          }
          // Each durable file changed since its last fsync reports its recovery.
          const want = [...durable].filter(([, m]) => !m.clean).map(([p]) => p);
          const from = world.trace.count;
          world.crash('p');
          const got = world.trace.recent().filter((e) => e.seq >= from && (e.kind === 'disk.lost' || e.kind === 'disk.torn') && e.vanished === undefined).map((e) => e.path);
          expect(got).toEqual(want);
          crashes++;
          live.clear();
          for (const [p, m] of durable) {
            m.path = p;
            m.durablePath = p;
            m.clean = true;
            live.set(p, m);
          }
          world.restart('p');
        }
      }
      expect(crashes).toBeGreaterThan(0);
    },
  );

  it('delete is durable at once; never-synced files vanish; list is sorted by prefix', () => {
    const world = diskWorld(4);
    const disk = world.disk('p');
    for (const f of ['cp/2', 'cp/10', 'cp/1', 'other']) disk.write(f, f);
    disk.fsync('cp/2');
    disk.fsync('cp/1');
    world.run();
    expect(disk.list('cp/')).toEqual(['cp/1', 'cp/10', 'cp/2']);
    disk.delete('cp/1');
    world.crash('p');
    expect(disk.list('')).toEqual(['cp/2']);
    expect(world.trace.recent().filter((e) => e.kind === 'disk.lost').map((e) => e.path)).toEqual(['cp/10', 'other']);
  });

  it('an fsync interrupted by a crash neither completes nor calls back', () => {
    const world = new World({ seed: 5, disk: { fsyncMsMin: 10, fsyncMsMax: 10 } });
    world.addProcess('p', () => ({ onMessage() {} }));
    world.run();
    const disk = world.disk('p');
    disk.write('f', 'v');
    let called = false;
    disk.fsync('f', () => (called = true));
    world.run({ untilMs: 5 });
    world.crash('p');
    world.run();
    expect(called).toBe(false);
    expect(disk.read('f')).toBeUndefined();
  });

  it('slow fsync adds its extra delay', () => {
    const world = new World({ seed: 6, disk: { fsyncMsMin: 2, fsyncMsMax: 2 } });
    world.addProcess('p', () => ({ onMessage() {} }));
    world.run();
    world.setDiskFault('p', { slowFsyncExtraMs: 40 });
    const disk = world.disk('p');
    disk.write('f', 'v');
    let doneAt = -1;
    disk.fsync('f', () => (doneAt = world.now()));
    world.run();
    expect(doneAt).toBe(42);
  });

  it('fsync delays are local to the disk and the millisecond: fsyncs made earlier do not move later ones', () => {
    // Each millisecond from 20 to 59 makes one fsync; `extra` fsyncs at 3 ms
    // are long done by then. With the delay drawn from the disk's stream, the
    // extra draws would shift every later delay (a record left out while
    // shrinking would move every later fsync on the disk).
    const delays = (extra: number): number[] => {
      const world = new World({ seed: 7, disk: { fsyncMsMin: 0, fsyncMsMax: 9 } });
      world.addProcess('p', () => ({ onMessage() {} }));
      world.run();
      const disk = world.disk('p');
      const out: number[] = [];
      world.schedule(3, () => {
        for (let i = 0; i < extra; i++) disk.fsync(`x${i}`);
      });
      for (let ms = 20; ms < 60; ms++) {
        world.schedule(ms, () => {
          const at = world.now();
          disk.write('f', String(ms));
          disk.fsync('f', () => out.push(world.now() - at));
        });
      }
      world.run();
      return out;
    };
    const plain = delays(0);
    expect(plain).toHaveLength(40);
    expect(new Set(plain).size).toBeGreaterThan(3);
    expect(plain.every((d) => d >= 0 && d <= 9 + 9)).toBe(true);
    expect(delays(5)).toEqual(plain);
    expect(delays(1)).toEqual(plain);
  });

  test.prop([fc.integer(), fc.string({ minLength: 0, maxLength: 80 })], { numRuns: 300 })(
    'read corruption flips one character and unseal always catches it',
    (seed, payload) => {
      const world = diskWorld(seed);
      const disk = world.disk('p');
      const frame = seal(payload);
      disk.write('snap', frame);
      world.setDiskFault('p', { readCorruption: true });
      // Each read is damaged with probability 1/2: some of a few dozen are, and some are not.
      const reads = Array.from({ length: 40 }, () => disk.read('snap') as string);
      expect(reads.some((r) => r === frame)).toBe(true);
      const bad = reads.find((r) => r !== frame) as string;
      expect(bad).toBeDefined();
      expect(bad.length).toBe(frame.length);
      let differing = 0;
      for (let i = 0; i < frame.length; i++) if (bad[i] !== frame[i]) differing++;
      expect(differing).toBe(1);
      expect(unseal(bad)).toBeUndefined();
      world.setDiskFault('p', { readCorruption: false });
      expect(disk.read('snap')).toBe(frame);
      expect(world.trace.recent().some((e) => e.kind === 'disk.corrupt')).toBe(true);
    },
  );
});
