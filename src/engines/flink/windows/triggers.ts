/**
 * Triggers, as Flink's `Trigger` (flink-streaming-java, api/windowing/
 * triggers): a trigger decides, per key and window, when the window's
 * contents are emitted (FIRE) and when they are thrown away (PURGE). The
 * window operator calls it on every element added to a window, on every
 * event-time and processing-time timer of the window, when session windows
 * merge, and when the window is cleaned up.
 *
 * A trigger keeps no state of its own: what it remembers per window (a
 * count, the next fire time) lives in partitioned state reached through its
 * context, so it is checkpointed with the operator and merged when windows
 * merge. State values must be JSON-able.
 *
 * The triggers here follow Flink's code, rule for rule:
 * - `EventTimeTrigger` (the default of event-time windows): FIRE at once
 *   when an element joins a window the watermark has passed
 *   (`maxTimestamp <= W`), otherwise a timer at `maxTimestamp`; FIRE when it
 *   goes off. Accumulating: late firings carry the whole window.
 * - `ProcessingTimeTrigger` (default of processing-time windows): a
 *   processing-time timer at `maxTimestamp`, FIRE when it goes off.
 * - `CountTrigger.of(n)`: FIRE when the window's element count since the
 *   last firing reaches n (the count is reset, the contents are not).
 * - `ContinuousEventTimeTrigger.of(i)`: FIRE at the window's end (and at
 *   once when the watermark has passed it), and every `i` ms of event time:
 *   the first timer at `ts - ts % i + i` for the first element, then every
 *   `i` after each firing.
 * - `ContinuousProcessingTimeTrigger.of(i)`: every `i` ms of processing
 *   time, from the processing time of the first element rounded down to i.
 * - `PurgingTrigger.of(t)`: t, with every FIRE turned into FIRE_AND_PURGE
 *   (discarding panes).
 * - `NeverTrigger` (default of GlobalWindows): never fires.
 * - `AfterWatermark` (Beam's `AfterWatermark.pastEndOfWindow()` with
 *   `withEarlyFirings` / `withLateFirings`), written as a Flink trigger; see
 *   its comment.
 * - `AfterPane.elementCountAtLeast(n)` (Beam's): fires once, when the
 *   window holds n elements, and finishes.
 *
 * The last two are Beam-style: they can finish (`finishesOnFire`), which
 * closes the window as in Beam's ReduceFnRunner. Flink's triggers never do.
 */
import type { TimeWindow } from '../../../stream/time-window.ts';

export type TriggerResult = 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE';
export const TriggerResult = {
  CONTINUE: 'CONTINUE',
  FIRE: 'FIRE',
  PURGE: 'PURGE',
  FIRE_AND_PURGE: 'FIRE_AND_PURGE',
} as const satisfies Record<TriggerResult, TriggerResult>;

export const isFire = (r: TriggerResult): boolean => r === 'FIRE' || r === 'FIRE_AND_PURGE';
export const isPurge = (r: TriggerResult): boolean => r === 'PURGE' || r === 'FIRE_AND_PURGE';

/** The largest timestamp in a window: `end - 1` (GlobalWindow: the end of time). */
export function windowMaxTimestamp(w: TimeWindow): number {
  return w.end - 1;
}

/**
 * Names a piece of partitioned (per key and window) trigger state. With
 * `reduce`, `add` folds a value in (Flink's ReducingStateDescriptor) and
 * `mergePartitionedState` folds the merged windows' values together.
 */
export interface StateDescriptor<T> {
  readonly name: string;
  readonly reduce?: (a: T, b: T) => T;
}

export interface PartitionedState<T> {
  get(): T | undefined;
  update(value: T): void;
  /** Folds `value` in with the descriptor's `reduce` (or sets it when empty). */
  add(value: T): void;
  clear(): void;
}

/** What a trigger may do for the window it is called for (Flink's Trigger.TriggerContext). */
export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  getPartitionedState<T>(descriptor: StateDescriptor<T>): PartitionedState<T>;
}

