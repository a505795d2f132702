/**
 * A priority queue of timers `(key, namespace, ts)` with at most one timer
 * per triple, ordered by `(ts, seq)` where `seq` counts registrations. It is
 * the storage under `TimerService`, one queue per time domain.
 *
 * A binary min-heap whose entries know their own position (`idx`), so a
 * timer can be deleted in O(log n) without leaving garbage behind, plus an
 * index `key -> namespace -> ts -> entry` for de-duplication and deletion.
 * The index is nested Maps rather than one composite string key so that the
 * per-record path (register a timer that usually already exists) allocates
 * nothing. Empty inner maps are pruned, so memory follows the live timers.
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
}

/** A timer as stored in a snapshot: `[key, namespace, ts]`. */
export type TimerTuple<K> = [K, string, number];

export class TimerQueue<K> {
  private readonly heap: TimerEntry<K>[] = [];
  private readonly index = new Map<K, Map<string, Map<number, TimerEntry<K>>>>();
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
    let byTs = byNs.get(namespace);
    if (byTs === undefined) {
      byTs = new Map();
      byNs.set(namespace, byTs);
    } else if (byTs.has(ts)) {
      return false;
    }
    const entry: TimerEntry<K> = { key, namespace, ts, seq: this.nextSeq++, idx: this.heap.length };
    byTs.set(ts, entry);
    this.heap.push(entry);
    this.siftUp(entry.idx);
    return true;
  }

  has(key: K, namespace: string, ts: number): boolean {
    return this.index.get(key)?.get(namespace)?.has(ts) ?? false;
  }

  /** Deletes the timer if it exists; returns true when it did. */
  delete(key: K, namespace: string, ts: number): boolean {
    const entry = this.index.get(key)?.get(namespace)?.get(ts);
    if (entry === undefined) return false;
    this.unindex(entry);
    this.removeAt(entry.idx);
    return true;
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
    const byTs = byNs.get(entry.namespace)!;
    byTs.delete(entry.ts);
    if (byTs.size === 0) {
      byNs.delete(entry.namespace);
      if (byNs.size === 0) this.index.delete(entry.key);
    }
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
