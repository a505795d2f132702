/**
 * One partition's log in memory: decoded batches and markers in offset order,
 * the open transactions on it, the idempotent producers' applied sequence
 * numbers, and the two offsets that bound what a consumer may see.
 *
 * Invariants:
 * - Entries are contiguous: each starts where the previous one ends, and
 *   `endOffset` is where the next one starts. A data batch holds its records'
 *   offsets; a transaction marker holds one offset (as in Kafka, consumers skip
 *   it); a seal holds none. A cleaned entry (compaction's output) spans its
 *   offsets but holds records at only some of them: readers skip the gaps.
 * - `logStartOffset` (Kafka's log start offset) only grows; nothing below it
 *   is served, and entries wholly below it are dropped from memory.
 * - `durableEnd <= endOffset`: everything below `durableEnd` is fsynced. No
 *   consumer is shown an offset at or above it, so a crash never takes back
 *   a record a consumer has seen nor reuses its offset for another record.
 * - Last Stable Offset = min(durableEnd, first offset of every open
 *   transaction). read_committed shows only offsets below it, and of those only
 *   non-transactional records and records of committed transactions.
 *
 * `apply` is the only state transition; the broker calls it for live appends
 * and recovery calls it for decoded lines, so both build the same state.
 */
import { segmentPath, type CleanedEntry, type CleanedRecord, type LogStartEntry, type SegmentEntry } from './codec.ts';
import { isKeyedRecord, type FetchedRecord, type Isolation } from './protocol.ts';

export type EntryStatus = 'plain' | 'open' | 'committed' | 'aborted' | 'marker';

interface Entry {
  base: number;
  /** Offsets the entry occupies: its record count, or 1 for a marker. */
  count: number;
  values: readonly unknown[];
  status: EntryStatus;
  /** A cleaned entry's records, each at its own offset (then `values` is empty and `status` plain). */
  sparse?: readonly CleanedRecord[];
}

/** An entry as the log cleaner sees it. */
export type LogEntryView = Readonly<Entry>;

/** How many batches per idempotent producer a rewritten segment remembers (Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN). */
export const PRODUCER_BATCHES_KEPT = 5;

export interface OpenTxn {
  id: string;
  epoch: number;
  n: number;
  firstOffset: number;
  entries: Entry[];
}

/** A batch an idempotent producer already wrote: where it went. */
export interface AppliedBatch {
  base: number;
  end: number;
}

const NO_VALUES: readonly unknown[] = [];

/** A keyed record of the log: its offset, its value and the entry that holds it (whose status a marker may change). */
interface KeyedAt {
  offset: number;
  value: unknown;
  entry: Entry;
}

export function txnKey(id: string, n: number): string {
  return `${n}\u0000${id}`;
}

export class PartitionLog {
  private readonly entries: Entry[] = [];
  endOffset = 0;
  durableEnd = 0;
  logStartOffset = 0;
  sealed = false;
  readonly openTxns = new Map<string, OpenTxn>();
  /** Highest transaction number seen per transactional id. */
  readonly maxTxnN = new Map<string, number>();
  private readonly producers = new Map<string, Map<number, AppliedBatch>>();
  /** The open transaction the latest transactional batch went to (still in `openTxns`), if any. */
  private lastOpen: OpenTxn | undefined;
  /**
   * The keyed records by key, in offset order, of `entries[0 .. keyedEntries)`: built by the first
   * `forEachOfKey` (only the offsets log asks), brought up to date by each later one (appends cost
   * nothing until then), dropped when entries leave the front (compaction, a new log start), which
   * moves every later entry's place.
   */
  private keyed: Map<string, KeyedAt[]> | undefined;
  private keyedEntries = 0;

  /** The segment file on the broker's disk (`segmentPath`), kept since every append and sync names it. */
  readonly segment: string;

  constructor(readonly topic: string, readonly partition: number) {
    this.segment = segmentPath(topic, partition);
  }

  /** True when `entry` continues this log (recovery stops at the first line that does not). */
  fits(entry: SegmentEntry): boolean {
    // A rewritten segment starts with a log start line at the first offset it still stores.
    if (entry.t === 'l') return entry.o === this.endOffset || (this.entries.length === 0 && entry.o > this.endOffset && entry.s >= entry.o);
    if (entry.o !== this.endOffset) return false;
    if (entry.t === 'k') return entry.n > 0 && entry.r.every((r, i) => r.o >= entry.o && r.o < entry.o + entry.n && (i === 0 || r.o > entry.r[i - 1]!.o));
    return entry.t !== 'b' || entry.r.length > 0;
  }

  apply(entry: SegmentEntry): void {
    if (!this.fits(entry)) throw new Error(`log ${this.topic}/${this.partition}: entry at ${entry.o} does not continue at ${this.endOffset}`);
    switch (entry.t) {
      case 'b': return this.applyBatch(entry.o, entry.r, entry);
      case 'm': return this.applyMarker(entry.o, entry.x, entry.n, entry.c);
      case 's': this.sealed = true; return;
      case 'k': return this.applyCleaned(entry);
      case 'l': return this.applyLogStart(entry);
    }
  }

