/**
 * A process's simulated disk (the runtime `Disk`).
 *
 * Model: files are inodes reached through two directories, the volatile view
 * (what reads see) and the durable view (what survives a crash). Each inode
 * holds its volatile content and its durable content (as of its last
 * completed fsync).
 *
 * - `write`/`append` change the volatile content only.
 * - `fsync(path, done)` snapshots the volatile content at the call; after a
 *   seeded delay the snapshot becomes durable (and the inode's current path
 *   becomes its durable name), then `done` runs. Completions on one disk
 *   happen in call order; a crash before completion cancels both. The delay
 *   is a draw local to the disk and the millisecond of the call
 *   (`local-draw.ts`), as a network latency is, not the next value of the
 *   disk's stream: leaving an input record out changes the delays of the
 *   fsyncs that record causes, not of every later fsync on the disk, so a
 *   race a failure needs survives shrinking.
 * - `rename` is atomic on the volatile view. It is durable at once when the
 *   source's content is already durable (write + fsync + rename, the
 *   atomic-replace idiom, survives a crash); otherwise at the next completed
 *   fsync of the renamed file. Until then a crash shows the old names.
 * - `delete` is durable at once: a deleted file never comes back.
 * - A crash reverts each durably named file to its durable content; a file
 *   whose unsynced changes were appends only may instead keep a seeded strict
 *   prefix of the unsynced tail (a torn write). Files never synced vanish.
 * - With read corruption on, each `read` is damaged with probability 1/2:
 *   it flips one bit of one character of the returned copy; the stored
 *   content is untouched. So a reader that retries gets a good copy soon,
 *   and a run with the fault on reaches every checksum check of its reads,
 *   not only the first one a process makes.
 *
 * Frame files (`appendFrame`, `writeFrames`, `readFrames`) follow the same
 * rules with a frame as the unit: an fsync snapshots the frame count, a torn
 * write keeps a seeded number of the unsynced frames followed by a torn one
 * (`TORN_FRAME`), and read corruption damages one frame of the returned copy
 * (a `CorruptFrame`, which keeps the frame as written and which bit
 * flipped). Frames are kept as the values written, never encoded; their
 * bytes are counted (`bytesWritten`, traced writes) only when the disk is
 * asked to measure them, as the JSON line with its checksum they stand for.
 */
import { CorruptFrame, TORN_FRAME, type Disk, type TraceFields } from '../runtime/types.ts';
import type { Rng } from './rng.ts';
import { drawBetween, drawSource, seedKeyOf, type DrawSource } from './local-draw.ts';

export interface DiskOptions {
  fsyncMsMin?: number;
  fsyncMsMax?: number;
  tornWrites?: boolean;
  /**
   * Count a frame's bytes (its JSON text plus a checksum and a separator, as
   * the line it stands for) in `bytesWritten` and traced writes. Off, frames
   * count as 0 bytes and cost no encoding (default false).
   */
  measureFrames?: boolean;
}

export interface DiskFault {
  readCorruption?: boolean;
  slowFsyncExtraMs?: number;
}

/** What a disk needs from the world that hosts it. */
export interface DiskHost {
  now(): number;
  /** Records a trace event for the disk's process. */
  emit(kind: string, fields: TraceFields): void;
  /** Whether writes and fsyncs are traced (I/O detail); damage and losses always are. */
  readonly traceIo: boolean;
  /** Runs `fn` as a world event at absolute virtual time `atMs`. */
  scheduleAt(atMs: number, fn: () => void): void;
}

class Inode {
  /** Where the inode is in the volatile view, and in the durable view. */
  path: string;
  durablePath: string | undefined = undefined;
  data = '';
  durableData: string | undefined = undefined;
  /**
   * A frame file's frames (then `data` stays empty). Arrays are only ever
   * pushed to or replaced, so a durable snapshot is an array and a count.
   */
  frames: unknown[] | undefined = undefined;
  durableFrames: unknown[] | undefined = undefined;
  durableFrameCount = 0;
  /** Bumped on every content change; an fsync makes durable only a newer version than the last. */
  version = 0;
  durableVersion = -1;
  /** Where the inode's durable name stands in the order a crash recovers in (see `SimDisk.setDurableName`). */
  durableStamp = 0;
  lastOpAppend = false;

  constructor(path: string) {
    this.path = path;
  }
}

