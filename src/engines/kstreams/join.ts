/**
 * The KStream–KStream windowed inner join (`KStreamImplJoin`,
 * `KStreamJoinWindow`, `KStreamKStreamJoin`, `InMemoryWindowStore`).
 *
 * Both sides are buffered in window stores that keep duplicates (one entry
 * per record, keyed by key, timestamp and a sequence number) and are backed
 * by changelogs. Per side the topology is
 *
 *     side → JoinWindow (forward, then put into this side's store)
 *          → JoinSide (probe the other side's store) → merge
 *
 * so a record probes the other side before it is in its own store. A record
 * at `ts` of the left side probes the right store for `[ts - before, ts +
 * after]` (never below 0); a right record probes the left store for `[ts -
 * after, ts + before]`. Every match is forwarded at once, with the joiner's
 * value (always `joiner(leftValue, rightValue)`) and the timestamp
 * `max(ts, other ts)`. Records with a null key or value are skipped.
 *
 * Grace lives in the stores (`retention = before + after + grace`), each
 * with its own observed stream time: the max timestamp put into *that*
 * store, which a restore rebuilds from the changelog (the in-memory window
 * store's restore is a put per record). A put with `ts <= observed -
 * retention` is skipped ("Skipping record for expired segment"), and a fetch
 * never returns a record older than `observed - retention + 1`; expired
 * records are forgotten in memory, not in the changelog. So a late record
 * still probes the other side, and still joins whatever the other store
 * holds. The change-logging layer above the store logs every put, a skipped
 * one or a null value too, each with the next sequence number.
 *
 * Tracing: a skipped put is `record.dropped` reason `expired-join-window`;
 * a probe whose range the other store's retention cut short is
 * `record.dropped` reason `join-window-closed` (the record may have missed
 * partners older than `minTime`). Together they name every record that can
 * be behind a missing pair.
 *
 * Sequence numbers are Kafka's (`StateStore.putDuplicate`): the changelog's
 * keys carry the change-logging layer's counter and the store's its own, each
 * starting at 0 with the store object, and a restore numbers what it reads
 * afresh; so after a restart the changelog's keys repeat earlier ones,
 * harmless since the changelog is not compacted (deployment.ts) and a
 * restore takes every record.
 */
import { mergeIds, type KRecord, type Processor, type ProcessorContext } from './processor.ts';
import { duplicateSeq, type StateStore } from './stores.ts';
import { joinRetentionMs, type JoinWindowsSpec } from './windows.ts';

const PAD = 16;
const pad = (n: number): string => String(n).padStart(PAD, '0');

interface Buffered {
  ts: number;
  seq: number;
  storeKey: string;
  record: { value: unknown; ids: readonly number[] };
}

/**
 * A window store with duplicates on top of a `StateStore` (which holds the entries and writes the
 * changelog): an index by key in timestamp order, the store's observed stream time and its
 * retention. One per store and task, shared by the processor that puts and the one that fetches.
 */
export class JoinWindowStore {
  private readonly byKey = new Map<string, Buffered[]>();
  observedStreamTime = -1;

  constructor(readonly store: StateStore, readonly retentionMs: number) {
    // The store was restored before the processors start: index what it holds.
    for (const [storeKey, stored] of store.entries()) {
      const parts = storeKey.split('@');
      const seq = Number(parts.pop());
      const ts = Number(parts.pop());
      const key = parts.join('@');
      this.index(key, { ts, seq, storeKey, record: stored.value as Buffered['record'] });
      this.observedStreamTime = Math.max(this.observedStreamTime, ts);
    }
    // A restore puts every changelog record, so a logged null value or an expired record moved
    // the stream time too, though the store kept neither.
    this.observedStreamTime = Math.max(this.observedStreamTime, store.maxRestoredTs);
    this.removeExpired();
  }

