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
 * holds.
 *
 * Tracing: a skipped put is `record.dropped` reason `expired-join-window`;
 * a probe whose range the other store's retention cut short is
 * `record.dropped` reason `join-window-closed` (the record may have missed
 * partners older than `minTime`). Together they name every record that can
 * be behind a missing pair.
 *
 * One choice of weir's: Kafka's store numbers duplicates with a counter
 * that restarts at 0 on every init, so a new record can overwrite a restored
 * one of the same key and timestamp; weir continues after the highest
 * restored number.
 */
import { mergeIds, type KRecord, type Processor, type ProcessorContext } from './processor.ts';
import type { StateStore } from './stores.ts';
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
  private seq = 0;

  constructor(readonly store: StateStore, readonly retentionMs: number) {
    // The store was restored before the processors start: index what it holds.
    for (const [storeKey, stored] of store.entries()) {
      const parts = storeKey.split('@');
      const seq = Number(parts.pop());
      const ts = Number(parts.pop());
      const key = parts.join('@');
      this.index(key, { ts, seq, storeKey, record: stored.value as Buffered['record'] });
      this.observedStreamTime = Math.max(this.observedStreamTime, ts);
      this.seq = Math.max(this.seq, seq + 1);
    }
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

  /** `put(key, value, ts)`; false when the record is already expired and skipped. */
  put(key: string, record: Buffered['record'], ts: number): boolean {
    this.removeExpired();
    this.observedStreamTime = Math.max(this.observedStreamTime, ts);
    if (ts <= this.observedStreamTime - this.retentionMs) return false;
    const seq = this.seq++;
    const storeKey = `${key}@${pad(ts)}@${pad(seq)}`;
    this.store.put(storeKey, record, ts);
    this.index(key, { ts, seq, storeKey, record });
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

  constructor(private readonly storeName: string, private readonly windows: JoinWindowsSpec) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    this.store = joinWindowStore(ctx.getStateStore(this.storeName), joinRetentionMs(this.windows));
  }

  process(rec: KRecord): void {
    this.ctx.forward(rec);
    // A join's window store keeps duplicates, and such a store skips a null value (RocksDBWindowStore.put),
    // so a null-valued record is never joined; the side processor drops it too.
    if (rec.key === null || rec.value === null || rec.value === undefined) return;
    if (!this.store.put(rec.key, { value: rec.value, ids: rec.ids }, rec.ts)) {
      this.ctx.dropped('expired-join-window', rec, { store: this.storeName, observedStreamTime: this.store.observedStreamTime, retention: this.store.retentionMs });
    }
  }
}

/** `KStreamKStreamJoinLeftSide` / `RightSide`: probes the other side's store and forwards each match. */
export class JoinSideProcessor implements Processor {
  private ctx!: ProcessorContext;
  private other!: JoinWindowStore;

  constructor(
    private readonly otherStoreName: string,
    private readonly windows: JoinWindowsSpec,
    private readonly side: 'left' | 'right',
    private readonly joiner: (left: unknown, right: unknown) => unknown,
  ) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
    this.other = joinWindowStore(ctx.getStateStore(this.otherStoreName), joinRetentionMs(this.windows));
  }

  process(rec: KRecord): void {
    if (rec.key === null || rec.value === null || rec.value === undefined) {
      this.ctx.dropped('null-key-or-value', rec);
      return;
    }
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
      const value = this.side === 'left' ? this.joiner(rec.value, o.record.value) : this.joiner(o.record.value, rec.value);
      this.ctx.forward({ key: rec.key, value, ts: Math.max(rec.ts, o.ts), ids: mergeIds(rec.ids, o.record.ids) });
    }
  }
}
