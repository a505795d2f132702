/**
 * The checkpoint store: a simulated process with its own disk, the "S3" of
 * the world. Tasks put their snapshots here; the coordinator commits a
 * checkpoint by writing its metadata last, atomically (write a temporary
 * file, fsync, rename); recovery asks for the newest checkpoint whose
 * metadata reads back intact.
 *
 * Every file is sealed with a checksum. Snapshots are frame files: one
 * frame holding the task's snapshot as the structured value it is, whose
 * checksum the disk models (a damaged read returns a `CorruptFrame`), so
 * no snapshot is turned into text on the way; metadata, the fence and
 * savepoint names are sealed text. A snapshot or metadata file that reads
 * back torn or corrupt is never restored: the reader is told the read
 * failed and retries. It does not fall back to an older checkpoint, because
 * the sinks may already have committed the transactions of the newer one and
 * replaying from an older cut would write them twice. A checkpoint without
 * metadata is incomplete and is never restored either (unless the planted
 * bug `restore-incomplete-checkpoint` is on).
 *
 * Fencing: recovery of attempt N asks for the newest checkpoint with
 * `attempt: N`, and from then on the store refuses to commit checkpoints of
 * older attempts (the fence is made durable before the answer). Without it a
 * commit of the failed attempt, retried across a partition, could land after
 * the new attempt chose an older checkpoint: its metadata would subsume the
 * snapshots the new attempt restores from, and a later recovery would pick a
 * checkpoint whose transactions the new attempt had already aborted.
 */
import { damagedContent, CorruptFrame, seal, unseal, type ProcessContext, type ProcessFactory, type ProcessId, type ProcessLogic } from '../../../runtime/index.ts';
import { cloneJson } from '../../../stream/plain-data.ts';
import type { BugSwitches } from '../bugs.ts';

export type StoreRequest =
  /**
   * A task's snapshot, already its own copy (the task copied it at the barrier: nothing live is
   * shared); `sum` is its content hash (`valueHash`), computed by the task manager, stored with it.
   */
  | { kind: 'store.put'; reqId: number; key: string; snapshot: unknown; sum: string }
  | { kind: 'store.get'; reqId: number; key: string }
  | { kind: 'store.commit'; reqId: number; checkpoint: number; meta: string; savepoint?: boolean; attempt?: number }
  | { kind: 'store.latest'; reqId: number; below: number; attempt?: number };

export interface StoreReply {
  kind: 'store.reply';
  reqId: number;
  ok: boolean;
  data?: string | null;
  /** A snapshot read back (`store.get`): the reader's own copy, free to change. */
  snapshot?: unknown;
  checkpoint?: number;
  /**
   * `store.latest`: the highest checkpoint id the store holds any file of (a snapshot or
   * metadata; -1 when none), so a job manager that restarted numbers its next checkpoint above
   * every one a task may have written for, as Flink's persisted CheckpointIDCounter does.
   */
  highest?: number;
  /** A commit refused: a newer attempt has recovered since. */
  fenced?: boolean;
}

/** What a snapshot file holds: one frame. */
export interface SnapshotFrame {
  sum: string;
  snapshot: unknown;
}

/** A snapshot file's size on a real disk: its snapshot as JSON text, sealed with an 8-digit checksum and a space. */
export function snapshotFileBytes(frames: readonly unknown[] | undefined): number {
  const frame = frames?.[0] as SnapshotFrame | undefined;
  return frame === undefined ? 0 : 9 + (JSON.stringify(frame.snapshot)?.length ?? 0);
}

export function isStoreReply(msg: unknown): msg is StoreReply {
  const m = msg as StoreReply | null;
  return typeof m === 'object' && m !== null && m.kind === 'store.reply' && typeof m.reqId === 'number';
}

/** Where the metadata of checkpoint `id` lives in the store. */
export function checkpointMetaPath(id: number): string {
  return `meta/cp-${String(id).padStart(10, '0')}`;
}
const metaPath = checkpointMetaPath;

/** Completed checkpoints kept besides the newest (Flink's state.checkpoints.num-retained is 1 in all). */
const RETAINED_OLDER = 0;

