/**
 * State stores with their changelog (part K10): a key-value store, a window
 * store and a session store, each an in-memory map whose every write with
 * logging enabled becomes a changelog record `(key, value or null, ts)` for
 * changelog partition = the task's partition. Restoring applies changelog
 * records straight to the map, writing nothing.
 *
 * The record cache (K7.1) sits in front: writes collect per key, and only
 * the latest value per key goes to the changelog and downstream when the
 * cache is flushed (at every commit), in the order of the keys' last writes. weir models the cache as "deduplicate
 * per key, flush at commit", with no size-driven eviction: it changes how
 * many updates appear, never the final values. With caching off every write
 * is logged and forwarded at once.
 *
 * A window store of a windowed aggregation has a retention (`WindowRetention`,
 * Kafka's `size + grace` unless set) and, as Kafka's segmented stores, an
 * observed stream time: the largest window start written to it or restored
 * into it (not what a load from the state directory brings back: RocksDB
 * opens its files with no stream time, `AbstractRocksDBSegmentedBytesStore`).
 * A point lookup of a window that starts below `observed - retention + 1`
 * (`< observed - retention` for the time-ordered store of on-window-close)
 * finds nothing. Within one incarnation an aggregate only looks up windows
 * its own stream time keeps open, which the store's never passes, so the rule
 * bites only a value the store did not write itself: restored or loaded,
 * and, with the cache on, not written since (Kafka's cache answers for what
 * was written through it, expired or not). After a restart the aggregate's
 * stream time starts afresh (KAFKA-7895) while a full restore rebuilt the
 * store's, so a record the old incarnation would have dropped finds its
 * window empty and starts it again (`hiddenWindow` says what the store
 * hid). A session store is segmented by session end the same way
 * (retention gap + grace): `findSessions` passes over a session that ended
 * below `observed - retention + 1`, so after a restore a record within the
 * gap of such a session starts one of its own (`hiddenSessions` says which
 * it did not see). Segments are not modelled: a write to a segment already
 * past retention is kept (Kafka's segments are at least a minute, longer
 * than most runs' event time).
 *
 * Keys inside the map: the record key for key-value stores;
 * `key@start` (start zero-padded so map order is window order) for window
 * stores; `key@start@end` for sessions; `key@ts@seq` for a window store that
 * keeps duplicates (a stream–stream join's), numbered as Kafka's
 * `InMemoryWindowStore` numbers them: one counter per store object, for what
 * it is given and what it restores alike, where the changelog's keys carry
 * the change-logging layer's own counter (`ChangeLoggingWindowBytesStore`),
 * which also starts at 0 with the store object. So after a restart the
 * changelog's keys repeat earlier ones, and a restore gives each record a
 * key of its own in the order read (see `putDuplicate` and `restore`).
 */

import { storeEntryDigest, type RestoredEntry } from '../../stream/changelog.ts';
import { bytesHashCode, JavaHashMap, keyWithLongs } from './java-hash-set.ts';

/** One entry as the state directory keeps it: store key, value (null: deleted), timestamp, the changelog offset of its value. */
export type PersistedEntry = [storeKey: string, value: unknown | null, ts: number, offset: number];

export interface StoredValue {
  value: unknown;
  ts: number;
}

/**
 * Where a store sends its changelog records (the task routes them to `<app>-<store>-changelog`,
 * its partition). `ackKey`: the store key whose entry the record's acknowledgement names
 * (`logged`), when it is not the changelog key (a store that keeps duplicates); '' for none.
 */
export type ChangelogWriter = (store: string, key: string, value: unknown | null, ts: number, ackKey?: string) => void;

/**
 * The record a cached write came from (Kafka's cache entry keeps its record context): its
 * timestamp and lineage. A flushed deletion has no value of its own, so downstream it stands for
 * the record that deleted.
 */
export interface WriteContext {
  ts: number;
  ids: readonly number[];
}