export interface OnMergeContext extends TriggerContext {
  /** Folds this state of every merged window into the merged window's (needs `reduce`). */
  mergePartitionedState<T>(descriptor: StateDescriptor<T>): void;
}

export interface Trigger<T = unknown> {
  readonly name: string;
  onElement(element: T, timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  /** True when `onMerge` is implemented (session windows need it). */
  canMerge(): boolean;
  onMerge?(window: TimeWindow, ctx: OnMergeContext): void;
  /** The window is being cleaned up: delete its timers and state. */
  clear(window: TimeWindow, ctx: TriggerContext): void;
  /**
   * Beam-style triggers only (Flink's triggers never finish and leave it
   * out): asked right after the trigger fired for `window`, whether it has
   * now finished (Beam's finished trigger). A finished trigger closes the
   * window: the operator emits the firing's pane as the window's last,
   * drops its contents and trigger state, and drops every later element for
   * it until the window is cleaned up. A trigger that has this method also
   * makes the window emit its ON_TIME pane even when empty, unless the
   * windowed stream says otherwise (`onTimeBehavior`).
   */
  finishesOnFire?(window: TimeWindow, ctx: TriggerContext): boolean;
}

/** Whether `t` is a Beam-style trigger (one that can finish; see `Trigger.finishesOnFire`). */
export const isBeamTrigger = (t: Trigger): boolean => typeof t.finishesOnFire === 'function';

const min = (a: number, b: number): number => Math.min(a, b);
const sum = (a: number, b: number): number => a + b;

/** Flink's EventTimeTrigger (see the module comment). */
export class EventTimeTrigger implements Trigger {
  readonly name = 'EventTimeTrigger';
  private static readonly instance = new EventTimeTrigger();
  private constructor() {}
  static create(): EventTimeTrigger {
    return EventTimeTrigger.instance;
  }

