/**
 * The scheduler's priority queue: items ordered by (timeMs, seq), where seq is
 * an insertion counter. The order is total, so two items due at the same
 * virtual time always pop in the order they were pushed; that is what makes a
 * run a pure function of its seed.
 *
 * Two parts, one order. Most items of a run are due within a few hundred
 * milliseconds of the last one popped (network latencies, fsyncs, zero-delay
 * timers, buffer timeouts), so those go to a ring of buckets, one per
 * millisecond of the next `NEAR_MS` after the latest popped time (the
 * cursor): a bucket holds the items of its one millisecond in seq order, and
 * pushing or popping one is a step at the end or the front of a list. Any
 * other item — due later than the ring reaches, due before the cursor, at a
 * time that is not a whole millisecond, or pushed with a sequence number older
 * than its bucket's last — goes to a binary min-heap. A pop takes the smaller
 * by (time, seq) of the ring's earliest item and the heap's, so the order is
 * exactly the heap's alone would be.
 *
 * The heap is kept in three parallel arrays (times, seqs, items) and a
 * bucket in two, so that a push or a pop allocates nothing besides array
 * growth. `pop()` returns a small record for convenience; hot loops use
 * `peekTimeMs()` + `popItem()`.
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

/** Milliseconds the ring of buckets covers after the cursor (a power of two). */
const NEAR_MS = 256;
const NEAR_MASK = NEAR_MS - 1;

/** The items of one millisecond in the ring, in seq order: `head` is the next to pop, `tail` one past the last. */
interface Bucket<T> {
  seqs: number[];
  items: (T | undefined)[];
  head: number;
  tail: number;
}

export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: (T | undefined)[] = [];
  private nextSeq = 0;
  /** The ring: bucket `t & NEAR_MASK` holds the items due at t, for cursor ≤ t < cursor + NEAR_MS. */
  private readonly buckets: (Bucket<T> | undefined)[] = new Array<Bucket<T> | undefined>(NEAR_MS).fill(undefined);
  /** The latest popped time, or 0: never decreases; every item in the ring is due at or after it. */
  private cursor = 0;
  private nearCount = 0;
  /** When the ring holds items: the time of its earliest. */
  private nearHead = 0;
  /** Bit `i & 31` of word `i >>> 5`: bucket i holds items (so the next one is found a word at a time). */
  private readonly occupied = new Int32Array(NEAR_MS >>> 5);

  get size(): number {
    return this.times.length + this.nearCount;
  }

  /** The time of the earliest item, or undefined when empty. */
  peekTimeMs(): number | undefined {
    if (this.nearCount === 0) return this.times.length === 0 ? undefined : this.times[0];
    return this.times.length === 0 || this.nearHead <= this.times[0]! ? this.nearHead : this.times[0];
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
    const d = timeMs - this.cursor;
    if (d >= 0 && d < NEAR_MS && Number.isInteger(timeMs)) {
      const i = timeMs & NEAR_MASK;
      let b = this.buckets[i];
      if (b === undefined) this.buckets[i] = b = { seqs: [], items: [], head: 0, tail: 0 };
      if (b.head === b.tail) this.occupied[i >>> 5]! |= 1 << (i & 31);
      if (b.head === b.tail || b.seqs[b.tail - 1]! < seq) {
        b.seqs[b.tail] = seq;
        b.items[b.tail] = item;
        b.tail++;
        if (this.nearCount === 0 || timeMs < this.nearHead) this.nearHead = timeMs;
        this.nearCount++;
        return;
      }
    }
    this.heapPush(timeMs, seq, item);
  }

  private heapPush(timeMs: number, seq: number, item: T): void {
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
    if (this.size === 0) return undefined;
    const timeMs = this.peekTimeMs() as number;
    const seq = this.nearCount > 0 && this.nearFirst() ? this.nearBucket().seqs[this.nearBucket().head]! : this.seqs[0]!;
    const item = this.popItem() as T;
    return { timeMs, seq, item };
  }

  /** Removes the earliest item and returns it (undefined when empty). */
  popItem(): T | undefined {
    if (this.nearCount === 0) {
      if (this.times.length === 0) return undefined;
      return this.heapPop();
    }
    if (!this.nearFirst()) return this.heapPop();
    const t = this.nearHead;
    const b = this.nearBucket();
    const item = b.items[b.head];
    b.items[b.head] = undefined;
    b.head++;
    this.nearCount--;
    this.cursor = t;
    if (b.head === b.tail) {
      b.head = 0;
      b.tail = 0;
      const i = t & NEAR_MASK;
      this.occupied[i >>> 5]! &= ~(1 << (i & 31));
      if (this.nearCount > 0) this.nearHead = this.nextOccupied(t + 1);
    }
    return item;
  }

  /** The time of the first bucket at or after `fromMs` that holds items (the ring holds some, all within it). */
  private nextOccupied(fromMs: number): number {
    const from = fromMs & NEAR_MASK;
    let w = from >>> 5;
    // The first word without the bits before `from`; then whole words, round the ring back to the first.
    let bits = this.occupied[w]! & (-1 << (from & 31));
    for (let n = 0; bits === 0 && n < NEAR_MS >>> 5; n++) {
      w = (w + 1) & ((NEAR_MS >>> 5) - 1);
      bits = this.occupied[w]!;
    }
    const i = (w << 5) + (31 - Math.clz32(bits & -bits));
    return fromMs + ((i - from) & NEAR_MASK);
  }

  /** Whether the ring's earliest item comes before the heap's (the ring holds items). */
  private nearFirst(): boolean {
    if (this.times.length === 0) return true;
    const far = this.times[0]!;
    if (this.nearHead !== far) return this.nearHead < far;
    const b = this.nearBucket();
    return b.seqs[b.head]! < this.seqs[0]!;
  }

  private nearBucket(): Bucket<T> {
    return this.buckets[this.nearHead & NEAR_MASK]!;
  }

  private heapPop(): T | undefined {
    const n = this.times.length;
    if (n === 0) return undefined;
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const top = items[0];
    const topTime = times[0]!;
    // Only a whole millisecond can be the cursor (ring buckets are whole milliseconds); it never goes back.
    if (topTime > this.cursor) this.cursor = Math.floor(topTime);
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