/**
 * What a flushed cache entry forwards downstream: the store key, the new value (null: deleted),
 * the old one (what the store held before the cache took the key), and the last write's record.
 */
export type FlushListener = (storeKey: string, value: StoredValue | null, old: StoredValue | null, context: WriteContext) => void;

const PAD = 16;
const pad = (n: number): string => (n < 0 ? '-' + String(-n).padStart(PAD - 1, '0') : String(n).padStart(PAD, '0'));

export function windowStoreKey(key: string, start: number): string {
  return `${key}@${pad(start)}`;
}

export function sessionStoreKey(key: string, start: number, end: number): string {
  return `${key}@${pad(start)}@${pad(end)}`;
}

/**
 * The parts of a session store key, `key@start@end`: the bounds follow the last two '@' (the
 * record key may hold '@' itself); undefined without two '@'.
 */
function sessionKeyParts(storeKey: string): { key: string; start: number; end: number } | undefined {
  const b = storeKey.lastIndexOf('@');
  const a = b > 0 ? storeKey.lastIndexOf('@', b - 1) : -1;
  if (a < 0) return undefined;
  return { key: storeKey.slice(0, a), start: Number(storeKey.slice(a + 1, b)), end: Number(storeKey.slice(b + 1)) };
}

/**
 * The parts of a window store key, `key@start`: the start follows the last '@' (the record key
 * may hold '@' itself, as an e-mail address does). Which kind of key a store holds is the store's
 * kind, never guessed from the key: `a@b@0000000000000005` is key `a@b` in a window store.
 */
export function parseWindowStoreKey(storeKey: string): { key: string; start: number } {
  const at = storeKey.lastIndexOf('@');
  if (at < 0) throw new Error(`not a window store key: '${storeKey}'`);
  return { key: storeKey.slice(0, at), start: segmentTimeOf(storeKey, at) };
}

/**
 * The time after a window or session store key's last '@' (at `at` when known): a window's start,
 * a session's end, the time Kafka's segmented stores file the key under.
 */
function segmentTimeOf(storeKey: string, at = storeKey.lastIndexOf('@')): number {
  return Number(storeKey.slice(at + 1));
}

/** The parts of a session store key, `key@start@end` (see `parseWindowStoreKey`). */
export function parseSessionStoreKey(storeKey: string): { key: string; start: number; end: number } {
  const p = sessionKeyParts(storeKey);
  if (p === undefined) throw new Error(`not a session store key: '${storeKey}'`);
  return p;
}

/** The sequence number of a store key of a store that keeps duplicates, `key@ts@seq`. */
export function duplicateSeq(storeKey: string): number {
  return Number(storeKey.slice(storeKey.lastIndexOf('@') + 1));
}

/** The key of a store that keeps duplicates: `prefix` (`key@ts`, a window store key) and sequence number `seq`. */
function duplicateKey(prefix: string, seq: number): string {
  return `${prefix}@${pad(seq)}`;
}

/** The hash code of a suppression buffer's key `key@start@end` as Kafka serializes the windowed key (java-hash-set.ts). */
function bufferKeyHash(storeKey: string, windows: 'time' | 'session'): number {
  const { key, start, end } = parseSessionStoreKey(storeKey);
  return bytesHashCode(keyWithLongs(key, windows === 'time' ? [start] : [end, start]));
}

/** A window or session store's retention: how far behind the store's stream time a value can still be found. */
export interface WindowRetention {
  ms: number;
  /** The time-ordered store of on-window-close finds a window at exactly `observed - retention` too. */
  timeOrdered: boolean;
}

/** A session a session store holds: its store key, bounds and value. */
export interface FoundSession {
  storeKey: string;
  start: number;
  end: number;
  stored: StoredValue;
}