  private applyCleaned(c: CleanedEntry): void {
    this.entries.push(cleanedEntry(c));
    this.endOffset = c.o + c.n;
  }

  private applyLogStart(l: LogStartEntry): void {
    if (this.entries.length === 0 && l.o > this.endOffset) this.endOffset = l.o;
    this.logStartOffset = Math.max(this.logStartOffset, l.s);
    for (const [id, seq, base, end] of l.ps ?? []) this.noteApplied(id, seq, base, end);
    let drop = 0;
    while (drop < this.entries.length && this.entries[drop]!.base + this.entries[drop]!.count <= this.logStartOffset) drop++;
    if (drop > 0) {
      this.entries.splice(0, drop);
      this.keyed = undefined;
    }
  }

  private noteApplied(id: string, seq: number, base: number, end: number): void {
    let seqs = this.producers.get(id);
    if (seqs === undefined) this.producers.set(id, (seqs = new Map()));
    seqs.set(seq, { base, end });
  }

  /**
   * Compaction's swap: the entries below `cleaned.o + cleaned.n` give way to
   * the cleaned entry. That end must be an entry boundary at or below the end
   * of the log (the cleaner cleans up to the last stable offset, which is one).
   */
  replacePrefix(cleaned: CleanedEntry): void {
    const end = cleaned.o + cleaned.n;
    const i = this.indexOf(end);
    if (i < this.entries.length ? this.entries[i]!.base !== end : end !== this.endOffset) {
      throw new Error(`log ${this.topic}/${this.partition}: cleaned prefix ends at ${end}, not at an entry boundary`);
    }
    this.entries.splice(0, i, cleanedEntry(cleaned));
    this.keyed = undefined;
  }

  /** The entries holding offsets below `end`, from the first one still stored. */
  entriesBelow(end: number): readonly LogEntryView[] {
    return this.entries.slice(0, this.indexOf(end));
  }

