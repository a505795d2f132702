/**
 * The broker's on-disk formats and the one decoder both the broker's recovery
 * and the offline reader use.
 *
 * Every file is a frame file (the runtime `Disk`'s `appendFrame`): one frame
 * per entry, as Kafka writes one RecordBatch with its CRC per produce
 * request. A partition's segment holds one frame per produce request (a
 * batch of records), per transaction marker, per seal and per log start move
 * (DeleteRecords); the transaction log holds one frame per epoch bump and per
 * transaction decision. A segment the log cleaner rewrote (log-cleaner.ts)
 * starts with a log start frame and may hold cleaned entries: records at
 * their own offsets, with gaps.
 *
 * Damage: a crash can tear the last unsynced append, leaving a torn frame
 * (`TORN_FRAME`); a bit can flip on read (a `CorruptFrame`). Decoding keeps the
 * longest prefix of intact frames. A torn LAST frame is a torn TAIL, what a
 * crash leaves of an unsynced write, and is dropped quietly. A complete frame
 * that fails its checksum, or damage followed by more intact frames, is
 * CORRUPTION (kind `middle`): a whole frame was written and synced and now
 * fails its checksum, so it may hold acknowledged data. Decoding stops there
 * (offsets after it could not be trusted to be contiguous) and the caller
 * reports `disk.corrupt` and reads again later; only damage that persists is
 * cut off, the one case where the broker loses acknowledged data, as a
 * single unreplicated Kafka broker would. (Taking a complete last frame that
 * a read damaged for a torn write once dropped a committed transaction's
 * batch at a broker restart.) Because read corruption is transient (the
 * stored frames are fine), a damaged read is read again and the reads are
 * combined frame by frame.
 */
import { TORN_FRAME, damagedFrame, type Disk } from '../runtime/types.ts';

/** A produce request's records, at offsets `o .. o + r.length - 1`. */
export interface BatchEntry {
  t: 'b';
  o: number;
  r: unknown[];
  /** Idempotent producer id and sequence number. */
  p?: string;
  s?: number;
  /** Transactional id, producer epoch and the broker's transaction number (per id). */
  x?: string;
  e?: number;
  n?: number;
}

/** A commit (`c`) or abort marker of transaction `n` of id `x`; it occupies offset `o`, as in Kafka. */
export interface MarkerEntry {
  t: 'm';
  o: number;
  x: string;
  e: number;
  n: number;
  c: boolean;
}

/** End of input: no record is appended after it. Occupies no offset. */
export interface SealEntry {
  t: 's';
  o: number;
}

/** A record kept by compaction, at its original offset; `h`: a tombstone's delete horizon (Kafka's KIP-534 deleteHorizonMs). */
export interface CleanedRecord {
  o: number;
  v: unknown;
  h?: number;
}

/** What compaction leaves of offsets `o .. o + n - 1`: the records it kept (offsets ascending), the rest are gaps. */
export interface CleanedEntry {
  t: 'k';
  o: number;
  n: number;
  r: CleanedRecord[];
}

/**
 * The log start offset moves to `s` (occupies no offset). First line of a
 * rewritten segment, where `o` may jump past offsets no longer stored; `ps`
 * then carries idempotent producers' last batches (id, seq, base, end) that
 * the rewrite removed, so their retries are still recognised.
 */
export interface LogStartEntry {
  t: 'l';
  o: number;
  s: number;
  ps?: [string, number, number, number][];
}

export type SegmentEntry = BatchEntry | MarkerEntry | SealEntry | CleanedEntry | LogStartEntry;

/** The transaction log: epoch bumps and durable commit/abort decisions. */
export type TxnLogLine =
  | { t: 'init'; x: string; e: number; to?: number }
  | { t: 'end'; x: string; e: number; n: number; c: boolean };

/** The topics file: topic -> partition count, written at first start. */
export interface TopicsLine {
  t: 'topics';
  topics: Record<string, number>;
}

export interface Damage {
  /** `tail`: a torn last frame, nothing intact after it; `middle`: a complete frame fails its checksum, or intact frames follow the damage. */
  kind: 'tail' | 'middle';
  /** 0-based index of the first damaged frame. */
  frame: number;
  /** Intact frames after the damage that are dropped. */
  droppedFrames: number;
}

export interface DecodedFile<T> {
  items: T[];
  /** The intact prefix (what to keep when truncating): the frames `items` were decoded from. */
  intact: readonly unknown[];
  damage?: Damage;
  /** The first read showed damage, so the file was read again (whether or not the damage went away). */
  reread?: true;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

export function isSegmentEntry(v: unknown): v is SegmentEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  if (!isInt(e.o)) return false;
  switch (e.t) {
    case 'b':
      return Array.isArray(e.r) && (e.p === undefined || (isStr(e.p) && isInt(e.s)))
        && (e.x === undefined || (isStr(e.x) && isInt(e.e) && isInt(e.n)));
    case 'm':
      return isStr(e.x) && isInt(e.e) && isInt(e.n) && typeof e.c === 'boolean';
    case 's':
      return true;
    case 'k':
      return isInt(e.n) && Array.isArray(e.r) && e.r.every(isCleanedRecord);
    case 'l':
      return isInt(e.s) && (e.ps === undefined || (Array.isArray(e.ps) && e.ps.every(isProducerBatch)));
    default:
      return false;
  }
}