export class StateStore {
  private readonly data = new Map<string, StoredValue>();
  private readonly dirty = new Map<string, { now: StoredValue | null; old: StoredValue | null; context: WriteContext }>();
  /** Per key in the map: the changelog offset its value was restored from, or -1 when it was written here. */
  private readonly sourceOffsets = new Map<string, number>();
  /** The offset of the last changelog record written or restored (Kafka's store offset); -1: none. */
  changelogOffset = -1;
  /** Called for each entry a cache flush forwards (set by the processor that owns the store). */
  onFlush: FlushListener | undefined;
  /** Store keys whose value changed since the store was last persisted to the state directory (`takeChanges`). */
  private readonly changed = new Set<string>();
  /**
   * Entries dropped from memory by retention (`evict`), with their changelog offset: the state
   * directory keeps them, as the changelog does (weir models no changelog retention), so a store
   * loaded from it holds what a full restore would.
   */
  private readonly evicted = new Map<string, { v: StoredValue; offset: number }>();
  /**
   * A session store's index (Kafka's session stores range-scan by key): per record key, the store
   * keys that have held one of its sessions, with their bounds. A store key whose session is gone
   * from the map and the cache is dropped when a lookup meets it.
   */
  private readonly sessionsByKey: Map<string, Map<string, { start: number; end: number }>> | undefined;

  /**
   * A store with a retention: the largest segment time (window start, session end) written or
   * restored (Kafka's `observedStreamTime` of the segmented store; -1: none), and the keys whose
   * value came from a restore or a load and was not written since (with a cache, only those can be
   * hidden, see the module comment).
   */
  observedStreamTime = -1;
  private readonly fromStorage: Set<string> | undefined;
  /**
   * A store that logs at the flush (`logOnFlush`): the keys written since the last flush, each
   * with the timestamp of its latest write, in the order they are logged in (Kafka's `dirtyKeys`).
   */
  private readonly unlogged: JavaHashMap<number>;
  /** The largest timestamp of a changelog record restored, deletions included (-1: none). */
  maxRestoredTs = -1;
  /** A store that keeps duplicates: the change-logging layer's last sequence number (Kafka's first is 1). */
  private logSeq = 0;
  /** A store that keeps duplicates: the store's own last sequence number (above every one it holds). */
  private storeSeq = 0;
  /**
   * A persistent store that keeps duplicates: the changelog offsets of the entries loaded from the
   * state directory. Its file can be ahead of its checkpoint (a crash between the two), and a
   * restore from the checkpoint must not put those records in a second time under new keys (a store
   * that restores by changelog key just writes them again). The DSL's join stores are in-memory
   * and load nothing.
   */
  private readonly loadedOffsets = new Set<number>();

  constructor(
    readonly name: string,
    readonly kind: 'kv' | 'window' | 'session',
    private readonly changelog: ChangelogWriter | undefined,
    readonly caching: boolean,
    readonly retention?: WindowRetention,
    /**
     * Kafka's in-memory suppression buffer (`InMemoryTimeOrderedKeyValueChangeBuffer`): a write
     * only marks its key dirty, and each dirty key's state then (its value, or a tombstone when
     * it is gone) is logged at the flush before the commit, in the order of Kafka's `HashSet` of
     * the serialized keys (java-hash-set.ts). Its keys are `key@start@end`; the value says which
     * windowed serde serializes them, a time window's (key, start) or a session's (key, end, start).
     */
    readonly logOnFlush: false | 'time' | 'session' = false,
    /** A window store that keeps duplicates (a stream–stream join's): written by `putDuplicate` only. */
    readonly duplicates = false,
    /**
     * Kafka's `StateStore.persistent()`: kept in the state directory (a file, a checkpoint entry).
     * An in-memory store has neither, and a new store object restores its changelog from the start.
     */
    readonly persistent = true,
  ) {
    this.sessionsByKey = kind === 'session' ? new Map() : undefined;
    this.fromStorage = retention !== undefined ? new Set() : undefined;
    // Only a store that logs at the flush puts keys in it, and so has its keys hashed.
    const windows = logOnFlush === 'session' ? 'session' : 'time';
    this.unlogged = new JavaHashMap((k) => bufferKeyHash(k, windows));
  }

