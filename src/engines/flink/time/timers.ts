/**
 * Keyed timers in two time domains, as Flink's InternalTimerService: a
 * timer is `(key, namespace, ts)`, registered at most once (registering it
 * again is a no-op), and fires once.
 *
 * Event-time timers fire when the watermark reaches them: `advanceWatermark`
 * first records the new watermark and then fires every timer with
 * `ts <= watermark` — `<=` because a watermark W says no element with
 * timestamp <= W will come, so the window ending at W + 1 is complete. Timers
 * fire in `(ts, registration)` order, and a timer registered by a firing
 * callback also fires in the same call if its time is <= the watermark (the
 * loop re-reads the queue head each time). Processing-time timers work the
 * same way against the virtual processing time.
 *
 * The watermark given to `advanceWatermark` must not go backwards (the
 * valve guarantees it; this asserts it). It is part of the snapshot, so
 * `currentWatermark()` after a restore is what it was at the snapshot.
 */
import { MIN_WATERMARK } from '../../../stream/watermark.ts';
import { TimerQueue, type TimerTuple } from './timer-queue.ts';

export type TimerKey = string | number;
export type FireTimer<K> = (key: K, namespace: string, ts: number) => void;

export interface TimerServiceSnapshot<K> {
  watermark: number;
  eventTime: TimerTuple<K>[];
  processingTime: TimerTuple<K>[];
}

export class TimerService<K extends TimerKey = string> {
  private readonly eventTimers = new TimerQueue<K>();
  private readonly processingTimers = new TimerQueue<K>();
  private watermark = MIN_WATERMARK;

  /** Number of pending timers in both domains. */
  get size(): number {
    return this.eventTimers.size + this.processingTimers.size;
  }

  get numEventTimeTimers(): number {
    return this.eventTimers.size;
  }

  get numProcessingTimeTimers(): number {
    return this.processingTimers.size;
  }

  currentWatermark(): number {
    return this.watermark;
  }

  registerEventTimeTimer(key: K, namespace: string, ts: number): void {
    this.eventTimers.add(key, namespace, ts);
  }

  deleteEventTimeTimer(key: K, namespace: string, ts: number): void {
    this.eventTimers.delete(key, namespace, ts);
  }

  hasEventTimeTimer(key: K, namespace: string, ts: number): boolean {
    return this.eventTimers.has(key, namespace, ts);
  }

  registerProcessingTimeTimer(key: K, namespace: string, ts: number): void {
    this.processingTimers.add(key, namespace, ts);
  }

  deleteProcessingTimeTimer(key: K, namespace: string, ts: number): void {
    this.processingTimers.delete(key, namespace, ts);
  }

  hasProcessingTimeTimer(key: K, namespace: string, ts: number): boolean {
    return this.processingTimers.has(key, namespace, ts);
  }

  /** Sets the watermark, then fires every event-time timer with `ts <= wm`. Returns how many fired. */
  advanceWatermark(wm: number, fire: FireTimer<K>): number {
    if (wm < this.watermark) {
      throw new Error(`watermark went backwards: ${wm} < ${this.watermark}`);
    }
    this.watermark = wm;
    return drain(this.eventTimers, wm, fire);
  }

  /** Fires every processing-time timer with `ts <= nowMs`. Returns how many fired. */
  advanceProcessingTime(nowMs: number, fire: FireTimer<K>): number {
    return drain(this.processingTimers, nowMs, fire);
  }

  /** The earliest pending processing-time timer, to schedule a wake-up. */
  nextProcessingTime(): number | undefined {
    return this.processingTimers.peek()?.ts;
  }

  /** The earliest pending event-time timer. */
  nextEventTime(): number | undefined {
    return this.eventTimers.peek()?.ts;
  }

  /** Pending timers of both domains in firing order, as `{ key, namespace, time }`. */
  views(): { eventTime: { key: string; namespace: string; time: number }[]; processingTime: { key: string; namespace: string; time: number }[] } {
    const view = ([key, namespace, time]: TimerTuple<K>) => ({ key: String(key), namespace, time });
    return { eventTime: this.eventTimers.toSortedTuples().map(view), processingTime: this.processingTimers.toSortedTuples().map(view) };
  }

  /** Plain JSON-able; timers listed in firing order. */
  snapshot(): TimerServiceSnapshot<K> {
    return {
      watermark: this.watermark,
      eventTime: this.eventTimers.toSortedTuples(),
      processingTime: this.processingTimers.toSortedTuples(),
    };
  }

  /** Replaces all timers and the watermark with the snapshot's. */
  restore(snap: TimerServiceSnapshot<K>): void {
    this.eventTimers.clear();
    this.processingTimers.clear();
    this.watermark = snap.watermark;
    for (const [k, ns, ts] of snap.eventTime) this.eventTimers.add(k, ns, ts);
    for (const [k, ns, ts] of snap.processingTime) this.processingTimers.add(k, ns, ts);
  }
}

function drain<K>(queue: TimerQueue<K>, upTo: number, fire: FireTimer<K>): number {
  let fired = 0;
  for (let t = queue.pollAtOrBefore(upTo); t !== undefined; t = queue.pollAtOrBefore(upTo)) {
    fired++;
    fire(t.key, t.namespace, t.ts);
  }
  return fired;
}