  onElement(_e: unknown, _ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (windowMaxTimestamp(w) <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(windowMaxTimestamp(w));
    return 'CONTINUE';
  }

  onEventTime(time: number, w: TimeWindow): TriggerResult {
    return time === windowMaxTimestamp(w) ? 'FIRE' : 'CONTINUE';
  }

  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(w: TimeWindow, ctx: OnMergeContext): void {
    // Only register a timer if the watermark is not yet past the end of the merged window
    // (otherwise the timer would fire at once with nothing new, as Flink notes).
    if (windowMaxTimestamp(w) > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(windowMaxTimestamp(w));
  }

  clear(w: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(windowMaxTimestamp(w));
  }
}

/** Flink's ProcessingTimeTrigger: fires when processing time reaches the window's maxTimestamp. */
export class ProcessingTimeTrigger implements Trigger {
  readonly name = 'ProcessingTimeTrigger';
  private static readonly instance = new ProcessingTimeTrigger();
  private constructor() {}
  static create(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.instance;
  }

  onElement(_e: unknown, _ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(windowMaxTimestamp(w));
    return 'CONTINUE';
  }

  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(): TriggerResult {
    return 'FIRE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(w: TimeWindow, ctx: OnMergeContext): void {
    if (windowMaxTimestamp(w) > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(windowMaxTimestamp(w));
  }

  clear(w: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(windowMaxTimestamp(w));
  }
}

/**
 * What the element-count triggers share: a merging count of the window's elements in partitioned
 * state, no timers; each says in `onElement` when the count fires.
 */
abstract class ElementCountTrigger implements Trigger {
  abstract readonly name: string;
  protected readonly count: StateDescriptor<number> = { name: 'count', reduce: sum };

  abstract onElement(e: unknown, ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult;

  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_w: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.count);
  }

  clear(_w: TimeWindow, ctx: TriggerContext): void {
    ctx.getPartitionedState(this.count).clear();
  }
}

/** Flink's CountTrigger: fires when the count since the last firing reaches `maxCount`. */
export class CountTrigger extends ElementCountTrigger {
  readonly name: string;
  private constructor(readonly maxCount: number) {
    super();
    this.name = `CountTrigger(${maxCount})`;
  }

  static of(maxCount: number): CountTrigger {
    if (!Number.isSafeInteger(maxCount) || maxCount <= 0) throw new Error(`CountTrigger needs a positive integer count, got ${maxCount}`);
    return new CountTrigger(maxCount);
  }

  onElement(_e: unknown, _ts: number, _w: TimeWindow, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(this.count);
    count.add(1);
    if ((count.get() ?? 0) >= this.maxCount) {
      count.clear();
      return 'FIRE';
    }
    return 'CONTINUE';
  }
}

function requireInterval(name: string, interval: number): void {
  if (!Number.isSafeInteger(interval) || interval <= 0) throw new Error(`${name} needs a positive integer interval, got ${interval}`);
}

/** Java's `%`: the sign follows the dividend, as JavaScript's does. */
const roundDown = (t: number, interval: number): number => t - (t % interval);

/**
 * The next periodic firing after `time`, never past the window's last timestamp (Flink's
 * `registerNextFireTimestamp`; FLINK-20443 for the processing-time trigger): a window whose end is not a multiple of the
 * interval fires at its end, and no periodic timer outlives the window into its allowed lateness.
 */
function registerNextFire(time: number, interval: number, w: TimeWindow, fire: { add(v: number): void }, register: (t: number) => void): void {
  const next = Math.min(time + interval, windowMaxTimestamp(w));
  fire.add(next);
  register(next);
}

/** Flink's ContinuousEventTimeTrigger (the version that also fires at the window's end). */
export class ContinuousEventTimeTrigger implements Trigger {
  readonly name: string;
  private readonly fireTime: StateDescriptor<number> = { name: 'fire-time', reduce: min };
  private constructor(readonly interval: number) {
    this.name = `ContinuousEventTimeTrigger(${interval})`;
  }

  static of(interval: number): ContinuousEventTimeTrigger {
    requireInterval('ContinuousEventTimeTrigger', interval);
    return new ContinuousEventTimeTrigger(interval);
  }

  onElement(_e: unknown, ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (windowMaxTimestamp(w) <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(windowMaxTimestamp(w));
    const fire = ctx.getPartitionedState(this.fireTime);
    if (fire.get() === undefined) registerNextFire(roundDown(ts, this.interval), this.interval, w, fire, (t) => ctx.registerEventTimeTimer(t));
    return 'CONTINUE';
  }

  onEventTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (time === windowMaxTimestamp(w)) return 'FIRE';
    const fire = ctx.getPartitionedState(this.fireTime);
    if (fire.get() === time) {
      fire.clear();
      registerNextFire(time, this.interval, w, fire, (t) => ctx.registerEventTimeTimer(t));
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_w: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTime);
    const next = ctx.getPartitionedState(this.fireTime).get();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
  }

  clear(_w: TimeWindow, ctx: TriggerContext): void {
    const fire = ctx.getPartitionedState(this.fireTime);
    const t = fire.get();
    if (t !== undefined) {
      ctx.deleteEventTimeTimer(t);
      fire.clear();
    }
  }
}

/** Flink's ContinuousProcessingTimeTrigger. */
export class ContinuousProcessingTimeTrigger implements Trigger {
  readonly name: string;
  private readonly fireTime: StateDescriptor<number> = { name: 'fire-time', reduce: min };
  private constructor(readonly interval: number) {
    this.name = `ContinuousProcessingTimeTrigger(${interval})`;
  }

  static of(interval: number): ContinuousProcessingTimeTrigger {
    requireInterval('ContinuousProcessingTimeTrigger', interval);
    return new ContinuousProcessingTimeTrigger(interval);
  }

  onElement(_e: unknown, _ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    const fire = ctx.getPartitionedState(this.fireTime);
    if (fire.get() === undefined) registerNextFire(roundDown(ctx.getCurrentProcessingTime(), this.interval), this.interval, w, fire, (t) => ctx.registerProcessingTimeTimer(t));
    return 'CONTINUE';
  }

  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    const fire = ctx.getPartitionedState(this.fireTime);
    if (fire.get() === time) {
      fire.clear();
      registerNextFire(time, this.interval, w, fire, (t) => ctx.registerProcessingTimeTimer(t));
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_w: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTime);
  }

  clear(_w: TimeWindow, ctx: TriggerContext): void {
    const fire = ctx.getPartitionedState(this.fireTime);
    const t = fire.get();
    if (t !== undefined) ctx.deleteProcessingTimeTimer(t);
    fire.clear();
  }
}

const purging = (r: TriggerResult): TriggerResult => (isFire(r) ? 'FIRE_AND_PURGE' : r === 'PURGE' ? 'PURGE' : 'CONTINUE');

/** Flink's PurgingTrigger: the nested trigger, with every FIRE turned into FIRE_AND_PURGE. */
export class PurgingTrigger<T = unknown> implements Trigger<T> {
  readonly name: string;
  private constructor(readonly nested: Trigger<T>) {
    this.name = `PurgingTrigger(${nested.name})`;
  }