  /** The segment time below which a lookup finds nothing (-Infinity: no retention). */
  private get liveFrom(): number {
    return this.liveFromAt(this.observedStreamTime);
  }

  /** The segment time below which a lookup finds nothing when the store has observed `observed`. */
  private liveFromAt(observed: number): number {
    const r = this.retention;
    if (r === undefined || observed < 0) return -Infinity;
    return observed - r.ms + (r.timeOrdered ? 0 : 1);
  }

  /**
   * Whether a lookup would pass over the value the store holds at `storeKey`, whose segment time
   * (a window's start, a session's end) is `time`.
   */
  private hides(storeKey: string, time: number): boolean {
    return time < this.liveFrom && (!this.caching || this.fromStorage!.has(storeKey)) && !this.dirty.has(storeKey);
  }

  /** A window store's point lookup (`fetch(key, start)`): nothing for a window the retention hides. */
  fetchWindow(storeKey: string, start: number): StoredValue | undefined {
    if (this.retention !== undefined && this.hides(storeKey, start)) return undefined;
    return this.get(storeKey);
  }

  /**
   * Whether a lookup or a scan finds the value at `storeKey`: always for a store without a
   * retention; for a window or session store, unless the retention hides it (its segment time, a
   * window's start or a session's end, below the store's bound, and not in this incarnation's cache).
   */
  visible(storeKey: string): boolean {
    return this.retention === undefined || !this.hides(storeKey, segmentTimeOf(storeKey));
  }

  /** What the store holds but `fetchWindow` does not return, for the trace of the decision; undefined when nothing is hidden. */
  hiddenWindow(storeKey: string, start: number): StoredValue | undefined {
    if (this.retention === undefined || !this.hides(storeKey, start)) return undefined;
    return this.data.get(storeKey);
  }

  /** Whether the value at `storeKey` came from a restore or a load and was not written since (a store with a retention). */
  fromRestore(storeKey: string): boolean {
    return this.fromStorage?.has(storeKey) === true;
  }

  /** A store with a retention: raises its stream time to the segment time of `storeKey`. */
  private observe(storeKey: string): void {
    const time = segmentTimeOf(storeKey);
    if (time > this.observedStreamTime) this.observedStreamTime = time;
  }

  /** Indexes a session store key (`key@start@end`) that now holds a value. */
  private indexSession(storeKey: string): void {
    const index = this.sessionsByKey;
    if (index === undefined) return;
    const p = sessionKeyParts(storeKey);
    if (p === undefined) return;
    let sessions = index.get(p.key);
    if (sessions === undefined) index.set(p.key, (sessions = new Map()));
    if (!sessions.has(storeKey)) sessions.set(storeKey, { start: p.start, end: p.end });
  }

  get(storeKey: string): StoredValue | undefined {
    const d = this.dirty.get(storeKey);
    if (d !== undefined) return d.now ?? undefined;
    return this.data.get(storeKey);
  }

  /**
   * Writes (value null: deletes). Without caching the change is logged at once and returned for
   * the caller to forward; with caching it is held until `flush` and undefined is returned.
   * `ids`: the lineage of the record that wrote, which a flush hands on with the entry.
   */
  put(storeKey: string, value: unknown | null, ts: number, ids: readonly number[] = []): { old: StoredValue | null } | undefined {
    const now = value === null ? null : { value, ts };
    if (now !== null) this.indexSession(storeKey);
    if (this.caching) {
      // Kafka's NamedCache keeps dirty keys in the order of their last write (it removes a key and
      // adds it again), so a flush forwards in arrival order: re-inserting moves the key to the end.
      const context = { ts, ids };
      const d = this.dirty.get(storeKey);
      if (d !== undefined) {
        this.dirty.delete(storeKey);
        d.now = now;
        d.context = context;
        this.dirty.set(storeKey, d);
      } else this.dirty.set(storeKey, { now, old: this.data.get(storeKey) ?? null, context });
      return undefined;
    }
    const old = this.get(storeKey) ?? null;
    this.apply(storeKey, now);
    if (this.logOnFlush) this.unlogged.set(storeKey, ts);
    else this.changelog?.(this.name, storeKey, value, ts);
    return { old };
  }