export function checkpointStoreProcess(bugs: BugSwitches): ProcessFactory {
  return (ctx) => new CheckpointStore(ctx, bugs);
}

const FENCE_PATH = 'fence';

class CheckpointStore implements ProcessLogic {
  /** Commits of attempts below this are refused (durable in FENCE_PATH). */
  private fence: number;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly bugs: BugSwitches,
  ) {
    // Read corruption flips a bit per read: read the fence again rather than lose it.
    let saved: string | undefined;
    for (let k = 0, raw = ctx.disk.read(FENCE_PATH); k < 8 && raw !== undefined; k++, raw = ctx.disk.read(FENCE_PATH)) {
      saved = unseal(raw);
      if (saved !== undefined) break;
    }
    this.fence = saved === undefined ? 0 : Number(saved);
  }

  onMessage(from: ProcessId, msg: unknown): void {
    const m = msg as StoreRequest;
    const reply = (r: Omit<StoreReply, 'kind' | 'reqId'>): void => this.ctx.net.send(from, { kind: 'store.reply', reqId: m.reqId, ...r });
    switch (m.kind) {
      case 'store.put': {
        const frame: SnapshotFrame = { sum: m.sum, snapshot: m.snapshot };
        this.ctx.disk.writeFrames(m.key, [frame]);
        this.ctx.disk.fsync(m.key, () => reply({ ok: true }));
        return;
      }
      case 'store.get': {
        const frame = this.ctx.disk.readFrames(m.key)?.[0];
        if (frame === undefined) return reply({ ok: false });
        if (frame instanceof CorruptFrame && this.bugs.has('snapshot-checksum-skipped')) {
          // Planted bug: the frame is decoded without its checksum check, damage and all.
          return reply({ ok: true, snapshot: (damagedContent(frame) as SnapshotFrame | null)?.snapshot ?? null });
        }
        if (frame instanceof CorruptFrame) {
          this.ctx.trace.emit('disk.corrupt', { path: m.key, detectedBy: 'checkpoint.store' });
          return reply({ ok: false });
        }
        // The file keeps its frame; the reader gets a copy it may change as it restores.
        reply({ ok: true, snapshot: cloneJson((frame as SnapshotFrame).snapshot) });
        return;
      }
      case 'store.commit': {
        if (m.attempt !== undefined && m.attempt < this.fence) return reply({ ok: false, fenced: true });
        const path = metaPath(m.checkpoint);
        this.ctx.disk.write(`${path}.tmp`, seal(m.meta));
        this.ctx.disk.fsync(`${path}.tmp`, () => {
          // A retried commit of the same checkpoint may have renamed the file already.
          if (this.ctx.disk.list(`${path}.tmp`).length === 0) return reply({ ok: true });
          this.ctx.disk.rename(`${path}.tmp`, path);
          // From here the checkpoint is complete, whether or not the coordinator hears of it.
          this.ctx.trace.emit('checkpoint.metadata', { checkpoint: m.checkpoint });
          if (m.savepoint) this.keepSavepoint(m.checkpoint, m.meta);
          this.subsume(m.checkpoint);
          reply({ ok: true });
        });
        return;
      }
      case 'store.latest': {
        const attempt = m.attempt;
        if (attempt === undefined || attempt <= this.fence) return reply(this.latest(m.below));
        // Raise the fence durably first: no commit of an older attempt may land after this answer.
        this.fence = attempt;
        this.ctx.disk.write(FENCE_PATH, seal(String(attempt)));
        this.ctx.disk.fsync(FENCE_PATH, () => reply(this.latest(m.below)));
        return;
      }
      default:
        return;
    }
  }

  /**
   * A savepoint is also kept under its own name, owned by the user: it is not
   * replaced by later checkpoints. (It is a checkpoint too, so recovery after
   * a restart from it never goes back past it.)
   */
  private keepSavepoint(id: number, meta: string): void {
    const path = `savepoints/sp-${String(id).padStart(10, '0')}`;
    this.ctx.disk.write(path, seal(meta));
    this.ctx.disk.fsync(path);
  }

  /**
   * Checkpoint `newest` is complete: older checkpoints are subsumed (recovery
   * never goes back past the newest), so their metadata and snapshot files go,
   * except the snapshots a savepoint refers to. Snapshots of checkpoints that
   * never completed, below `newest`, go too.
   */
  private subsume(newest: number): void {
    const disk = this.ctx.disk;
    const keepFrom = newest - RETAINED_OLDER;
    const kept = new Set<string>();
    for (const sp of disk.list('savepoints/')) {
      const meta = unseal(disk.read(sp));
      // A savepoint whose metadata does not read back now: keep everything until a later commit.
      if (meta === undefined) return;
      for (const h of Object.values((JSON.parse(meta) as { handles: Record<string, string> }).handles)) kept.add(h);
    }
    for (const p of disk.list('meta/cp-')) {
      if (!p.endsWith('.tmp') && metaCheckpoint(p) < keepFrom) disk.delete(p);
    }
    for (const p of disk.list('snap/')) {
      const id = snapshotCheckpoint(p);
      if (id !== undefined && id < keepFrom && !kept.has(p)) disk.delete(p);
    }
  }

  /** The newest intact metadata below `below`, and the highest checkpoint id of any file. */
  private latest(below: number): Omit<StoreReply, 'kind' | 'reqId'> {
    return { ...this.newestCommitted(below), highest: this.highestId() };
  }

  private highestId(): number {
    let highest = -1;
    for (const p of this.ctx.disk.list('meta/cp-')) highest = Math.max(highest, metaCheckpoint(p));
    for (const p of this.ctx.disk.list('snap/')) highest = Math.max(highest, snapshotCheckpoint(p) ?? -1);
    return highest;
  }

  private newestCommitted(below: number): Omit<StoreReply, 'kind' | 'reqId'> {
    if (this.bugs.has('restore-incomplete-checkpoint')) {
      const incomplete = this.newestWithoutMetadata(below);
      if (incomplete) return incomplete;
    }
    const paths = this.ctx.disk.list('meta/cp-').filter((p) => !p.endsWith('.tmp')).reverse();
    const newest = paths.find((p) => metaCheckpoint(p) < below);
    if (newest === undefined) return { ok: true, checkpoint: -1, data: null };
    // Metadata is written only after a sync, so an unreadable newest file is a
    // failed read, not a torn write: say so and let the caller retry, rather
    // than fall back past a checkpoint whose transactions may be committed.
    const data = unseal(this.ctx.disk.read(newest));
    if (data === undefined) return { ok: false, data: null };
    return { ok: true, checkpoint: metaCheckpoint(newest), data };
  }

  /** The planted bug: trust snapshot files of a checkpoint whose metadata was never written. */
  private newestWithoutMetadata(below: number): Omit<StoreReply, 'kind' | 'reqId'> | undefined {
    const byCp = new Map<number, Record<string, string>>();
    for (const p of this.ctx.disk.list('snap/')) {
      const m = /^snap\/a\d+\/cp-(\d+)\/(.+)$/.exec(p);
      if (!m) continue;
      const id = Number(m[1]);
      if (id >= below) continue;
      const handles = byCp.get(id) ?? {};
      handles[m[2]!] = p;
      byCp.set(id, handles);
    }
    const ids = [...byCp.keys()].sort((a, b) => b - a);
    const newest = ids[0];
    if (newest === undefined || this.ctx.disk.read(metaPath(newest)) !== undefined) return undefined;
    return { ok: true, checkpoint: newest, data: JSON.stringify({ checkpoint: newest, handles: byCp.get(newest) }) };
  }
}

/** The checkpoint id in a metadata file's path (`checkpointMetaPath`; a `.tmp` one being written too). */
function metaCheckpoint(path: string): number {
  return parseInt(path.slice('meta/cp-'.length), 10);
}

/** The checkpoint id in a snapshot file's path (`snapshotPath`), if it is one. */
function snapshotCheckpoint(path: string): number | undefined {
  const m = /^snap\/a\d+\/cp-(\d+)\//.exec(path);
  return m ? Number(m[1]) : undefined;
}

export function snapshotPath(attempt: number, checkpoint: number, task: string): string {
  return `snap/a${attempt}/cp-${checkpoint}/${task}`;
}