  private index(key: string, b: Buffered): void {
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = []));
    // Keep timestamp order, then sequence order (the store's key order).
    let i = list.length;
    while (i > 0 && (list[i - 1]!.ts > b.ts || (list[i - 1]!.ts === b.ts && list[i - 1]!.seq > b.seq))) i--;
    list.splice(i, 0, b);
  }

  /** The oldest timestamp still live: `max(0, observed - retention + 1)`. */
  get minLiveTime(): number {
    return Math.max(0, this.observedStreamTime - this.retentionMs + 1);
  }

  /** `removeExpiredSegments`: forgets records older than the minimum live time. */
  private removeExpired(): void {
    const min = this.minLiveTime;
    for (const [key, list] of this.byKey) {
      let n = 0;
      while (n < list.length && list[n]!.ts < min) this.store.evict(list[n++]!.storeKey);
      if (n === list.length) this.byKey.delete(key);
      else if (n > 0) list.splice(0, n);
    }
  }

  /**
   * `put(key, value, ts)` through the change-logging layer: false when a record with a value is
   * already expired and skipped. The store below keeps a live record with a value; the logging layer
   * logs every put whatever the store below did, an expired one and a null value (a tombstone)
   * included, each with its own next sequence number (`ChangeLoggingWindowBytesStore.put`,
   * `StateStore.putDuplicate`).
   */
  put(key: string, record: Buffered['record'] | null, ts: number): boolean {
    this.removeExpired();
    this.observedStreamTime = Math.max(this.observedStreamTime, ts);
    const expired = ts <= this.observedStreamTime - this.retentionMs;
    // A null value is logged under a key the store never holds (the side processor drops the record).
    const storeKey = this.store.putDuplicate(key, record, ts);
    if (record === null || storeKey === undefined) return true;
    if (expired) {
      // Forgotten in memory at once, as the store's retention forgets records: the state directory
      // keeps it as the changelog does (see `StateStore.evict`).
      this.store.evict(storeKey);
      return false;
    }
    this.index(key, { ts, seq: duplicateSeq(storeKey), storeKey, record });
    return true;
  }

  /** `fetch(key, from, to)`: the live records of `key` in `[max(from, minLiveTime), to]`, in timestamp order. */
  fetch(key: string, from: number, to: number): { records: Buffered[]; minTime: number } {
    this.removeExpired();
    const minTime = Math.max(from, this.observedStreamTime - this.retentionMs + 1);
    if (to < minTime) return { records: [], minTime };
    const list = this.byKey.get(key) ?? [];
    return { records: list.filter((b) => b.ts >= minTime && b.ts <= to), minTime };
  }
}

const shared = new WeakMap<StateStore, JoinWindowStore>();

/** The join window store over `store` (created on first use, after the store was restored). */
export function joinWindowStore(store: StateStore, retentionMs: number): JoinWindowStore {
  let s = shared.get(store);
  if (!s) shared.set(store, (s = new JoinWindowStore(store, retentionMs)));
  return s;
}

/** `KStreamJoinWindow`: forwards the record, then puts it into this side's window store. */
export class JoinWindowProcessor implements Processor {
  private ctx!: ProcessorContext;
  private store!: JoinWindowStore;

  /** The store's index is built again at the next init (a resumed task's restore may have added records). */
  close(): void {
    shared.delete(this.store.store);
  }

  constructor(private readonly storeName: string, private readonly windows: JoinWindowsSpec) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    this.store = joinWindowStore(ctx.getStateStore(this.storeName), joinRetentionMs(this.windows));
  }

  process(rec: KRecord): void {
    this.ctx.forward(rec);
    // A record with a key goes into the store. One that keeps duplicates skips a null value
    // (InMemoryWindowStore.put), though the value still moves its stream time and is logged, so a
    // null-valued record is never joined; the side processor drops it too.
    if (rec.key === null) return;
    const value = rec.value === null || rec.value === undefined ? null : { value: rec.value, ids: rec.ids };
    if (!this.store.put(rec.key, value, rec.ts)) {
      this.ctx.dropped('expired-join-window', rec, { store: this.storeName, observedStreamTime: this.store.observedStreamTime, retention: this.store.retentionMs });
    }
  }
}

/**
 * What the two sides of a left or outer stream–stream join share in one task (Kafka's
 * `TimeTracker`, one per task from `TimeTrackerSupplier`, dropped when the task closes or is
 * suspended, so a resumed task starts them afresh): the
 * largest timestamp either side has seen, the smallest timestamp that may still sit in the outer
 * store, and when the store may next be scanned.
 */
export class OuterJoinTimes {
  streamTime = -1;
  /** `Long.MAX_VALUE` in Kafka: no record known to wait in the outer store. */
  minTime = NO_MIN_TIME;
  nextTimeToEmit = 0;
  constructor(readonly emitIntervalMs: number) {}
}

const NO_MIN_TIME = Number.MAX_SAFE_INTEGER;

