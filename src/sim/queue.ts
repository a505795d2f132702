/**
 * The scheduler's priority queue: a binary min-heap of items ordered by
 * (timeMs, seq), where seq is an insertion counter. The order is total, so two
 * items due at the same virtual time always pop in the order they were pushed;
 * that is what makes a run a pure function of its seed.
 *
 * The heap is kept in three parallel arrays (times, seqs, items) so that a
 * push or a pop allocates nothing besides the array growth. `pop()` returns a
 * small record for convenience; hot loops use `peekTimeMs()` + `popItem()`.
 *
 * A sequence number can be taken now and used later (`reserveSeq`, `pushAt`):
 * the scheduler moves a re-armed timer to its new time that way, in the place
 * among equal times that a fresh push at re-arm time would have had.
 */

export interface Popped<T> {
  timeMs: number;
  seq: number;
  item: T;
}

export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: (T | undefined)[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.times.length;
  }

  /** The time of the earliest item, or undefined when empty. */
  peekTimeMs(): number | undefined {
    return this.times.length === 0 ? undefined : this.times[0];
  }

  /** The sequence number the next push will get (pushes so far). */
  get pushed(): number {
    return this.nextSeq;
  }

  push(timeMs: number, item: T): void {
    this.pushAt(timeMs, this.nextSeq++, item);
  }

  /** Takes the sequence number a push now would get, for an item pushed later with `pushAt`. */
  reserveSeq(): number {
    return this.nextSeq++;
  }

  /**
   * Pushes `item` with a sequence number taken earlier by `reserveSeq` (or by a push whose
   * item has since been popped): it pops among items due at `timeMs` as if pushed back then.
   */
  pushAt(timeMs: number, seq: number, item: T): void {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    let i = times.length;
    times.push(timeMs);
    seqs.push(seq);
    items.push(item);
    // Sift up: move parents down until the parent is not after the new item.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < timeMs || (pt === timeMs && seqs[parent] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      items[i] = items[parent];
      i = parent;
    }
    times[i] = timeMs;
    seqs[i] = seq;
    items[i] = item;
  }

  pop(): Popped<T> | undefined {
    if (this.times.length === 0) return undefined;
    const timeMs = this.times[0];
    const seq = this.seqs[0];
    const item = this.popItem() as T;
    return { timeMs, seq, item };
  }

  /** Removes the earliest item and returns it (undefined when empty). */
  popItem(): T | undefined {
    const n = this.times.length;
    if (n === 0) return undefined;
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const top = items[0];
    const lastTime = times.pop() as number;
    const lastSeq = seqs.pop() as number;
    const lastItem = items.pop();
    const size = n - 1;
    if (size === 0) return top;
    // Sift the former last element down from the root.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && (times[right] < times[child] || (times[right] === times[child] && seqs[right] < seqs[child]))) {
        child = right;
      }
      const ct = times[child];
      if (ct > lastTime || (ct === lastTime && seqs[child] > lastSeq)) break;
      times[i] = ct;
      seqs[i] = seqs[child];
      items[i] = items[child];
      i = child;
    }
    times[i] = lastTime;
    seqs[i] = lastSeq;
    items[i] = lastItem;
    return top;
  }
}
