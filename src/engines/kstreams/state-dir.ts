/**
 * The state directory of a Kafka Streams instance on its disk (part K10;
 * Kafka's StateDirectory, ProcessorStateManager and OffsetCheckpoint).
 *
 * Layout, per task: `state/<application.id>/<task id>/`
 * - `<store>.db`: the store's contents as frames, each a list of entries
 *   `[storeKey, value or null, ts, changelog offset]` applied in order (a
 *   persistent store's flush appends one frame; loading compacts the file
 *   into one frame). A frame carries its checksum (the disk's frame model):
 *   a complete frame that fails it means the directory is corrupted.
 * - `.checkpoint`: the changelog offset each store has reached, as Kafka's
 *   text format `0\n<count>\n<topic> <partition> <offset>\n…`, sealed with a
 *   checksum, written to `.checkpoint.tmp`, fsynced and renamed over the
 *   old one. It is written only after the store files it vouches for were
 *   synced (the disk completes fsyncs in call order).
 *
 * The stores' files and `.checkpoint` are written together, at a checkpoint
 * (Kafka's `AbstractTask.maybeCheckpoint`): the stores are flushed (a
 * RocksDB flush writes what its memtables hold; Streams disables RocksDB's
 * write-ahead log, so nothing reaches the files between flushes), then the
 * checkpoint names their offsets. A commit flushes only the caches. When a
 * checkpoint is taken is the thread's business (instance.ts), by Kafka's
 * rule (`StateManagerUtil.checkpointNeeded`): when enforced, or when the
 * task's changelog offsets advanced by more than
 * `OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT` in total since its last one. An
 * at-least-once active task asks at every commit and enforces one at the end
 * of its restoration; an exactly-once active task never checkpoints while
 * running, only when enforced (revocation, clean close), and deletes the file
 * as soon as it is loaded, so a crash while running leaves none; a standby
 * asks at every commit under both guarantees.
 */
import { damagedFrame, TORN_FRAME, type Disk } from '../../runtime/types.ts';
import { seal, unseal } from '../../runtime/checksum.ts';
import type { PersistedEntry } from './stores.ts';

/** One line of a checkpoint file. */
export interface CheckpointEntry {
  topic: string;
  partition: number;
  offset: number;
}

export function taskDir(applicationId: string, taskId: string): string {
  return `state/${applicationId}/${taskId}/`;
}

export const CHECKPOINT_FILE = '.checkpoint';

/** Kafka's `StateManagerUtil.OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT`: an unenforced checkpoint needs more changelog progress than this. */
export const OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT = 10_000;

/**
 * `ProcessorStateManager.changelogOffsets`: per store, the next changelog offset after the last
 * one it wrote or restored (0 when it has none).
 */
export function changelogOffsets(stores: Iterable<{ name: string; changelogOffset: number }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of stores) out.set(s.name, s.changelogOffset + 1);
  return out;
}

/**
 * `StateManagerUtil.checkpointNeeded`: never before the stores are registered (no snapshot yet),
 * always when enforced, else when the offsets advanced by more than the threshold in total since
 * the snapshot taken at the last checkpoint (a store missing from it counts from 0).
 */
export function checkpointNeeded(enforce: boolean, last: ReadonlyMap<string, number> | undefined, now: ReadonlyMap<string, number>): boolean {
  if (last === undefined) return false;
  if (enforce) return true;
  let delta = 0;
  for (const [store, offset] of now) delta += offset - (last.get(store) ?? 0);
  return delta > OFFSET_DELTA_THRESHOLD_FOR_CHECKPOINT;
}

function storeFile(dir: string, store: string): string {
  return `${dir}${store}.db`;
}

/**
 * Writes `.checkpoint` atomically (tmp, fsync, rename). `stillValid` is asked when the fsync
 * completes: if the directory was wiped or loaded meanwhile, the file is dropped instead.
 */