  /**
   * Writes the cache's latest values to the map and the changelog, forwarding each, in the order
   * of their last writes (as Kafka's cache flushes): a downstream operator that keeps its own
   * stream time (suppress) then sees each key's latest update before any later-written one. A
   * store that logs at the flush logs its dirty keys first.
   */
  flush(): void {
    if (this.unlogged.size > 0) {
      for (const k of this.unlogged.keys()) {
        const v = this.data.get(k);
        this.changelog?.(this.name, k, v === undefined ? null : v.value, v?.ts ?? this.unlogged.get(k)!);
      }
      this.unlogged.clear();
    }
    if (this.dirty.size === 0) return;
    const entries = [...this.dirty.entries()];
    this.dirty.clear();
    // With a flush listener (`putAndMaybeForward` of Kafka's caching stores) the old value of an
    // update is read from the store underneath, entry by entry, and a window or session store's read
    // passes over an entry its retention hides (`fetch` / `fetchSession`, the store's observed stream
    // time as the entries before have moved it): such an old value is null. A key that was in
    // neither the store nor the cache and is deleted again is neither written nor forwarded.
    // Without a listener every entry goes to the store underneath, whose changelog logs a delete as
    // a tombstone. A delete of an entry past retention is written, logged and forwarded with the
    // value it had, where Kafka's read finds nothing and skips it: docs/FIDELITY.md says why.
    const written: [string, StoredValue | null, StoredValue | null, WriteContext][] = [];
    let observed = this.observedStreamTime;
    for (const [k, { now, old, context }] of entries) {
      if (this.onFlush !== undefined && now === null && old === null) continue;
      let before = old;
      if (this.retention !== undefined) {
        const time = segmentTimeOf(k);
        if (now !== null && before !== null && this.onFlush !== undefined && time < this.liveFromAt(observed)) before = null;
        if (time > observed) observed = time;
      }
      written.push([k, now, before, context]);
    }
    // Kafka's NamedCache hands the listener every entry while they are all still in the cache, so
    // a read during the flush sees every key's new value: all of them are applied first.
    for (const [k, now] of written) this.apply(k, now);
    for (const [k, now, old, context] of written) {
      this.changelog?.(this.name, k, now === null ? null : now.value, now?.ts ?? context.ts);
      this.onFlush?.(k, now, old, context);
    }
  }

  /**
   * Applies one changelog record (restoration, standby): no changelog write, nothing forwarded.
   * A store that keeps duplicates puts each record with a value under a store key of its own, the
   * changelog key's sequence number replaced by the store's next (`InMemoryWindowStore`'s restore
   * is a put per record); a null value holds nothing.
   */
  restore(storeKey: string, value: unknown | null, ts: number, offset: number): void {
    if (this.duplicates) {
      if (value !== null && !this.loadedOffsets.has(offset)) this.apply(duplicateKey(storeKey.slice(0, storeKey.lastIndexOf('@')), ++this.storeSeq), { value, ts }, offset);
    } else {
      this.apply(storeKey, value === null ? null : { value, ts }, offset);
      this.fromStorage?.add(storeKey);
    }
    this.changelogOffset = offset;
    if (ts > this.maxRestoredTs) this.maxRestoredTs = ts;
  }

