/**
 * Punctuation schedules (Kafka Streams' `PunctuationQueue` and
 * `PunctuationSchedule`, part K5): stream-time schedules start aligned at 0,
 * wall-clock schedules at `now + interval`. `mayPunctuate(t)` runs every
 * schedule due at `t` with the current time `t` (not the scheduled one) and
 * skips missed intervals: one call covers any number of them. Stream-time
 * punctuation only runs once the task's stream time is known, so it is
 * driven by data, never by idle time.
 *
 * The queue is Kafka's: a `java.util.PriorityQueue` (a binary heap) ordered
 * by due time alone (`Stamped.compareTo`). A due schedule is polled, its
 * punctuator runs, and a new schedule for its next time is added (unless it
 * was cancelled meanwhile); cancelled schedules leave the heap when they
 * reach its top. Schedules due at the same time therefore run in the heap's
 * order, which is not the order they were added in once three or more tie.
 */

export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

export type Punctuator = (timestamp: number) => void;

interface Schedule {
  readonly next: number;
  readonly intervalMs: number;
  readonly punctuator: Punctuator;
  /** Shared by a schedule and every schedule made from it for its next times (Kafka's `RepointableCancellable`). */
  readonly state: { cancelled: boolean };
}

export interface Cancellable {
  cancel(): void;
}

export class PunctuationQueue {
  /** The heap, as `java.util.PriorityQueue` lays it out: the children of `i` at `2i + 1` and `2i + 2`. */
  private readonly heap: Schedule[] = [];

  /** Adds a schedule whose first time is `firstMs`. */
  schedule(firstMs: number, intervalMs: number, punctuator: Punctuator): Cancellable {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) throw new RangeError(`punctuation interval must be ≥ 1 ms, got ${intervalMs}`);
    const state = { cancelled: false };
    this.offer({ next: firstMs, intervalMs, punctuator, state });
    return { cancel: () => { state.cancelled = true; } };
  }

  /** Runs what is due at `t`, in the heap's order; returns how many punctuations ran. */
  mayPunctuate(t: number): number {
    let ran = 0;
    for (let top = this.heap[0]; top !== undefined && top.next <= t; top = this.heap[0]) {
      this.poll();
      if (top.state.cancelled) continue;
      top.punctuator(t);
      // A punctuator may cancel its own schedule.
      if (!top.state.cancelled) this.offer({ ...top, next: nextTime(top, t) });
      ran++;
    }
    return ran;
  }

  get size(): number {
    return this.heap.filter((s) => !s.state.cancelled).length;
  }

  /** `PriorityQueue.offer`: at the end, then up past every parent due later (not past an equal one). */
  private offer(s: Schedule): void {
    const heap = this.heap;
    let k = heap.length;
    heap.push(s);
    while (k > 0) {
      const parent = (k - 1) >>> 1;
      const e = heap[parent]!;
      if (s.next >= e.next) break;
      heap[k] = e;
      k = parent;
    }
    heap[k] = s;
  }

  /** `PriorityQueue.poll`: the top goes; the last one moves down from the top past every child due earlier, the earlier child first (the left one when they tie). */
  private poll(): void {
    const heap = this.heap;
    const x = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    let k = 0;
    const half = n >>> 1;
    while (k < half) {
      let child = 2 * k + 1;
      const right = child + 1;
      if (right < n && heap[child]!.next > heap[right]!.next) child = right;
      const c = heap[child]!;
      if (x.next <= c.next) break;
      heap[k] = c;
      k = child;
    }
    heap[k] = x;
  }
}

/** `PunctuationSchedule.next`: the next time after the current one, skipping the intervals missed by `t`. */
function nextTime(s: Schedule, t: number): number {
  const next = s.next + s.intervalMs;
  return t >= next ? s.next + (Math.floor((t - s.next) / s.intervalMs) + 1) * s.intervalMs : next;
}
