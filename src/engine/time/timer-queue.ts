/**
 * A priority queue of timers `(key, namespace, ts)` with at most one timer
 * per triple, ordered by `(ts, seq)` where `seq` counts registrations. It is
 * the storage under `TimerService`, one queue per time domain.
 *
 * A binary min-heap whose entries know their own position (`idx`), so a
 * timer can be deleted in O(log n) without leaving garbage behind, plus an
 * index `key -> namespace -> entry` for de-duplication and deletion, where
 * the entries of one (key, namespace) with different times are chained
 * through `next` (a window has one or two: its firing and its cleanup).
 * Nested Maps rather than one composite string key, so that the per-record
 * path (register a timer that usually already exists) allocates nothing;
 * the chain rather than a third Map level, because a Map per window per key
 * costs more memory and GC than the timers themselves. Empty maps are
 * pruned, so memory follows the live timers.
 *
 * The `seq` tie-break makes the firing order of equal-time timers the
 * registration order, which is deterministic and survives a snapshot: the
 * snapshot lists timers in firing order and restore re-registers them in it.
 */

export interface TimerEntry<K> {
  readonly key: K;
  readonly namespace: string;
  readonly ts: number;
  seq: number;
  idx: number;
  /** The next timer of the same (key, namespace), at another time. */
  next: TimerEntry<K> | undefined;
}

/** A timer as stored in a snapshot: `[key, namespace, ts]`. */
export type TimerTuple<K> = [K, string, number];

export class TimerQueue<K> {
  private readonly heap: TimerEntry<K>[] = [];
  private readonly index = new Map<K, Map<string, TimerEntry<K>>>();
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
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
    const entry: TimerEntry<K> = { key, namespace, ts, seq: this.nextSeq++, idx: this.heap.length, next: head };
    byNs.set(namespace, entry);
    this.heap.push(entry);
    this.siftUp(entry.idx);
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
    this.removeAt(entry.idx);
    return true;
  }

  private find(key: K, namespace: string, ts: number): TimerEntry<K> | undefined {
    for (let e = this.index.get(key)?.get(namespace); e !== undefined; e = e.next) if (e.ts === ts) return e;
    return undefined;
  }

  peek(): TimerEntry<K> | undefined {
    return this.heap[0];
  }

  /** Removes and returns the first timer if its time is <= `t`. */
  pollAtOrBefore(t: number): TimerEntry<K> | undefined {
    const top = this.heap[0];
    if (top === undefined || top.ts > t) return undefined;
    this.unindex(top);
    this.removeAt(0);
    return top;
  }

  /** All timers in firing order. */
  toSortedTuples(): TimerTuple<K>[] {
    return this.heap
      .slice()
      .sort((a, b) => a.ts - b.ts || a.seq - b.seq)
      .map((e) => [e.key, e.namespace, e.ts]);
  }

  clear(): void {
    this.heap.length = 0;
    this.index.clear();
    this.nextSeq = 0;
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

  private removeAt(i: number): void {
    const last = this.heap.pop()!;
    if (i === this.heap.length) return; // removed the last slot itself
    this.heap[i] = last;
    last.idx = i;
    this.siftDown(i);
    this.siftUp(last.idx);
  }

  private less(a: TimerEntry<K>, b: TimerEntry<K>): boolean {
    return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const e = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(e, h[p])) break;
      h[i] = h[p];
      h[i].idx = i;
      i = p;
    }
    h[i] = e;
    e.idx = i;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const e = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r], h[l]) ? r : l;
      if (!this.less(h[c], e)) break;
      h[i] = h[c];
      h[i].idx = i;
      i = c;
    }
    h[i] = e;
    e.idx = i;
  }
}