/**
 * Kafka's `minTime + lookBack + grace >= streamTime` on longs: with no minimum time
 * (`Long.MAX_VALUE`) the sum overflows to a negative number unless lookBack and grace are both 0,
 * so the comparison is false and the outer store is scanned (as after a restore, whose restored
 * records are then found).
 */
function stillOpen(minTime: number, lookBackAndGrace: number, streamTime: number): boolean {
  if (minTime === NO_MIN_TIME) return lookBackAndGrace <= 0;
  return minTime + lookBackAndGrace >= streamTime;
}

/** A record waiting in the outer store for its window to close without a partner (`LeftOrRightValue`). */
interface Unjoined {
  value: unknown;
  ids: readonly number[];
}

/**
 * The outer store's key, `TimestampedKeyAndJoinSide` as Kafka serializes it, so that the store's
 * key order is its: the timestamp, then the side (right before left), then the key.
 */
function outerKey(ts: number, left: boolean, key: string): string {
  return `${pad(ts)}@${left ? 1 : 0}@${key}`;
}

function parseOuterKey(storeKey: string): { ts: number; left: boolean; key: string } {
  return { ts: Number(storeKey.slice(0, PAD)), left: storeKey[PAD + 1] === '1', key: storeKey.slice(PAD + 3) };
}

/**
 * A left or outer join's part on one side: the shared outer store (`ListValueStore` over a
 * key-value store, changelogged, never cached) holding each record of an outer side that found no
 * partner, until its window closes and it is forwarded joined with null; whether this side is an
 * outer one (`leftOuter` for the left side, `rightOuter` for the right); and the task's shared times.
 */
export interface OuterJoinSpec {
  readonly storeName: string;
  readonly thisOuter: boolean;
  /** Kafka's internal `__emit.interval.ms.kstreams.outer.join.spurious.results.fix__` (1,000 ms): wall-clock time between scans. */
  readonly emitIntervalMs: number;
}

/** The times of the task whose outer store this is: made with the task's stores, so a task built anew starts afresh. */
const outerTimes = new WeakMap<StateStore, OuterJoinTimes>();

/**
 * `KStreamKStreamJoinLeftSide` / `RightSide` (`KStreamKStreamJoin`): probes the other side's store
 * and forwards each match at the larger timestamp of the pair. In a left or outer join (KIP-633,
 * the spurious-result fix of `JoinWindows.ofTimeDifferenceAndGrace`), a record of an outer side
 * that finds no partner waits in the outer store; each record that raises the shared stream time
 * first forwards, joined with null, those whose window (this side's look-back and grace) has
 * closed, and a partner found later deletes the waiting entry. A record of an outer side with a
 * null key is forwarded at once, joined with null.
 */
export class JoinSideProcessor implements Processor {
  private ctx!: ProcessorContext;
  private other!: JoinWindowStore;
  private outerStore: StateStore | undefined;
  private times: OuterJoinTimes | undefined;