/** Where `path` goes in the ascending `sorted` (the first index whose path is not below it). */
function lowerBound(sorted: readonly string[], path: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < path) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SimDisk implements Disk {
  private live = new Map<string, Inode>();
  /** The live paths in ascending order, so that `list` reads only the paths under its prefix. */
  private livePaths: string[] = [];
  private readonly durable = new Map<string, Inode>();
  /** The next `durableStamp`: stamps order the durable names as a crash recovers them. */
  private nextStamp = 0;
  /** Bumped at each crash; an fsync started in an earlier generation never completes. */
  private generation = 0;
  private lastFsyncDoneMs = 0;
  private readonly fsyncMsMin: number;
  private readonly fsyncMsMax: number;
  private readonly tornWrites: boolean;
  private readonly measureFrames: boolean;
  readCorruption = false;
  slowFsyncExtraMs = 0;
  /** Where fsync delays are drawn: local to this disk (see the module's comment). */
  private readonly fsyncDraws: DrawSource;
  /** Characters handed to `write` and `append` so far (what the process asked to write; renames and deletes write none). */
  bytesWritten = 0;

  constructor(
    readonly id: string,
    private readonly rng: Rng,
    private readonly host: DiskHost,
    opts: DiskOptions = {},
  ) {
    this.fsyncMsMin = opts.fsyncMsMin ?? 0;
    this.fsyncMsMax = opts.fsyncMsMax ?? 1;
    this.tornWrites = opts.tornWrites ?? true;
    this.measureFrames = opts.measureFrames ?? false;
    this.fsyncDraws = drawSource(seedKeyOf(rng.path), id, 'fsync');
    if (!Number.isInteger(this.fsyncMsMin) || this.fsyncMsMin < 0 || !Number.isInteger(this.fsyncMsMax) || this.fsyncMsMax < this.fsyncMsMin) {
      throw new RangeError(`disk: need integers 0 ≤ fsyncMsMin ≤ fsyncMsMax, got ${this.fsyncMsMin}, ${this.fsyncMsMax}`);
    }
  }

  private inodeFor(path: string): Inode {
    let inode = this.live.get(path);
    if (inode === undefined) {
      inode = new Inode(path);
      this.live.set(path, inode);
      this.addPath(path);
    }
    return inode;
  }

  private addPath(path: string): void {
    this.livePaths.splice(lowerBound(this.livePaths, path), 0, path);
  }

  private removePath(path: string): void {
    const i = lowerBound(this.livePaths, path);
    if (this.livePaths[i] === path) this.livePaths.splice(i, 1);
  }

  write(path: string, data: string): void {
    const inode = this.inodeFor(path);
    if (inode.frames !== undefined) throw new Error(`disk ${this.id}: '${path}' holds frames, not text`);
    inode.data = data;
    inode.version++;
    inode.lastOpAppend = false;
    this.bytesWritten += data.length;
    if (this.host.traceIo) this.host.emit('disk.write', { path, bytes: data.length, op: 'write' });
  }

  append(path: string, data: string): void {
    const inode = this.inodeFor(path);
    if (inode.frames !== undefined) throw new Error(`disk ${this.id}: '${path}' holds frames, not text`);
    inode.data += data;
    inode.version++;
    inode.lastOpAppend = true;
    this.bytesWritten += data.length;
    if (this.host.traceIo) this.host.emit('disk.write', { path, bytes: data.length, op: 'append' });
  }

  appendFrame(path: string, frame: unknown): void {
    const inode = this.frameInode(path);
    if (inode.frames === undefined) inode.frames = [];
    inode.frames.push(frame);
    inode.version++;
    inode.lastOpAppend = true;
    const bytes = this.measureFrames ? frameBytes(frame) : 0;
    this.bytesWritten += bytes;
    if (this.host.traceIo) this.host.emit('disk.write', { path, bytes, frames: 1, op: 'append' });
  }

  writeFrames(path: string, frames: readonly unknown[]): void {
    const inode = this.frameInode(path);
    inode.frames = [...frames];
    inode.version++;
    inode.lastOpAppend = false;
    let bytes = 0;
    if (this.measureFrames) for (const f of frames) bytes += frameBytes(f);
    this.bytesWritten += bytes;
    if (this.host.traceIo) this.host.emit('disk.write', { path, bytes, frames: frames.length, op: 'write' });
  }

  readFrames(path: string): readonly unknown[] | undefined {
    const inode = this.live.get(path);
    if (inode === undefined) return undefined;
    const frames = inode.frames;
    if (frames === undefined) {
      if (inode.data !== '') throw new Error(`disk ${this.id}: '${path}' holds text, not frames`);
      return [];
    }
    if (!this.readCorruption || frames.length === 0 || this.rng.chance(1, 2)) return frames;
    const index = this.rng.int(frames.length);
    this.host.emit('disk.corrupt', { path, index });
    const copy = frames.slice();
    const bit = this.rng.uint32();
    if (copy[index] !== TORN_FRAME) copy[index] = new CorruptFrame(copy[index], bit);
    return copy;
  }

  private frameInode(path: string): Inode {
    const inode = this.inodeFor(path);
    if (inode.frames === undefined && inode.data !== '') throw new Error(`disk ${this.id}: '${path}' holds text, not frames`);
    return inode;
  }

  fsync(path: string, done?: () => void): void {
    const inode = this.live.get(path);
    const snapshot = inode?.data;
    const frames = inode?.frames;
    const frameCount = frames?.length ?? 0;
    const version = inode?.version ?? 0;
    const generation = this.generation;
    const delayMs = drawBetween(this.fsyncDraws, this.host.now(), this.fsyncMsMin, this.fsyncMsMax) + this.slowFsyncExtraMs;
    // One device queue: completions are never reordered against earlier calls.
    const atMs = Math.max(this.host.now() + delayMs, this.lastFsyncDoneMs);
    this.lastFsyncDoneMs = atMs;
    this.host.scheduleAt(atMs, () => {
      if (this.generation !== generation) return;
      if (inode !== undefined && snapshot !== undefined) this.makeDurable(inode, snapshot, frames, frameCount, version);
      if (this.host.traceIo) this.host.emit('disk.fsync', { path, bytes: snapshot?.length ?? 0, frames: frames === undefined ? undefined : frameCount, missing: inode === undefined ? true : undefined });
      if (done !== undefined) done();
    });
  }

  private makeDurable(inode: Inode, snapshot: string, frames: unknown[] | undefined, frameCount: number, version: number): void {
    if (version > inode.durableVersion) {
      inode.durableData = snapshot;
      inode.durableFrames = frames;
      inode.durableFrameCount = frameCount;
      inode.durableVersion = version;
    }
    // A deleted inode gets no durable name back.
    if (this.live.get(inode.path) !== inode) return;
    this.setDurableName(inode, inode.path);
  }

  /**
   * Names `inode` durably at `path`. A crash recovers the durable files in the order of their stamps:
   * an inode named again takes a new stamp (it goes last), and one that takes the name of another
   * inode takes that inode's stamp (its place). The fsync of a file whose durable name is already
   * its path, the common case, only takes a new stamp; the map is not touched.
   */
  private setDurableName(inode: Inode, path: string): void {
    const before = inode.durablePath;
    if (before === path && this.durable.get(path) === inode) {
      inode.durableStamp = this.nextStamp++;
      return;
    }
    if (before !== undefined && this.durable.get(before) === inode) this.durable.delete(before);
    const occupant = this.durable.get(path);
    inode.durableStamp = occupant !== undefined ? occupant.durableStamp : this.nextStamp++;
    this.durable.set(path, inode);
    inode.durablePath = path;
  }

  rename(from: string, to: string): void {
    const inode = this.live.get(from);
    if (inode === undefined) throw new Error(`disk ${this.id}: rename of missing file '${from}'`);
    if (from === to) return;
    this.live.delete(from);
    this.removePath(from);
    if (!this.live.has(to)) this.addPath(to);
    this.live.set(to, inode);
    inode.path = to;
    const clean = inode.durableData !== undefined && inode.durableVersion === inode.version && inode.durablePath !== undefined;
    if (clean) this.setDurableName(inode, to);
    if (this.host.traceIo) this.host.emit('disk.write', { path: to, bytes: 0, op: 'rename', from, durable: clean });
  }

  read(path: string): string | undefined {
    const data = this.live.get(path)?.data;
    if (data === undefined || !this.readCorruption || data.length === 0 || this.rng.chance(1, 2)) return data;
    const index = this.rng.int(data.length);
    const bit = 1 << this.rng.int(7);
    this.host.emit('disk.corrupt', { path, index });
    return data.slice(0, index) + String.fromCharCode(data.charCodeAt(index) ^ bit) + data.slice(index + 1);
  }

  /** The live paths that start with `prefix`, in ascending order. */
  list(prefix: string): string[] {
    const out: string[] = [];
    const paths = this.livePaths;
    for (let i = lowerBound(paths, prefix); i < paths.length && paths[i]!.startsWith(prefix); i++) out.push(paths[i]!);
    return out;
  }

  delete(path: string): void {
    const inode = this.live.get(path);
    if (inode !== undefined) this.removePath(path);
    this.live.delete(path);
    this.durable.delete(path);
    if (inode !== undefined && inode.durablePath !== undefined && this.durable.get(inode.durablePath) === inode) {
      this.durable.delete(inode.durablePath);
    }
    if (this.host.traceIo) this.host.emit('disk.write', { path, bytes: 0, op: 'delete' });
  }

  /** The world calls this when the owning process crashes. */
  crash(): void {
    this.generation++;
    this.lastFsyncDoneMs = 0;
    const next = new Map<string, Inode>();
    const named = [...this.durable].sort((a, b) => a[1].durableStamp - b[1].durableStamp);
    for (const [path, inode] of named) {
      this.recoverInode(inode, path);
      next.set(path, inode);
    }
    for (const [path, inode] of this.live) {
      if (inode.durablePath === undefined || this.durable.get(inode.durablePath) !== inode) {
        if (inode.frames !== undefined) this.host.emit('disk.lost', { path, frames: inode.frames.length, vanished: true });
        else this.host.emit('disk.lost', { path, bytes: inode.data.length, vanished: true });
      }
    }
    this.live = next;
    this.livePaths = [...next.keys()].sort();
  }

  private recoverInode(inode: Inode, path: string): void {
    if (inode.durableFrames !== undefined || inode.frames !== undefined) {
      this.recoverFrames(inode);
      this.resetRecovered(inode, path);
      return;
    }
    const durableData = inode.durableData as string;
    const tail = inode.data.length - durableData.length;
    if (inode.version !== inode.durableVersion || inode.data !== durableData) {
      const appendOnly = inode.lastOpAppend && tail >= 2 && inode.data.startsWith(durableData);
      if (this.tornWrites && appendOnly && this.rng.chance(1, 2)) {
        const keptBytes = this.rng.range(1, tail - 1);
        inode.durableData = durableData + inode.data.slice(durableData.length, durableData.length + keptBytes);
        this.host.emit('disk.torn', { path, keptBytes, lostBytes: tail - keptBytes });
      } else {
        this.host.emit('disk.lost', { path, bytes: Math.max(0, tail) });
      }
    }
    inode.data = inode.durableData as string;
    this.resetRecovered(inode, path);
  }

  /** A frame file after a crash: its durable frames, or those plus some unsynced frames and a torn one. */
  private recoverFrames(inode: Inode): void {
    const durable = inode.durableFrames ?? [];
    const count = inode.durableFrameCount;
    const live = inode.frames ?? [];
    const tail = live.length - count;
    let kept = durable.slice(0, count);
    if (inode.version !== inode.durableVersion) {
      const appendOnly = inode.lastOpAppend && live === durable && tail >= 1;
      if (this.tornWrites && appendOnly && this.rng.chance(1, 2)) {
        const keptFrames = this.rng.range(0, tail - 1);
        kept = live.slice(0, count + keptFrames);
        kept.push(TORN_FRAME);
        this.host.emit('disk.torn', { path: inode.path, keptFrames, lostFrames: tail - keptFrames });
      } else {
        this.host.emit('disk.lost', { path: inode.path, frames: Math.max(0, tail) });
      }
    }
    inode.frames = kept;
    inode.durableFrames = kept;
    inode.durableFrameCount = kept.length;
    inode.data = '';
    inode.durableData = '';
  }

  private resetRecovered(inode: Inode, path: string): void {
    inode.path = path;
    inode.durablePath = path;
    inode.version = 0;
    inode.durableVersion = 0;
    inode.lastOpAppend = false;
  }

  /** Paths that would survive a crash right now, sorted (for tests). */
  durablePaths(): string[] {
    return [...this.durable.keys()].sort();
  }

  /** The content that would survive a crash at `path` right now, ignoring torn writes (for tests). */
  durableContent(path: string): string | undefined {
    return this.durable.get(path)?.durableData;
  }

  /** The frames that would survive a crash at `path` right now, ignoring torn writes. */
  durableFrameContent(path: string): readonly unknown[] | undefined {
    const inode = this.durable.get(path);
    if (inode === undefined) return undefined;
    if (inode.durableFrames === undefined) {
      if (inode.durableData !== '') throw new Error(`disk ${this.id}: '${path}' holds text, not frames`);
      return [];
    }
    return inode.durableFrames.slice(0, inode.durableFrameCount);
  }
}

/** What a frame stands for on a real disk: its JSON text, an 8-digit checksum, a space and a newline. */
function frameBytes(frame: unknown): number {
  return JSON.stringify(frame).length + 10;
}