export function writeCheckpoint(disk: Disk, dir: string, entries: readonly CheckpointEntry[], stillValid: () => boolean = () => true): void {
  const lines = entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`);
  const text = `0\n${entries.length}\n${lines.map((l) => `${l}\n`).join('')}`;
  const tmp = `${dir}${CHECKPOINT_FILE}.tmp`;
  disk.write(tmp, seal(text));
  disk.fsync(tmp, () => {
    if (!disk.list(tmp).includes(tmp)) return;
    if (stillValid()) disk.rename(tmp, `${dir}${CHECKPOINT_FILE}`);
    else disk.delete(tmp);
  });
}

export type CheckpointRead =
  | { kind: 'missing' }
  | { kind: 'corrupt'; path: string }
  | { kind: 'ok'; entries: CheckpointEntry[] };

/** Reads `.checkpoint`: missing, failing its checksum (or malformed), or its entries. */
export function readCheckpoint(disk: Disk, dir: string): CheckpointRead {
  const path = `${dir}${CHECKPOINT_FILE}`;
  const raw = disk.read(path);
  if (raw === undefined) return { kind: 'missing' };
  const text = unseal(raw);
  if (text === undefined) return { kind: 'corrupt', path };
  const lines = text.split('\n');
  const count = Number(lines[1]);
  if (lines[0] !== '0' || !Number.isSafeInteger(count) || count < 0 || lines.length < count + 2) return { kind: 'corrupt', path };
  const entries: CheckpointEntry[] = [];
  for (let i = 0; i < count; i++) {
    const parts = lines[2 + i]!.split(' ');
    const offset = Number(parts[parts.length - 1]);
    const partition = Number(parts[parts.length - 2]);
    if (parts.length < 3 || !Number.isSafeInteger(offset) || !Number.isSafeInteger(partition)) return { kind: 'corrupt', path };
    entries.push({ topic: parts.slice(0, -2).join(' '), partition, offset });
  }
  return { kind: 'ok', entries };
}

export function deleteCheckpoint(disk: Disk, dir: string): void {
  const path = `${dir}${CHECKPOINT_FILE}`;
  if (disk.list(path).includes(path)) disk.delete(path);
}

/** Appends a store's changes as one frame and syncs it. */
export function persistStore(disk: Disk, dir: string, store: string, changes: readonly PersistedEntry[]): void {
  if (changes.length === 0) return;
  const path = storeFile(dir, store);
  disk.appendFrame(path, changes);
  disk.fsync(path);
}

export type StoreRead =
  | { kind: 'missing' }
  | { kind: 'corrupt'; path: string; frame: number }
  | { kind: 'ok'; entries: PersistedEntry[]; frames: number; torn: boolean };

/**
 * Reads a store file back: its frames' entries in order. A torn last write (a crash cut the
 * append of data the checkpoint does not vouch for) ends the file; a corrupt frame fails it.
 */
export function readStore(disk: Disk, dir: string, store: string): StoreRead {
  const path = storeFile(dir, store);
  const frames = disk.readFrames(path);
  if (frames === undefined) return { kind: 'missing' };
  const entries: PersistedEntry[] = [];
  let torn = false;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (f === TORN_FRAME) {
      torn = true;
      break;
    }
    if (damagedFrame(f)) return { kind: 'corrupt', path, frame: i };
    entries.push(...(f as PersistedEntry[]));
  }
  return { kind: 'ok', entries, frames: frames.length, torn };
}

/** Replaces a store file with one frame holding `snapshot` (compaction after a load), and syncs it. */
export function rewriteStore(disk: Disk, dir: string, store: string, snapshot: readonly PersistedEntry[]): void {
  const path = storeFile(dir, store);
  disk.writeFrames(path, snapshot.length > 0 ? [snapshot] : []);
  disk.fsync(path);
}

/** Whether the task directory holds anything. */
export function dirNonEmpty(disk: Disk, dir: string): boolean {
  return disk.list(dir).length > 0;
}

/** Deletes everything in the task directory (a wipe: Kafka's TaskCorrupted, or a dirty close under exactly-once). */
export function wipeDir(disk: Disk, dir: string): number {
  const files = disk.list(dir);
  for (const f of files) disk.delete(f);
  return files.length;
}