  static of<T>(nested: Trigger<T>): PurgingTrigger<T> {
    return new PurgingTrigger(nested);
  }

  onElement(e: T, ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onElement(e, ts, w, ctx));
  }

  onEventTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onEventTime(time, w, ctx));
  }

  onProcessingTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onProcessingTime(time, w, ctx));
  }

  canMerge(): boolean {
    return this.nested.canMerge();
  }

  onMerge(w: TimeWindow, ctx: OnMergeContext): void {
    this.nested.onMerge?.(w, ctx);
  }

  clear(w: TimeWindow, ctx: TriggerContext): void {
    this.nested.clear(w, ctx);
  }
}

/** The default trigger of GlobalWindows: never fires. */
export class NeverTrigger implements Trigger {
  readonly name = 'NeverTrigger';
  private static readonly instance = new NeverTrigger();
  private constructor() {}
  static create(): NeverTrigger {
    return NeverTrigger.instance;
  }
  onElement(): TriggerResult {
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(): void {}
  clear(): void {}
}

/**
 * Beam's `AfterWatermark.pastEndOfWindow()`, as a Flink trigger:
 * - on time: FIRE when the watermark passes the window's maxTimestamp
 *   (Flink's meaning: `W >= end - 1`; Beam's watermark t is weir's t - 1);
 * - `withEarlyFirings(ms)`: before that, FIRE `ms` of processing time after
 *   the first element of each pane (Beam's
 *   `AfterProcessingTime.pastFirstElementInPane().plusDelayOf(ms)`): while
 *   elements keep coming, an early pane every `ms`; an early timer still
 *   pending at the on-time firing is deleted;
 * - `withLateFirings()`: after it, FIRE for every element that joins the
 *   window (Beam's `Repeatedly(AfterPane.elementCountAtLeast(1))`: the
 *   trigger never finishes, the window stays open until it is cleaned up).
 *   Without it the trigger finishes with its on-time firing, which closes
 *   the window: that pane is the last, and a later element for the window
 *   is dropped (Beam's droppedDueToClosedWindow). A window whose first
 *   element comes after the watermark passed its end (allowed lateness
 *   keeps it) fires that element at once, a LATE pane, and closes;
 * - `discardingFiredPanes()`: every FIRE purges the contents (Beam's
 *   discarding mode); the default is accumulating, as Flink's FIRE.
 */
export class AfterWatermark implements Trigger {
  readonly name: string;
  private readonly earlyAt: StateDescriptor<number> = { name: 'early-at', reduce: min };
  private constructor(
    readonly earlyEveryMs: number | undefined,
    readonly lateFirings: boolean,
    readonly discarding: boolean,
  ) {
    this.name = `AfterWatermark(${earlyEveryMs === undefined ? '' : `early ${earlyEveryMs} ms`}${lateFirings ? `${earlyEveryMs === undefined ? '' : ', '}late per element` : ''})${discarding ? ' discarding' : ''}`;
  }

  static pastEndOfWindow(): AfterWatermark {
    return new AfterWatermark(undefined, false, false);
  }