  /** Every stored record at or above the log start offset, in offset order, with its entry's status. */
  forEachRecord(fn: (offset: number, value: unknown, status: EntryStatus) => void): void {
    for (let i = this.indexOf(this.logStartOffset); i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.sparse !== undefined) {
        for (const r of e.sparse) if (r.o >= this.logStartOffset) fn(r.o, r.v, e.status);
        continue;
      }
      for (let k = Math.max(0, this.logStartOffset - e.base); k < e.values.length; k++) fn(e.base + k, e.values[k], e.status);
    }
  }

  /**
   * The stored records with record key `key` at or above the log start offset, in offset order,
   * with their entries' status: what `forEachRecord` shows of that key, without reading the rest.
   */
  forEachOfKey(key: string, fn: (offset: number, value: unknown, status: EntryStatus) => void): void {
    if (this.keyed === undefined) {
      this.keyed = new Map();
      this.keyedEntries = 0;
    }
    for (let i = this.keyedEntries; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.sparse !== undefined) for (const r of e.sparse) this.noteKeyed(r.o, r.v, e);
      else for (let k = 0; k < e.values.length; k++) this.noteKeyed(e.base + k, e.values[k], e);
    }
    this.keyedEntries = this.entries.length;
    const at = this.keyed.get(key);
    if (at === undefined) return;
    for (let i = 0; i < at.length; i++) {
      const r = at[i]!;
      if (r.offset >= this.logStartOffset) fn(r.offset, r.value, r.entry.status);
    }
  }

  private noteKeyed(offset: number, value: unknown, entry: Entry): void {
    if (!isKeyedRecord(value)) return;
    const at = this.keyed!.get(value.key);
    if (at === undefined) this.keyed!.set(value.key, [{ offset, value, entry }]);
    else at.push({ offset, value, entry });
  }

  /** Each idempotent producer's last batches (id, seq, base, end), by producer id: what a rewritten segment must keep. */
  producerBatches(): [string, number, number, number][] {
    const out: [string, number, number, number][] = [];
    for (const id of [...this.producers.keys()].sort()) {
      const seqs = [...(this.producers.get(id) as Map<number, AppliedBatch>)].sort((a, b) => a[0] - b[0]);
      for (const [seq, b] of seqs.slice(-PRODUCER_BATCHES_KEPT)) out.push([id, seq, b.base, b.end]);
    }
    return out;
  }

  private applyBatch(base: number, values: unknown[], e: { p?: string; s?: number; x?: string; e?: number; n?: number }): void {
    const entry: Entry = { base, count: values.length, values, status: e.x === undefined ? 'plain' : 'open' };
    this.entries.push(entry);
    this.endOffset = base + values.length;
    if (e.p !== undefined && e.s !== undefined) this.noteApplied(e.p, e.s, base, this.endOffset);
    if (e.x !== undefined && e.e !== undefined && e.n !== undefined) {
      // A transaction's batches mostly come one after another: the latest one's transaction is
      // found without building its key and hashing it again.
      let open = this.lastOpen;
      if (open === undefined || open.id !== e.x || open.n !== e.n) {
        const key = txnKey(e.x, e.n);
        open = this.openTxns.get(key);
        if (open === undefined) {
          open = { id: e.x, epoch: e.e, n: e.n, firstOffset: base, entries: [] };
          this.openTxns.set(key, open);
        }
        this.lastOpen = open;
      }
      open.entries.push(entry);
      this.maxTxnN.set(e.x, Math.max(e.n, this.maxTxnN.get(e.x) ?? 0));
    }
  }

  private applyMarker(offset: number, id: string, n: number, commit: boolean): void {
    const key = txnKey(id, n);
    const open = this.openTxns.get(key);
    if (open !== undefined) {
      for (const e of open.entries) e.status = commit ? 'committed' : 'aborted';
      this.openTxns.delete(key);
      if (this.lastOpen === open) this.lastOpen = undefined;
    }
    this.entries.push({ base: offset, count: 1, values: NO_VALUES, status: 'marker' });
    this.endOffset = offset + 1;
    this.maxTxnN.set(id, Math.max(n, this.maxTxnN.get(id) ?? 0));
  }

  /** The batch producer `id` wrote with sequence number `seq`, if any. */
  applied(id: string, seq: number): AppliedBatch | undefined {
    return this.producers.get(id)?.get(seq);
  }

  /** Planted bug `lso-ignores-open-transactions`: read_committed reads up to the high watermark. */
  lsoIgnoresOpenTxns = false;
  /** Planted bug `read-committed-shows-aborted`: read_committed shows aborted records. */
  showsAborted = false;

  lastStableOffset(): number {
    let lso = this.durableEnd;
    if (this.lsoIgnoresOpenTxns) return lso;
    for (const t of this.openTxns.values()) lso = Math.min(lso, t.firstOffset);
    // Never below the log start (UnifiedLog: an open transaction's first offset may have been deleted).
    return Math.max(lso, this.logStartOffset);
  }

  /** The offset below which `isolation` may read. */
  readLimit(isolation: Isolation): number {
    return isolation === 'read_committed' ? this.lastStableOffset() : this.durableEnd;
  }

  /**
   * Up to `maxRecords` visible records from `offset` on (from the log start
   * offset, if `offset` is below it), and the offset to resume from.
   * `nextOffset` moves past markers, aborted records and compaction's gaps
   * even when no record is returned, so a read_committed consumer makes progress.
   */
  read(offset: number, maxRecords: number, isolation: Isolation): { records: FetchedRecord[]; nextOffset: number } {
    const limit = this.readLimit(isolation);
    const records: FetchedRecord[] = [];
    let next = Math.max(offset, this.logStartOffset);
    for (let i = this.indexOf(next); i < this.entries.length && next < limit && records.length < maxRecords; i++) {
      const e = this.entries[i];
      const to = Math.min(e.base + e.count, limit);
      if (!visible(e.status, isolation) && !(this.showsAborted && e.status === 'aborted')) {
        next = to;
        continue;
      }
      if (e.sparse !== undefined) {
        next = readSparse(e.sparse, next, to, maxRecords, records);
        continue;
      }
      const take = Math.min(to - next, maxRecords - records.length);
      for (let k = 0; k < take; k++) records.push({ offset: next + k, value: e.values[next + k - e.base] });
      next += take;
    }
    return { records, nextOffset: next };
  }

  /** True when the partition is sealed and a consumer at `nextOffset` has read all of it. */
  endOfPartition(nextOffset: number, isolation: Isolation): boolean {
    return this.sealed && nextOffset >= this.endOffset && this.readLimit(isolation) >= this.endOffset;
  }

  /** Index of the entry holding `offset` (entries.length when offset >= endOffset). */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.entries[mid];
      if (e.base + e.count <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function cleanedEntry(c: CleanedEntry): Entry {
  return { base: c.o, count: c.n, values: NO_VALUES, status: 'plain', sparse: c.r };
}

/** Appends the records of `sparse` in [from, to) to `out` up to `max` in all; returns the offset to resume from. */
function readSparse(sparse: readonly CleanedRecord[], from: number, to: number, max: number, out: FetchedRecord[]): number {
  let lo = 0;
  let hi = sparse.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sparse[mid]!.o < from) lo = mid + 1;
    else hi = mid;
  }
  for (; lo < sparse.length && sparse[lo]!.o < to; lo++) {
    if (out.length >= max) return sparse[lo]!.o;
    out.push({ offset: sparse[lo]!.o, value: sparse[lo]!.v });
  }
  return to;
}

function visible(status: EntryStatus, isolation: Isolation): boolean {
  switch (status) {
    case 'plain':
    case 'committed':
      return true;
    case 'open':
    case 'aborted':
      return isolation === 'read_uncommitted';
    case 'marker':
      return false;
  }
}