function isCleanedRecord(v: unknown): v is CleanedRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return isInt(r.o) && 'v' in r && (r.h === undefined || isInt(r.h));
}

function isProducerBatch(v: unknown): boolean {
  return Array.isArray(v) && v.length === 4 && isStr(v[0]) && isInt(v[1]) && isInt(v[2]) && isInt(v[3]);
}

export function isTxnLogLine(v: unknown): v is TxnLogLine {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  if (!isStr(l.x) || !isInt(l.e)) return false;
  if (l.t === 'init') return l.to === undefined || isInt(l.to);
  return l.t === 'end' && isInt(l.n) && typeof l.c === 'boolean';
}

export function isTopicsLine(v: unknown): v is TopicsLine {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  if (l.t !== 'topics' || typeof l.topics !== 'object' || l.topics === null) return false;
  return Object.values(l.topics).every((n) => isInt(n) && n > 0);
}

/** Decodes the intact prefix of one read (see the module comment for what counts as damage). */
export function decodeFrames<T>(frames: readonly unknown[], valid: (v: unknown) => v is T): DecodedFile<T> {
  const items: T[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (damagedFrame(f) || !valid(f)) {
      const droppedFrames = intactFramesAfter(frames, i, valid);
      return { items, intact: frames.slice(0, i), damage: { kind: damageKind(droppedFrames, f !== TORN_FRAME), frame: i, droppedFrames } };
    }
    items.push(f);
  }
  return { items, intact: frames };
}

/**
 * Decodes several reads of one file frame by frame: each frame is taken from
 * the first read in which it is intact. Read corruption damages one frame per
 * read, so a frame damaged in one read is almost surely intact in another;
 * damage present in every read is real.
 */
export function decodeReads<T>(reads: readonly (readonly unknown[])[], valid: (v: unknown) => v is T): DecodedFile<T> {
  const items: T[] = [];
  const intact: unknown[] = [];
  const n = Math.max(...reads.map((r) => r.length));
  for (let i = 0; i < n; i++) {
    const good = reads.find((r) => i < r.length && !damagedFrame(r[i]) && valid(r[i]));
    if (good === undefined) {
      const droppedFrames = Math.max(...reads.map((r) => intactFramesAfter(r, i, valid)));
      const complete = reads.some((r) => i < r.length && r[i] !== TORN_FRAME);
      return { items, intact, damage: { kind: damageKind(droppedFrames, complete), frame: i, droppedFrames } };
    }
    items.push(good[i] as T);
    intact.push(good[i]);
  }
  return { items, intact };
}

/** A torn write leaves a torn last frame; anything else that fails its checksum is corruption. */
function damageKind(intactAfter: number, frameComplete: boolean): Damage['kind'] {
  return intactAfter > 0 || frameComplete ? 'middle' : 'tail';
}

function intactFramesAfter<T>(frames: readonly unknown[], i: number, valid: (v: unknown) => v is T): number {
  let count = 0;
  for (let k = i + 1; k < frames.length; k++) if (!damagedFrame(frames[k]) && valid(frames[k])) count++;
  return count;
}

/** How many reads of a damaged file are combined before its damage is believed. */
export const READ_ATTEMPTS_MAX = 4;

/**
 * Reads and decodes `path`. When the first read shows damage, the file is
 * read again and the reads are combined (`decodeReads`), since read
 * corruption is transient. An absent file decodes as empty.
 */
export function readFile<T>(disk: Disk, path: string, valid: (v: unknown) => v is T): DecodedFile<T> {
  const first = disk.readFrames(path) ?? [];
  const once = decodeFrames(first, valid);
  if (once.damage === undefined) return once;
  const reads = [first];
  for (let k = 1; k < READ_ATTEMPTS_MAX; k++) reads.push(disk.readFrames(path) ?? []);
  return { ...decodeReads(reads, valid), reread: true };
}

export function segmentPath(topic: string, partition: number): string {
  return `log/${topic}/${partition}.seg`;
}

export const TXN_LOG_PATH = 'log/txn.log';
/**
 * The internal compacted topic (one partition) holding consumer groups'
 * committed offsets and group metadata, as Kafka's `__consumer_offsets`. It is
 * not in the topics file; clients may read it but not write or seal it.
 */
export const OFFSETS_TOPIC = '__consumer_offsets';
export const TOPICS_PATH = 'log/topics';
