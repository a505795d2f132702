/**
 * The broker's on-disk formats and the one decoder both the broker's recovery
 * and the offline reader use.
 *
 * Every file is a sequence of lines `seal(JSON)\n`. A partition's segment
 * holds one line per produce request (a batch of records), per transaction
 * marker, per seal and per log start move (DeleteRecords); the transaction
 * log holds one line per epoch bump and per transaction decision. A segment
 * the log cleaner rewrote (log-cleaner.ts) starts with a log start line and
 * may hold cleaned entries: records at their own offsets, with gaps.
 *
 * Damage: a crash can tear the last unsynced append, leaving a fragment
 * without its newline; a bit can flip on read. Decoding keeps the longest
 * prefix of intact lines. A damaged last line WITHOUT its newline is a torn
 * TAIL — what a crash leaves of an unsynced write — and is dropped quietly. A
 * damaged line that ends in its newline, or damage followed by more intact
 * lines, is CORRUPTION (kind `middle`): a complete line was written and synced
 * and now fails its checksum, so it may hold acknowledged data. Decoding
 * stops there (offsets after it could not be trusted to be contiguous) and
 * the caller reports `disk.corrupt` and reads again later; only damage that
 * persists is cut off — the one case where the broker loses acknowledged
 * data, as a single unreplicated Kafka broker would. (Taking a complete last
 * line that a read flipped a bit in for a torn write once dropped a
 * committed transaction's batch at a broker restart.)
 * Because read corruption is transient (the stored bytes are fine), a damaged
 * read is read again and the reads are combined line by line.
 */
import { seal, unseal } from '../runtime/checksum.ts';
import type { Disk } from '../runtime/types.ts';

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
  | { t: 'init'; x: string; e: number }
  | { t: 'end'; x: string; e: number; n: number; c: boolean };

/** The topics file: topic -> partition count, written at first start. */
export interface TopicsLine {
  t: 'topics';
  topics: Record<string, number>;
}

export interface Damage {
  /** `tail`: a torn last line (no newline), nothing intact after it; `middle`: a complete line fails its checksum, or intact lines follow the damage. */
  kind: 'tail' | 'middle';
  /** 0-based index of the first damaged line. */
  line: number;
  /** Intact lines after the damage that are dropped. */
  droppedLines: number;
}

export interface DecodedFile<T> {
  items: T[];
  /** Characters of the intact prefix (what to keep when truncating). */
  validLength: number;
  damage?: Damage;
}

/** One sealed JSON line; every file of the broker (and the workload producer's progress file) is made of these. */
export function encodeLine(value: SegmentEntry | TxnLogLine | TopicsLine | object): string {
  return `${seal(JSON.stringify(value))}\n`;
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
  if (l.t === 'init') return true;
  return l.t === 'end' && isInt(l.n) && typeof l.c === 'boolean';
}

export function isTopicsLine(v: unknown): v is TopicsLine {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  if (l.t !== 'topics' || typeof l.topics !== 'object' || l.topics === null) return false;
  return Object.values(l.topics).every((n) => isInt(n) && n > 0);
}

function parseLine<T>(line: string, valid: (v: unknown) => v is T): T | undefined {
  const payload = unseal(line);
  if (payload === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(payload);
    return valid(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes the intact prefix of `text` (see the module comment for what counts as damage). */
export function decodeText<T>(text: string, valid: (v: unknown) => v is T): DecodedFile<T> & { text: string } {
  // One read: the intact lines are the read's own prefix, so nothing needs copying (decodeReads' `text` is `text`).
  const items: T[] = [];
  let pos = 0;
  let line = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const item = nl < 0 ? undefined : parseLine(text.slice(pos, nl), valid);
    if (item === undefined) {
      const droppedLines = intactLinesAfter(text, pos, valid);
      return { items, validLength: pos, damage: { kind: damageKind(droppedLines, nl >= 0), line, droppedLines }, text };
    }
    items.push(item);
    pos = nl + 1;
    line++;
  }
  return { items, validLength: pos, text };
}

/**
 * Decodes several reads of one file line by line: each line is taken from
 * the first read in which it is intact. Read corruption flips one bit per
 * read, so a line damaged in one read is almost surely intact in another;
 * damage present in every read is real. The returned `text` holds the intact
 * lines chosen (its first `validLength` characters) followed by the rest of
 * the first read.
 */
export function decodeReads<T>(reads: string[], valid: (v: unknown) => v is T): DecodedFile<T> & { text: string } {
  const items: T[] = [];
  let clean = '';
  let pos = 0;
  let line = 0;
  const first = reads[0];
  while (pos < first.length) {
    let taken = false;
    for (const text of reads) {
      const nl = text.indexOf('\n', pos);
      const item = nl < 0 ? undefined : parseLine(text.slice(pos, nl), valid);
      if (item === undefined) continue;
      items.push(item);
      clean += text.slice(pos, nl + 1);
      pos = nl + 1;
      taken = true;
      break;
    }
    if (!taken) {
      const droppedLines = Math.max(...reads.map((text) => intactLinesAfter(text, pos, valid)));
      const complete = reads.some((text) => text.indexOf('\n', pos) >= 0);
      const damage: Damage = { kind: damageKind(droppedLines, complete), line, droppedLines };
      return { items, validLength: pos, damage, text: clean + first.slice(pos) };
    }
    line++;
  }
  return { items, validLength: pos, text: clean };
}

/** A torn write leaves a last line without its newline; anything else that fails its checksum is corruption. */
function damageKind(intactAfter: number, lineComplete: boolean): Damage['kind'] {
  return intactAfter > 0 || lineComplete ? 'middle' : 'tail';
}

function intactLinesAfter<T>(text: string, pos: number, valid: (v: unknown) => v is T): number {
  let count = 0;
  let p = text.indexOf('\n', pos);
  while (p >= 0 && p + 1 < text.length) {
    const nl = text.indexOf('\n', p + 1);
    if (nl < 0) break;
    if (parseLine(text.slice(p + 1, nl), valid) !== undefined) count++;
    p = nl;
  }
  return count;
}

/** How many reads of a damaged file are combined before its damage is believed. */
export const READ_ATTEMPTS_MAX = 4;

/**
 * Reads and decodes `path`. When the first read shows damage, the file is
 * read again and the reads are combined (`decodeReads`), since read
 * corruption is transient. An absent file decodes as empty.
 */
export function readFile<T>(disk: Disk, path: string, valid: (v: unknown) => v is T): DecodedFile<T> & { text: string } {
  const first = disk.read(path) ?? '';
  const once = decodeText(first, valid);
  if (once.damage === undefined) return once;
  const reads = [first];
  for (let k = 1; k < READ_ATTEMPTS_MAX; k++) reads.push(disk.read(path) ?? '');
  return decodeReads(reads, valid);
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
export const TOPICS_PATH = 'log/topics.json';