  constructor(
    private readonly otherStoreName: string,
    private readonly windows: JoinWindowsSpec,
    private readonly side: 'left' | 'right',
    private readonly joiner: (left: unknown, right: unknown) => unknown,
    private readonly outer?: OuterJoinSpec,
  ) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    this.other = joinWindowStore(ctx.getStateStore(this.otherStoreName), joinRetentionMs(this.windows));
    if (this.outer !== undefined) {
      const store = ctx.getStateStore(this.outer.storeName);
      let times = outerTimes.get(store);
      if (times === undefined) outerTimes.set(store, (times = new OuterJoinTimes(this.outer.emitIntervalMs)));
      this.outerStore = store;
      this.times = times;
    }
  }

  /** `close` drops the task's shared times (`TimeTrackerSupplier.remove`): a suspended task resumed starts them afresh. */
  close(): void {
    if (this.outerStore !== undefined) outerTimes.delete(this.outerStore);
    // The index over the other side's store is built again at the next init, over what a resumed task's restore added.
    shared.delete(this.other.store);
  }

  /** The joiner's value of this side's value and the other's, in the join's (left, right) order. */
  private joined(thisValue: unknown, otherValue: unknown): unknown {
    return this.side === 'left' ? this.joiner(thisValue, otherValue) : this.joiner(otherValue, thisValue);
  }

  process(rec: KRecord): void {
    const times = this.times;
    if (times !== undefined && rec.ts > times.streamTime) times.streamTime = rec.ts;
    if (this.outer?.thisOuter === true && rec.key === null && rec.value !== null && rec.value !== undefined) {
      this.ctx.forward({ key: null, value: this.joined(rec.value, null), ts: rec.ts, ids: rec.ids });
      return;
    }
    if (rec.key === null || rec.value === null || rec.value === undefined) {
      this.ctx.dropped('null-key-or-value', rec);
      return;
    }
    if (times !== undefined && rec.ts === times.streamTime) this.emitClosedUnjoined(rec);
    // The right side looks the other way: its "before" is the window's "after".
    const before = this.side === 'left' ? this.windows.beforeMs : this.windows.afterMs;
    const after = this.side === 'left' ? this.windows.afterMs : this.windows.beforeMs;
    const from = Math.max(0, rec.ts - before);
    const to = Math.max(0, rec.ts + after);
    const { records, minTime } = this.other.fetch(rec.key, from, to);
    if (minTime > from) {
      this.ctx.dropped('join-window-closed', rec, { store: this.otherStoreName, from, minTime, observedStreamTime: this.other.observedStreamTime });
    }
    for (const o of records) {
      // A partner found: the other side's waiting entries at that timestamp and key are deleted, all of them.
      if (this.outerStore !== undefined) {
        const otherKey = outerKey(o.ts, this.side === 'right', rec.key);
        if (this.outerStore.get(otherKey) !== undefined) this.outerStore.put(otherKey, null, rec.ts, rec.ids);
      }
      const value = this.side === 'left' ? this.joiner(rec.value, o.record.value) : this.joiner(o.record.value, rec.value);
      this.ctx.forward({ key: rec.key, value, ts: Math.max(rec.ts, o.ts), ids: mergeIds(rec.ids, o.record.ids) });
    }
    if (records.length > 0 || this.outer?.thisOuter !== true) return;
    // No partner: a record whose window already ended before the stream time is forwarded at once.
    if (to < times!.streamTime) {
      this.ctx.forward({ key: rec.key, value: this.joined(rec.value, null), ts: rec.ts, ids: rec.ids });
      return;
    }
    if (rec.ts < times!.minTime) times!.minTime = rec.ts;
    const storeKey = outerKey(rec.ts, this.side === 'left', rec.key);
    const waiting = (this.outerStore!.get(storeKey)?.value as Unjoined[] | undefined) ?? [];
    this.outerStore!.put(storeKey, [...waiting, { value: rec.value, ids: rec.ids }], rec.ts, rec.ids);
  }

  /**
   * `emitNonJoinedOuterRecords`: when a record may have closed some window (the earliest waiting
   * timestamp plus this side's look-back and grace is behind the stream time) and the emit interval
   * of wall-clock time has passed, walks the outer store in key order and forwards, joined with
   * null at its own timestamp, each waiting record whose window has closed — the left side's after
   * `after + grace`, the right side's after `before + grace` — stopping once both sides meet an
   * open one. Each key is deleted once its records are forwarded.
   */
  private emitClosedUnjoined(rec: KRecord): void {
    const times = this.times!;
    const store = this.outerStore!;
    const lookAhead = this.side === 'left' ? this.windows.afterMs : this.windows.beforeMs;
    if (stillOpen(times.minTime, lookAhead + this.windows.graceMs, times.streamTime)) return;
    const now = this.ctx.currentSystemTimeMs();
    if (now < times.nextTimeToEmit) return;
    times.nextTimeToEmit = now + times.emitIntervalMs;
    times.minTime = NO_MIN_TIME;
    let prevKey: string | undefined;
    let leftOpen = false;
    let rightOpen = false;
    scan: for (const [storeKey, stored] of store.entries()) {
      const { ts, left, key } = parseOuterKey(storeKey);
      for (const waiting of stored.value as Unjoined[]) {
        times.minTime = ts;
        if (leftOpen && rightOpen) break scan;
        const lookBack = left ? this.windows.afterMs : this.windows.beforeMs;
        if (stillOpen(ts, lookBack + this.windows.graceMs, times.streamTime)) {
          if (left) leftOpen = true;
          else rightOpen = true;
          continue;
        }
        const value = left ? this.joiner(waiting.value, null) : this.joiner(null, waiting.value);
        this.ctx.forward({ key, value, ts, ids: waiting.ids });
        if (prevKey !== undefined && prevKey !== storeKey) store.put(prevKey, null, rec.ts, rec.ids);
        prevKey = storeKey;
      }
    }
    if (prevKey !== undefined) store.put(prevKey, null, rec.ts, rec.ids);
  }
}