  /**
   * A store that keeps duplicates: `put(key, value, ts)` through Kafka's change-logging layer
   * (`ChangeLoggingWindowBytesStore`), which logs every put, a null value included, under
   * `key@ts@n` with its next number n; a value goes into the store under the store's next
   * number. Returns the store key of the value (undefined for a null value, which the store skips).
   */
  putDuplicate(key: string, value: unknown | null, ts: number): string | undefined {
    if (!this.duplicates) throw new Error(`store ${this.name}: putDuplicate is only for stores that keep duplicates`);
    const prefix = windowStoreKey(key, ts);
    const storeKey = value === null ? undefined : duplicateKey(prefix, ++this.storeSeq);
    if (storeKey !== undefined) this.apply(storeKey, { value, ts });
    this.changelog?.(this.name, duplicateKey(prefix, ++this.logSeq), value, ts, storeKey ?? '');
    return storeKey;
  }

  /**
   * The producer acknowledged the changelog record of a write of `storeKey` at `offset`: the
   * entry's value now comes from that offset (acknowledgements of one partition arrive in the
   * order of the writes, so the last one names the latest write).
   */
  logged(storeKey: string, offset: number): void {
    if (this.data.has(storeKey)) this.sourceOffsets.set(storeKey, offset);
    else {
      const e = this.evicted.get(storeKey);
      if (e !== undefined) e.offset = offset;
    }
    if (offset > this.changelogOffset) this.changelogOffset = offset;
  }

  /**
   * What changed since the last call, for the state directory: per changed key in store-key order,
   * `[storeKey, value or null (deleted), ts, changelog offset]`. The cache is left out (it is not
   * flushed yet). Kafka's persistent stores write the same at `flush()`, before the commit.
   */
  takeChanges(): PersistedEntry[] {
    const out: PersistedEntry[] = [];
    for (const k of [...this.changed].sort()) {
      const v = this.data.get(k);
      const e = v === undefined ? this.evicted.get(k) : undefined;
      if (v !== undefined) out.push([k, v.value, v.ts, this.sourceOffsets.get(k) ?? -1]);
      else if (e !== undefined) out.push([k, e.v.value, e.v.ts, e.offset]);
      else out.push([k, null, 0, -1]);
    }
    this.changed.clear();
    return out;
  }

