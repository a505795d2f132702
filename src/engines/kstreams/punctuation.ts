/**
 * Punctuation schedules (Kafka Streams' `PunctuationQueue` and
 * `PunctuationSchedule`, part K5): stream-time schedules start aligned at 0,
 * wall-clock schedules at `now + interval`. `mayPunctuate(t)` runs every
 * schedule due at `t` with the current time `t` (not the scheduled one) and
 * skips missed intervals: one call covers any number of them. Stream-time
 * punctuation only runs once the task's stream time is known, so it is
 * driven by data, never by idle time.
 */

export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

export type Punctuator = (timestamp: number) => void;

interface Schedule {
  next: number;
  readonly intervalMs: number;
  readonly punctuator: Punctuator;
  readonly order: number;
  cancelled: boolean;
}

export interface Cancellable {
  cancel(): void;
}

export class PunctuationQueue {
  private schedules: Schedule[] = [];
  private added = 0;

  /** Adds a schedule whose first time is `firstMs`. */
  schedule(firstMs: number, intervalMs: number, punctuator: Punctuator): Cancellable {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) throw new RangeError(`punctuation interval must be ≥ 1 ms, got ${intervalMs}`);
    const s: Schedule = { next: firstMs, intervalMs, punctuator, order: this.added++, cancelled: false };
    this.schedules.push(s);
    return { cancel: () => { s.cancelled = true; } };
  }

  /** Runs what is due at `t`, in (due time, order added) order; returns how many punctuations ran. */
  mayPunctuate(t: number): number {
    if (this.schedules.length === 0) return 0;
    let ran = 0;
    for (;;) {
      this.schedules = this.schedules.filter((s) => !s.cancelled);
      let top: Schedule | undefined;
      for (const s of this.schedules) if (s.next <= t && (top === undefined || s.next < top.next || (s.next === top.next && s.order < top.order))) top = s;
      if (top === undefined) return ran;
      // Missed intervals are skipped: the next time is the first one after t.
      top.next = t >= top.next + top.intervalMs ? top.next + (Math.floor((t - top.next) / top.intervalMs) + 1) * top.intervalMs : top.next + top.intervalMs;
      top.punctuator(t);
      ran++;
    }
  }

  get size(): number {
    return this.schedules.filter((s) => !s.cancelled).length;
  }
}
