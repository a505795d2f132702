/**
 * A priority queue of timers `(key, namespace, ts)` with at most one timer
 * per triple, ordered by `(ts, seq)` where `seq` counts registrations. It is
 * the storage under `TimerService`, one queue per time domain.
 *
 * Timers are kept in buckets, one per distinct time, each in registration
 * order, plus a binary min-heap of the bucket times (each once): many keys share each
 * time (every key's window ends at the same millisecond), so firing a timer
 * takes it from the front of its bucket instead of re-sifting a heap of all
 * timers. A deleted timer leaves a hole in its bucket; a bucket whose last
 * timer goes is dropped, and its time leaves the heap lazily (a heap time
 * with no bucket is skipped). An index `key -> namespace -> entry` serves
 * de-duplication and deletion, where the entries of one (key, namespace)
 * with different times are chained through `next` (a window has one or two:
 * its firing and its cleanup). Nested Maps rather than one composite string
 * key, so that the per-record path (register a timer that usually already
 * exists) allocates nothing; the chain rather than a third Map level,
 * because a Map per window per key costs more memory and GC than the timers
 * themselves. Empty maps are pruned, so memory follows the live timers.
 *
 * The `seq` tie-break makes the firing order of equal-time timers the
 * registration order, which is deterministic and survives a snapshot: the
 * snapshot lists timers in firing order and restore re-registers them in it.
 * A timer registered while timers are firing joins the order like any other:
 * at its time, after the timers registered before it.
 */

export interface TimerEntry<K> {
  readonly key: K;
  readonly namespace: string;
  readonly ts: number;
  readonly seq: number;
  /** Position in its bucket. */
  slot: number;
  /** The next timer of the same (key, namespace), at another time. */
  next: TimerEntry<K> | undefined;
}

/** A timer as stored in a snapshot: `[key, namespace, ts]`. */
export type TimerTuple<K> = [K, string, number];

interface Bucket<K> {
  /** The bucket's timers in registration order; a deleted or fired one is a hole. */
  entries: (TimerEntry<K> | undefined)[];
  /** Entries before this slot are holes. */
  head: number;
  live: number;
}

export class TimerQueue<K> {
  /** Times of the buckets, a binary min-heap, each at most once; may hold times whose bucket is gone (skipped). */
  private readonly times: number[] = [];
  /** The times in `times`. */
  private readonly timesHeld = new Set<number>();
  private readonly buckets = new Map<number, Bucket<K>>();
  private readonly index = new Map<K, Map<string, TimerEntry<K>>>();
  private live = 0;
  private nextSeq = 0;

  get size(): number {
    return this.live;
  }

  /** Adds the timer unless it exists; returns true when it was added. */
  add(key: K, namespace: string, ts: number): boolean {
    let byNs = this.index.get(key);
    if (byNs === undefined) {
      byNs = new Map();
      this.index.set(key, byNs);
    }
    const head = byNs.get(namespace);
    for (let e = head; e !== undefined; e = e.next) if (e.ts === ts) return false;
    let bucket = this.buckets.get(ts);
    if (bucket === undefined) {
      bucket = { entries: [], head: 0, live: 0 };
      this.buckets.set(ts, bucket);
      if (!this.timesHeld.has(ts)) this.pushTime(ts);
    }
    const entry: TimerEntry<K> = { key, namespace, ts, seq: this.nextSeq++, slot: bucket.entries.length, next: head };
    byNs.set(namespace, entry);
    bucket.entries.push(entry);
    bucket.live++;
    this.live++;
    return true;
  }

  has(key: K, namespace: string, ts: number): boolean {
    return this.find(key, namespace, ts) !== undefined;
  }

  /** Deletes the timer if it exists; returns true when it did. */
  delete(key: K, namespace: string, ts: number): boolean {
    const entry = this.find(key, namespace, ts);
    if (entry === undefined) return false;
    this.unindex(entry);
    const bucket = this.buckets.get(ts)!;
    bucket.entries[entry.slot] = undefined;
    this.taken(bucket, ts);
    return true;
  }

  private find(key: K, namespace: string, ts: number): TimerEntry<K> | undefined {
    for (let e = this.index.get(key)?.get(namespace); e !== undefined; e = e.next) if (e.ts === ts) return e;
    return undefined;
  }

  /** The first timer in firing order. */
  peek(): TimerEntry<K> | undefined {
    const bucket = this.firstBucket();
    return bucket === undefined ? undefined : firstEntry(bucket);
  }

  /** Removes and returns the first timer if its time is <= `t`. */
  pollAtOrBefore(t: number): TimerEntry<K> | undefined {
    const bucket = this.firstBucket();
    if (bucket === undefined) return undefined;
    const ts = this.times[0]!;
    if (ts > t) return undefined;
    const entry = firstEntry(bucket)!;
    bucket.entries[entry.slot] = undefined;
    bucket.head = entry.slot + 1;
    this.unindex(entry);
    this.taken(bucket, ts);
    return entry;
  }

  /** All timers in firing order. */
  toSortedTuples(): TimerTuple<K>[] {
    const all: TimerEntry<K>[] = [];
    for (const b of this.buckets.values()) for (let i = b.head; i < b.entries.length; i++) if (b.entries[i] !== undefined) all.push(b.entries[i]!);
    return all.sort((a, b) => a.ts - b.ts || a.seq - b.seq).map((e) => [e.key, e.namespace, e.ts]);
  }

  clear(): void {
    this.times.length = 0;
    this.timesHeld.clear();
    this.buckets.clear();
    this.index.clear();
    this.live = 0;
    this.nextSeq = 0;
  }

  /** One timer left `bucket` (fired or deleted); a bucket with none left is dropped. */
  private taken(bucket: Bucket<K>, ts: number): void {
    this.live--;
    if (--bucket.live === 0) this.buckets.delete(ts);
  }

  /** The bucket of the earliest time, dropping heap times whose bucket is gone. */
  private firstBucket(): Bucket<K> | undefined {
    const times = this.times;
    while (times.length > 0) {
      const b = this.buckets.get(times[0]!);
      if (b !== undefined) return b;
      this.popTime();
    }
    return undefined;
  }

  private unindex(entry: TimerEntry<K>): void {
    const byNs = this.index.get(entry.key)!;
    const head = byNs.get(entry.namespace)!;
    if (head === entry) {
      if (entry.next !== undefined) byNs.set(entry.namespace, entry.next);
      else {
        byNs.delete(entry.namespace);
        if (byNs.size === 0) this.index.delete(entry.key);
      }
    } else {
      let prev = head;
      while (prev.next !== entry) prev = prev.next!;
      prev.next = entry.next;
    }
    entry.next = undefined;
  }

  private pushTime(ts: number): void {
    const h = this.times;
    this.timesHeld.add(ts);
    let i = h.length;
    h.push(ts);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= ts) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = ts;
  }

  private popTime(): void {
    const h = this.times;
    this.timesHeld.delete(h[0]!);
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]! < h[l]! ? r : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

/** The first timer still in `bucket` (a live bucket has one). */
function firstEntry<K>(bucket: Bucket<K>): TimerEntry<K> | undefined {
  const entries = bucket.entries;
  let i = bucket.head;
  while (i < entries.length && entries[i] === undefined) i++;
  bucket.head = i;
  return entries[i];
}