  /** Every entry as the state directory keeps it (a compacted store file). */
  persistedSnapshot(): PersistedEntry[] {
    const out: PersistedEntry[] = [...this.data.entries()].map(([k, v]) => [k, v.value, v.ts, this.sourceOffsets.get(k) ?? -1]);
    for (const [k, e] of this.evicted) if (!this.data.has(k)) out.push([k, e.v.value, e.v.ts, e.offset]);
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Loads entries read back from the state directory (already on disk: not marked changed). A store
   * that keeps duplicates numbers what it is given or restores next after the highest it loaded.
   */
  load(entries: readonly PersistedEntry[]): void {
    for (const [k, value, ts, offset] of entries) {
      if (this.duplicates) {
        this.storeSeq = Math.max(this.storeSeq, duplicateSeq(k));
        if (offset >= 0) this.loadedOffsets.add(offset);
      }
      if (value === null) {
        this.data.delete(k);
        this.sourceOffsets.delete(k);
      } else {
        this.data.set(k, { value, ts });
        this.sourceOffsets.set(k, offset);
        this.indexSession(k);
        this.fromStorage?.add(k);
      }
    }
  }

  private apply(storeKey: string, now: StoredValue | null, sourceOffset = -1): void {
    this.changed.add(storeKey);
    this.evicted.delete(storeKey);
    if (this.fromStorage !== undefined) {
      this.observe(storeKey);
      this.fromStorage.delete(storeKey);
    }
    if (now === null) {
      this.data.delete(storeKey);
      this.sourceOffsets.delete(storeKey);
    } else {
      this.data.set(storeKey, now);
      this.sourceOffsets.set(storeKey, sourceOffset);
      this.indexSession(storeKey);
    }
  }

  /**
   * What the store holds (its cache left out), for the trace of a restoration: per entry in
   * store-key order, the changelog offset its value was restored from (-1: written here) and
   * the digest of its value and timestamp. Entries its retention dropped from memory count as
   * its files keep them (`persistedSnapshot`): a resumed task's store has dropped some.
   */
  restoredEntries(): RestoredEntry[] {
    return this.persistedSnapshot().map(([k, value, ts, offset]) => [k, offset, storeEntryDigest(value, ts)]);
  }

  /** Drops the cache's unflushed writes, keeping the map (a task closed without its cache flushed). */
  discardCache(): void {
    this.dirty.clear();
    this.unlogged.clear();
  }

  /** Every entry in store-key order, cache included (interactive queries, emit-on-close scans). */
  entries(): [string, StoredValue][] {
    return this.select(() => true);
  }

  /**
   * The entries (cache included) whose store key passes `keep`, in store-key order. Only the
   * selected entries are sorted: a per-record caller (suppress) stays linear.
   */
  select(keep: (storeKey: string, v: StoredValue) => boolean): [string, StoredValue][] {
    const out: [string, StoredValue][] = [];
    for (const [k, v] of this.data) if (!this.dirty.has(k) && keep(k, v)) out.push([k, v]);
    for (const [k, d] of this.dirty) if (d.now !== null && keep(k, d.now)) out.push([k, d.now]);
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The sessions of `key` that end at or after `earliestEnd` and start at or before `latestStart` (`findSessions`). */
  findSessions(key: string, earliestEnd: number, latestStart: number): FoundSession[] {
    return this.sessionsIn(key, earliestEnd, latestStart, false);
  }

  /**
   * The sessions of `key` in the range that a store with a retention passes over (`findSessions`
   * leaves them out), with their store keys, for the trace of the decision.
   */
  hiddenSessions(key: string, earliestEnd: number, latestStart: number): FoundSession[] {
    if (this.retention === undefined || earliestEnd >= this.liveFrom) return [];
    return this.sessionsIn(key, earliestEnd, latestStart, true);
  }

  /**
   * The sessions of `key` ending at or after `earliestEnd` and starting at or before `latestStart`,
   * in store-key order: those a lookup finds (`hidden` false) or those the retention hides from it
   * (`hidden` true: a session's segment time is its end, see the module comment).
   */
  private sessionsIn(key: string, earliestEnd: number, latestStart: number, hidden: boolean): FoundSession[] {
    if (this.sessionsByKey === undefined) throw new Error(`store ${this.name}: findSessions is only for session stores`);
    const sessions = this.sessionsByKey.get(key);
    if (sessions === undefined) return [];
    const cut = this.retention !== undefined && earliestEnd < this.liveFrom;
    // What `select` would give for the key's store keys (the cache over the map), in store-key order.
    const found: FoundSession[] = [];
    sessions.forEach((bounds, storeKey) => {
      const d = this.dirty.get(storeKey);
      const stored = d !== undefined ? d.now : this.data.get(storeKey);
      if (stored === undefined || stored === null) {
        if (d === undefined) sessions.delete(storeKey);
        return;
      }
      if (bounds.end < earliestEnd || bounds.start > latestStart) return;
      if ((cut && this.hides(storeKey, bounds.end)) === hidden) found.push({ storeKey, start: bounds.start, end: bounds.end, stored });
    });
    if (sessions.size === 0) this.sessionsByKey.delete(key);
    return found.sort((x, y) => (x.storeKey < y.storeKey ? -1 : x.storeKey > y.storeKey ? 1 : 0));
  }

  /**
   * Drops an entry from memory without a changelog record: a window store's retention
   * (`removeExpiredSegments`) forgets old records, and the changelog's own retention forgets them
   * there. Only for stores without a cache.
   */
  evict(storeKey: string): void {
    if (this.caching) throw new Error(`store ${this.name}: evict is only for stores without a cache`);
    const v = this.data.get(storeKey);
    if (v !== undefined) this.evicted.set(storeKey, { v, offset: this.sourceOffsets.get(storeKey) ?? -1 });
    this.data.delete(storeKey);
  }

  get size(): number {
    return this.entries().length;
  }
}
