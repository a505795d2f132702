/**
 * Window functions (Flink's ReduceFunction, AggregateFunction,
 * ProcessWindowFunction) and evictors (CountEvictor, TimeEvictor).
 *
 * - `reduce(fn)`: the window keeps one value, `fn(kept, next)` per element
 *   (the first element is kept as it is); the result is that value.
 * - `aggregate(fn)`: any accumulator and any result type
 *   (`WindowAggregateFunction<IN, ACC, OUT>`); the accumulator is folded
 *   incrementally and must be JSON-able (it is checkpointed as it is).
 * - `process(fn)`: the window keeps every element; at each firing
 *   `fn.process(key, ctx, elements, out)` sees the window, its elements, the
 *   pane, the watermark and processing time, and per-window and per-key
 *   state, and collects any number of outputs (stamped `end - 1`).
 * - `aggregate(agg, process)` / `reduce(fn, process)`: incremental, and the
 *   process function gets the single result as its only element.
 *
 * Without a process function each firing emits one window result (the
 * `WindowResult` shape, `value` being the function's result).
 *
 * Evictors (Flink's EvictingWindowOperator): with an evictor the window
 * keeps every element even for reduce/aggregate; at each firing
 * `evictBefore` may remove elements, the function runs over the rest,
 * `evictAfter` may remove more, and what remains stays in the window.
 */
import type { TimeWindow } from '../../../stream/time-window.ts';
import type { PaneInfo } from '../../../stream/records.ts';
import { NO_TIMESTAMP } from '../../../stream/watermark.ts';

export interface WindowAggregateFunction<IN = any, ACC = any, OUT = any> {
  readonly name?: string;
  createAccumulator(): ACC;
  add(value: IN, acc: ACC): ACC;
  merge(a: ACC, b: ACC): ACC;
  getResult(acc: ACC): OUT;
}

export type ReduceFunction<T = any> = (kept: T, next: T) => T;

/** A small per-window or per-key value (Flink's ValueState), JSON-able. */
export interface WindowValueState<T> {
  value(): T | undefined;
  update(v: T): void;
  clear(): void;
}

export interface ProcessWindowContext {
  readonly key: string;
  readonly window: TimeWindow;
  readonly pane: PaneInfo;
  currentWatermark(): number;
  currentProcessingTime(): number;
  /** State of this key and window (not for merging windows, as in Flink). */
  windowState<T>(name: string): WindowValueState<T>;
  /** State of this key, shared by all its windows. */
  globalState<T>(name: string): WindowValueState<T>;
  /** Emits to a side output (Flink's Context.output(tag, value)). */
  output(tag: string, value: unknown): void;
}

export interface Collector<OUT = unknown> {
  collect(value: OUT): void;
}

export interface ProcessWindowFunction<IN = any, OUT = any> {
  process(key: string, ctx: ProcessWindowContext, elements: IN[], out: Collector<OUT>): void;
  /** Called when the window is cleaned up: clear per-window state here (Flink does not do it for you). */
  clear?(ctx: ProcessWindowContext): void;
}

/** An element kept in a window, with its timestamp (evictors read it). */
export interface TimestampedValue<T = unknown> {
  value: T;
  ts: number;
}

export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

export interface Evictor<T = unknown> {
  readonly name: string;
  /** Removes elements in place before the function runs. */
  evictBefore(elements: TimestampedValue<T>[], window: TimeWindow, ctx: EvictorContext): void;
  /** Removes elements in place after it ran. */
  evictAfter(elements: TimestampedValue<T>[], window: TimeWindow, ctx: EvictorContext): void;
}

/** Flink's CountEvictor: keeps the last `maxCount` elements (before the function, or after with `doEvictAfter`). */
export class CountEvictor implements Evictor {
  readonly name: string;
  private constructor(readonly maxCount: number, readonly doEvictAfter: boolean) {
    this.name = `CountEvictor(${maxCount}${doEvictAfter ? ', after' : ''})`;
  }

  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    if (!Number.isSafeInteger(maxCount) || maxCount < 0) throw new Error(`CountEvictor needs a non-negative integer count, got ${maxCount}`);
    return new CountEvictor(maxCount, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue[]): void {
    if (elements.length > this.maxCount) elements.splice(0, elements.length - this.maxCount);
  }
}

/** Flink's TimeEvictor: removes elements with `ts <= max(ts) - windowSizeMs`. */
export class TimeEvictor implements Evictor {
  readonly name: string;
  private constructor(readonly windowSizeMs: number, readonly doEvictAfter: boolean) {
    this.name = `TimeEvictor(${windowSizeMs}${doEvictAfter ? ', after' : ''})`;
  }

  static of(windowSizeMs: number, doEvictAfter = false): TimeEvictor {
    if (!Number.isSafeInteger(windowSizeMs) || windowSizeMs < 0) throw new Error(`TimeEvictor needs a non-negative integer size, got ${windowSizeMs}`);
    return new TimeEvictor(windowSizeMs, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue[]): void {
    // As Flink's: elements without timestamps (processing-time windows fed such records) are never evicted by time.
    if (elements.length === 0 || elements[0]!.ts === NO_TIMESTAMP) return;
    let maxTs = elements[0]!.ts;
    for (const e of elements) if (e.ts > maxTs) maxTs = e.ts;
    const cutoff = maxTs - this.windowSizeMs;
    let w = 0;
    for (const e of elements) if (e.ts > cutoff) elements[w++] = e;
    elements.length = w;
  }
}

/** What a windowed stream computes at each firing (internal form of the builder's choices). */
export type WindowFunctionSpec =
  | { readonly kind: 'aggregate'; readonly aggregate: WindowAggregateFunction; readonly process?: ProcessWindowFunction }
  | { readonly kind: 'process'; readonly process: ProcessWindowFunction };

/** `reduce(fn)` as an aggregate whose accumulator is the kept value (null before the first element). */
export function reduceAggregate<T>(fn: ReduceFunction<T>): WindowAggregateFunction<T, T | null, T> {
  return {
    name: 'reduce',
    createAccumulator: () => null,
    add: (v, acc) => (acc === null ? v : fn(acc, v)),
    merge: (a, b) => (a === null ? b : b === null ? a : fn(a, b)),
    getResult: (acc) => acc as T,
  };
}