  withEarlyFirings(everyMs: number): AfterWatermark {
    requireInterval('AfterWatermark.withEarlyFirings', everyMs);
    return new AfterWatermark(everyMs, this.lateFirings, this.discarding);
  }

  withLateFirings(): AfterWatermark {
    return new AfterWatermark(this.earlyEveryMs, true, this.discarding);
  }

  discardingFiredPanes(): AfterWatermark {
    return new AfterWatermark(this.earlyEveryMs, this.lateFirings, true);
  }

  accumulatingFiredPanes(): AfterWatermark {
    return new AfterWatermark(this.earlyEveryMs, this.lateFirings, false);
  }

  private fire(): TriggerResult {
    return this.discarding ? 'FIRE_AND_PURGE' : 'FIRE';
  }

  onElement(_e: unknown, _ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    const maxTs = windowMaxTimestamp(w);
    // Past the end of the window: a late firing, or — without late firings, in a window whose trigger
    // has not fired yet (one that first gets an element after the watermark passed it) — the
    // watermark part firing at once, as Beam's does when asked after the element.
    if (maxTs <= ctx.getCurrentWatermark()) return this.fire();
    ctx.registerEventTimeTimer(maxTs);
    if (this.earlyEveryMs !== undefined) {
      const early = ctx.getPartitionedState(this.earlyAt);
      if (early.get() === undefined) {
        const at = ctx.getCurrentProcessingTime() + this.earlyEveryMs;
        early.add(at);
        ctx.registerProcessingTimeTimer(at);
      }
    }
    return 'CONTINUE';
  }

  onEventTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (time !== windowMaxTimestamp(w)) return 'CONTINUE';
    this.clearEarly(ctx);
    return this.fire();
  }

  /** Finished after the on-time firing, unless late firings follow; early firings never finish it. */
  finishesOnFire(w: TimeWindow, ctx: TriggerContext): boolean {
    return !this.lateFirings && windowMaxTimestamp(w) <= ctx.getCurrentWatermark();
  }

  onProcessingTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    const early = ctx.getPartitionedState(this.earlyAt);
    if (early.get() !== time) return 'CONTINUE';
    early.clear();
    // Early firings only happen before the watermark passes the window.
    return windowMaxTimestamp(w) > ctx.getCurrentWatermark() ? this.fire() : 'CONTINUE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(w: TimeWindow, ctx: OnMergeContext): void {
    if (windowMaxTimestamp(w) > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(windowMaxTimestamp(w));
    ctx.mergePartitionedState(this.earlyAt);
    const at = ctx.getPartitionedState(this.earlyAt).get();
    if (at !== undefined) ctx.registerProcessingTimeTimer(at);
  }

  clear(w: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(windowMaxTimestamp(w));
    this.clearEarly(ctx);
  }

  private clearEarly(ctx: TriggerContext): void {
    const early = ctx.getPartitionedState(this.earlyAt);
    const at = early.get();
    if (at !== undefined) ctx.deleteProcessingTimeTimer(at);
    early.clear();
  }
}


/**
 * Beam's `AfterPane.elementCountAtLeast(n)`, not repeated: FIRE when the
 * window has received `n` elements, then finish, which closes the window
 * (its pane is the last; later elements for it are dropped). Beam's
 * `Repeatedly.forever(AfterPane.elementCountAtLeast(n))` is Flink's
 * `CountTrigger.of(n)`, which never finishes.
 */
export class AfterPane extends ElementCountTrigger {
  readonly name: string;
  private constructor(readonly minCount: number) {
    super();
    this.name = `AfterPane.elementCountAtLeast(${minCount})`;
  }

  static elementCountAtLeast(n: number): AfterPane {
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`AfterPane.elementCountAtLeast needs a positive integer count, got ${n}`);
    return new AfterPane(n);
  }

  onElement(_e: unknown, _ts: number, _w: TimeWindow, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(this.count);
    count.add(1);
    return (count.get() ?? 0) >= this.minCount ? 'FIRE' : 'CONTINUE';
  }

  finishesOnFire(): boolean {
    return true;
  }
}
