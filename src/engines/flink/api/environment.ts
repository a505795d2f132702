/**
 * The DataStream API: a builder that records a job graph. Names follow
 * Flink's: `fromSource → map / filter / flatMap → keyBy → window(assigner)
 * [.allowedLateness(ms)] [.sideOutputLateData(tag)] [.trigger(t)] [.evictor(e)]
 * → aggregate / reduce / process → sinkTo`, plus `union`, `process` (a keyed process function with timers)
 * and `intervalJoin(...)[.lowerBoundExclusive()][.upperBoundExclusive()]
 * [.sideOutputLeftLateData(tag)][.sideOutputRightLateData(tag)].between(lo, hi, fn)`.
 *
 * Streams are typed by their element, as Flink's `DataStream<T>`: sources
 * of the log and of scripts give `InputRecord`s, `map` and the window
 * functions give what they return, and a function that does not take the
 * stream's element type is a compile error. (Elements travel as they are
 * between chained operators and are checkpointed as JSON: they must be
 * JSON-able.)
 *
 * Nothing runs here: the builder only produces a `JobGraph`, which the job
 * manager deploys onto task managers.
 */
import { JobGraph, type GraphNode, type KeySelector, type Partitioning } from '../graph.ts';
import type { StreamOperator } from '../operators/operator.ts';
import { FilterOperator, FlatMapOperator, MapOperator } from '../operators/basic.ts';
import { LogSourceOperator, type LogSourceOptions } from '../operators/log-source.ts';
import { ScriptedSourceOperator, type ScriptedSourceOptions } from '../operators/scripted-source.ts';
import { validateScript, type Script, type ScriptedRecord } from '../script.ts';
import { WindowOperator, type AggregateFunction } from '../operators/window.ts';
import type { InputRecord, LateRecord, WindowResult } from '../../../stream/records.ts';
import { KeyedProcessOperator, type KeyedProcessFunction } from '../operators/keyed-process.ts';
import { effectiveBounds, IntervalJoinOperator } from '../operators/interval-join.ts';
import { LogSinkOperator, type LogSinkOptions } from '../sinks/log-sink.ts';
import { TriggeredWindowOperator, type ClosingBehavior, type OnTimeBehavior } from '../operators/triggered-window.ts';
import { TimestampsAndWatermarksOperator, type TimestampsAndWatermarks } from '../operators/timestamps.ts';
import { isEventTimeAssigner, type FlinkWindowAssigner } from '../windows/flink-assigners.ts';
import { EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, type Trigger } from '../windows/triggers.ts';
import { reduceAggregate, type Evictor, type ProcessWindowFunction, type ReduceFunction, type WindowAggregateFunction, type WindowFunctionSpec } from '../windows/functions.ts';

export interface EnvironmentOptions {
  parallelism: number;
  /** Flink's max parallelism: the number of key groups keys are spread over (default 128); no keyed operator may run wider. */
  maxParallelism?: number;
}

export class StreamEnvironment {
  readonly graph: JobGraph;
  constructor(readonly options: EnvironmentOptions) {
    this.graph = new JobGraph(options.maxParallelism);
  }

  /** Reads a topic of the log broker (Flink's KafkaSource with bounded-out-of-orderness watermarks). */
  fromLog(name: string, opts: LogSourceOptions & { parallelism?: number }): DataStream<InputRecord> {
    const node = this.graph.addNode({
      name,
      parallelism: opts.parallelism ?? this.options.parallelism,
      create: () => new LogSourceOperator(opts),
      isSource: true,
      keyed: false,
    });
    return new DataStream(this, node);
  }

  /**
   * Plays a script of records, watermark advances and processing-time waits
   * (Beam's TestStream). Always one subtask, so every lateness decision
   * downstream is exact; see `operators/scripted-source.ts`.
   */
  fromScript<V = number>(name: string, script: Script<V>, opts: ScriptedSourceOptions = {}): DataStream<ScriptedRecord<V>> {
    validateScript(script);
    const node = this.graph.addNode({
      name,
      parallelism: 1,
      create: () => new ScriptedSourceOperator(script, opts),
      isSource: true,
      keyed: false,
    });
    return new DataStream<ScriptedRecord<V>>(this, node);
  }

  /**
   * Plays one script per subtask: subtask i plays `scripts[i]`, each with
   * its own watermark and idleness; downstream tasks take the minimum over
   * the subtasks that are not idle.
   */
  fromScripts<V = number>(name: string, scripts: readonly Script<V>[], opts: ScriptedSourceOptions = {}): DataStream<ScriptedRecord<V>> {
    if (scripts.length === 0) throw new Error('fromScripts needs at least one script');
    for (const sc of scripts) validateScript(sc);
    const node = this.graph.addNode({
      name,
      parallelism: scripts.length,
      create: () => new ScriptedSourceOperator(scripts, opts),
      isSource: true,
      keyed: false,
    });
    return new DataStream(this, node);
  }
}

export class DataStream<T = any> {
  /** Only for the type checker: the element type. */
  declare readonly __element?: T;

  constructor(
    readonly env: StreamEnvironment,
    readonly node: GraphNode,
    protected readonly sideTag?: string,
  ) {}

  /** Appends an operator (Flink's transform()). */
  transform(name: string, create: () => StreamOperator, opts: { partitioning?: Partitioning; key?: KeySelector; keyed?: boolean; parallelism?: number } = {}): GraphNode {
    const node = this.env.graph.addNode({
      name,
      // As in Flink, a keyed operator runs at the job's parallelism unless told otherwise;
      // a forward operator keeps its input's, so it chains.
      parallelism: opts.parallelism ?? (opts.partitioning === 'hash' ? this.env.options.parallelism : this.node.parallelism),
      create,
      isSource: false,
      keyed: opts.keyed ?? false,
    });
    this.env.graph.connect({
      from: this.node.id,
      to: node.id,
      partitioning: opts.partitioning ?? 'forward',
      ...(opts.key ? { key: opts.key } : {}),
      input: 0,
      ...(this.sideTag ? { sideTag: this.sideTag } : {}),
    });
    return node;
  }

  map<R>(fn: (v: T) => R, name = 'map'): DataStream<R> {
    return new DataStream<R>(this.env, this.transform(name, () => new MapOperator(fn)));
  }

  filter(fn: (v: T) => boolean, name = 'filter'): DataStream<T> {
    return new DataStream<T>(this.env, this.transform(name, () => new FilterOperator(fn)));
  }

  flatMap<R>(fn: (v: T) => readonly R[], name = 'flatMap'): DataStream<R> {
    return new DataStream<R>(this.env, this.transform(name, () => new FlatMapOperator(fn)));
  }

  /**
   * Gives every record an event timestamp and generates watermarks from
   * them (Flink's assignTimestampsAndWatermarks with a bounded
   * out-of-orderness strategy; see `operators/timestamps.ts`). Upstream
   * watermarks are replaced, the final one excepted.
   */
  assignTimestampsAndWatermarks(strategy: TimestampsAndWatermarks<T>, name = 'timestamps'): DataStream<T> {
    const opts = { ...strategy };
    new TimestampsAndWatermarksOperator(opts);
    return new DataStream<T>(this.env, this.transform(name, () => new TimestampsAndWatermarksOperator(opts)));
  }

  /** Redistributes round-robin (Flink's rebalance()). */
  rebalance(parallelism: number, name = 'rebalance'): DataStream<T> {
    return new DataStream<T>(this.env, this.transform(name, () => new MapOperator((v) => v), { partitioning: 'rebalance', parallelism }));
  }

  /** Partitions by the key `key` returns (any string). */
  keyBy(key: (v: T) => string): KeyedStream<T> {
    return new KeyedStream<T>(this, key as KeySelector);
  }

  sinkTo(opts: LogSinkOptions & { name?: string; parallelism?: number }): void {
    this.transform(opts.name ?? `sink:${opts.topic}`, () => new LogSinkOperator(opts), {
      ...(opts.parallelism !== undefined ? { partitioning: 'rebalance', parallelism: opts.parallelism } : {}),
    });
  }
}

export class KeyedStream<T = any> {
  constructor(
    readonly stream: DataStream<T>,
    readonly key: KeySelector,
  ) {}

  window(assigner: FlinkWindowAssigner): WindowedStream<T> {
    return new WindowedStream<T>(this, assigner);
  }

  process<OUT = any>(fn: KeyedProcessFunction<T, OUT>, name = 'process', parallelism?: number): DataStream<OUT> {
    const node = this.stream.transform(name, () => new KeyedProcessOperator(fn), {
      partitioning: 'hash',
      key: this.key,
      keyed: true,
      ...(parallelism !== undefined ? { parallelism } : {}),
    });
    return new DataStream<OUT>(this.stream.env, node);
  }

  intervalJoin<U>(other: KeyedStream<U>): IntervalJoinBuilder<T, U> {
    return new IntervalJoinBuilder<T, U>(this, other);
  }
}

/**
 * A keyed, windowed stream. `aggregate(numberAggregate)` with nothing else
 * set runs the dedicated EventTimeTrigger operator (`operators/window.ts`),
 * exactly as before. Anything Flink-specific — `.trigger(...)`,
 * `.evictor(...)`, `.discardingFiredPanes()`, a closing or on-time behaviour, a Flink-only assigner
 * (GlobalWindows, processing-time windows), `reduce`, `process`, or an
 * aggregate with a process function — runs the general operator
 * (`operators/triggered-window.ts`), whose results carry their pane.
 */
export class WindowedStream<T = any> {
  private latenessMs = 0;
  private lateTag: string | undefined;
  private trig: Trigger | undefined;
  private evict: Evictor | undefined;
  private discarding = false;
  private closing: ClosingBehavior | undefined;
  private onTime: OnTimeBehavior | undefined;
  constructor(
    readonly keyed: KeyedStream<T>,
    readonly assigner: FlinkWindowAssigner,
  ) {}

  /**
   * Keeps each window `ms` past its end for late elements (cleanup at
   * `maxTimestamp + ms`). With `closing` (Beam's
   * `withAllowedLateness(d, ClosingBehavior)`), see `closingBehavior`.
   */
  allowedLateness(ms: number, closing?: ClosingBehavior): this {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`allowed lateness must be a non-negative integer, got ${ms}`);
    this.latenessMs = ms;
    if (closing !== undefined) this.closingBehavior(closing);
    return this;
  }

  /**
   * Beam's closing behaviour: when a window is cleaned up (watermark at
   * `maxTimestamp + allowedLateness`; the end of input for a window never
   * cleaned up, such as the global window) and its trigger does not fire
   * then, a final pane (`pane.isLast`) is emitted if elements arrived since
   * the last pane (`FIRE_IF_NON_EMPTY`), or in any case (`FIRE_ALWAYS`).
   * Without it the trigger alone decides, as in Flink, and elements that
   * arrived since the last pane are dropped with the window.
   */
  closingBehavior(closing: ClosingBehavior): this {
    if (closing !== 'FIRE_IF_NON_EMPTY' && closing !== 'FIRE_ALWAYS') throw new Error(`closing behaviour must be FIRE_IF_NON_EMPTY or FIRE_ALWAYS, got ${String(closing)}`);
    this.closing = closing;
    return this;
  }

  /**
   * Beam's `withOnTimeBehavior`: whether the ON_TIME pane is emitted when
   * the window is empty at the on-time firing (everything already went out
   * in discarding early panes): `FIRE_ALWAYS` (Beam's default, and weir's
   * for a Beam-style trigger such as `AfterWatermark`) or
   * `FIRE_IF_NON_EMPTY`. Flink's own triggers emit nothing for an empty
   * window unless this is set.
   */
  onTimeBehavior(onTime: OnTimeBehavior): this {
    if (onTime !== 'FIRE_IF_NON_EMPTY' && onTime !== 'FIRE_ALWAYS') throw new Error(`on-time behaviour must be FIRE_IF_NON_EMPTY or FIRE_ALWAYS, got ${String(onTime)}`);
    this.onTime = onTime;
    return this;
  }

  sideOutputLateData(tag: string): this {
    this.lateTag = tag;
    return this;
  }

  /** Replaces the assigner's default trigger (EventTimeTrigger, ProcessingTimeTrigger, or never for GlobalWindows). */
  trigger(t: Trigger): this {
    this.trig = t;
    return this;
  }

  /** Keeps every element and evicts some before or after each firing (Flink's evictor()). */
  evictor(e: Evictor<T>): this {
    this.evict = e;
    return this;
  }

  /** Beam's discarding mode: every firing also purges the window's contents. */
  discardingFiredPanes(): this {
    this.discarding = true;
    return this;
  }

  /** Beam's accumulating mode (the default, as Flink's FIRE). */
  accumulatingFiredPanes(): this {
    this.discarding = false;
    return this;
  }

  /**
   * An incremental aggregate of any accumulator and result type, optionally
   * followed by a process window function that receives its result.
   */
  aggregate<ACC, R>(fn: WindowAggregateFunction<T, ACC, R>, name?: string, parallelism?: number): WindowedResultStream<WindowResult<R>, T>;
  aggregate<ACC, R, OUT>(fn: WindowAggregateFunction<T, ACC, R>, process: ProcessWindowFunction<R, OUT>, name?: string, parallelism?: number): WindowedResultStream<OUT, T>;
  aggregate(fn: WindowAggregateFunction, a?: string | ProcessWindowFunction, b?: string | number, c?: number): WindowedResultStream<any, T> {
    if (typeof a === 'object') return this.build({ kind: 'aggregate', aggregate: fn, process: a }, (b as string | undefined) ?? 'window', c);
    const name = a ?? 'window';
    const parallelism = b as number | undefined;
    if (this.trig === undefined && this.evict === undefined && !this.discarding && this.closing === undefined && this.onTime === undefined && isEventTimeAssigner(this.assigner)) {
      const assigner = this.assigner;
      const latenessMs = this.latenessMs;
      const lateTag = this.lateTag;
      const aggregate = fn as AggregateFunction;
      return this.node(name, () => new WindowOperator({ assigner, allowedLatenessMs: latenessMs, lateTag, aggregate }), parallelism);
    }
    return this.build({ kind: 'aggregate', aggregate: fn }, name, parallelism);
  }

  /** Flink's reduce: the window keeps `fn(kept, next)`; optionally a process window function gets the result. */
  reduce(fn: ReduceFunction<T>, name?: string, parallelism?: number): WindowedResultStream<WindowResult<T>, T>;
  reduce<OUT>(fn: ReduceFunction<T>, process: ProcessWindowFunction<T, OUT>, name?: string, parallelism?: number): WindowedResultStream<OUT, T>;
  reduce(fn: ReduceFunction<T>, a?: string | ProcessWindowFunction<T>, b?: string | number, c?: number): WindowedResultStream<any, T> {
    const aggregate = reduceAggregate(fn);
    if (typeof a === 'object') return this.build({ kind: 'aggregate', aggregate, process: a }, (b as string | undefined) ?? 'window', c);
    return this.build({ kind: 'aggregate', aggregate }, a ?? 'window', b as number | undefined);
  }

  /** A process window function over the window's elements, its pane and its state. */
  process<OUT = any>(fn: ProcessWindowFunction<T, OUT>, name = 'window', parallelism?: number): WindowedResultStream<OUT, T> {
    return this.build({ kind: 'process', process: fn }, name, parallelism);
  }

  private defaultTrigger(): Trigger {
    if (this.assigner.kind === 'global') return NeverTrigger.create();
    return isEventTimeAssigner(this.assigner) ? EventTimeTrigger.create() : ProcessingTimeTrigger.create();
  }

  private build(fn: WindowFunctionSpec, name: string, parallelism: number | undefined): WindowedResultStream<any, T> {
    const opts = {
      assigner: this.assigner,
      allowedLatenessMs: this.latenessMs,
      lateTag: this.lateTag,
      trigger: this.trig ?? this.defaultTrigger(),
      fn,
      ...(this.evict ? { evictor: this.evict } : {}),
      discarding: this.discarding,
      ...(this.closing !== undefined ? { closing: this.closing } : {}),
      ...(this.onTime !== undefined ? { onTime: this.onTime } : {}),
    };
    // Checked now, so a bad combination fails when the job is built, not when it runs.
    new TriggeredWindowOperator(opts);
    return this.node(name, () => new TriggeredWindowOperator(opts), parallelism);
  }

  private node(name: string, create: () => StreamOperator, parallelism: number | undefined): WindowedResultStream<any, T> {
    const node = this.keyed.stream.transform(name, create, {
      partitioning: 'hash',
      key: this.keyed.key,
      keyed: true,
      ...(parallelism !== undefined ? { parallelism } : {}),
    });
    return new WindowedResultStream<any, T>(this.keyed.stream.env, node);
  }
}

/** A window's results (`OUT`), with its side outputs: the late one carries `LateRecord<IN>`s. */
export class WindowedResultStream<OUT = any, IN = any> extends DataStream<OUT> {
  /** The late side output of the window (Flink's getSideOutput(lateTag)), or another tag a process function writes to. */
  getSideOutput<S = LateRecord<IN>>(tag: string): DataStream<S> {
    return new DataStream<S>(this.env, this.node, tag);
  }
}

export class IntervalJoinBuilder<L = any, R = any> {
  private lowerExclusive = false;
  private upperExclusive = false;
  private leftLateTag: string | undefined;
  private rightLateTag: string | undefined;

  constructor(
    readonly left: KeyedStream<L>,
    readonly right: KeyedStream<R>,
  ) {}

  /** The lower bound of `between` is exclusive: `r.ts - l.ts > lowerMs`. */
  lowerBoundExclusive(): this {
    this.lowerExclusive = true;
    return this;
  }

  /** The upper bound of `between` is exclusive: `r.ts - l.ts < upperMs`. */
  upperBoundExclusive(): this {
    this.upperExclusive = true;
    return this;
  }

  /** Left records too late to join go to side output `tag` (read it with the result's `getSideOutput(tag)`). */
  sideOutputLeftLateData(tag: string): this {
    this.leftLateTag = tag;
    return this;
  }

  /** Right records too late to join go to side output `tag`. */
  sideOutputRightLateData(tag: string): this {
    this.rightLateTag = tag;
    return this;
  }

  /**
   * Joins a left record `l` with a right record `r` of the same key when
   * `lowerMs <= r.ts - l.ts <= upperMs` (either bound exclusive if made so);
   * `lowerMs` must not exceed `upperMs`.
   */
  between<OUT>(lowerMs: number, upperMs: number, fn: (left: L, right: R) => OUT, name = 'join'): IntervalJoinedStream<OUT, L, R> {
    const env = this.left.stream.env;
    const opts = {
      lowerMs, upperMs, join: fn, lowerBoundExclusive: this.lowerExclusive, upperBoundExclusive: this.upperExclusive,
      ...(this.leftLateTag !== undefined ? { leftLateTag: this.leftLateTag } : {}),
      ...(this.rightLateTag !== undefined ? { rightLateTag: this.rightLateTag } : {}),
    };
    effectiveBounds(opts);
    const node = env.graph.addNode({
      name,
      parallelism: env.options.parallelism,
      create: () => new IntervalJoinOperator(opts),
      isSource: false,
      keyed: true,
    });
    env.graph.connect({ from: this.left.stream.node.id, to: node.id, partitioning: 'hash', key: this.left.key, input: 0 });
    env.graph.connect({ from: this.right.stream.node.id, to: node.id, partitioning: 'hash', key: this.right.key, input: 1 });
    return new IntervalJoinedStream<OUT, L, R>(env, node);
  }
}

/** An interval join's pairs (`OUT`), with its late side outputs. */
export class IntervalJoinedStream<OUT = any, L = any, R = any> extends DataStream<OUT> {
  /** A late side output set with `sideOutputLeftLateData` (left records, `L`) or `sideOutputRightLateData` (`R`). */
  getSideOutput<S = L | R>(tag: string): DataStream<S> {
    return new DataStream<S>(this.env, this.node, tag);
  }
}

/** Unions two streams of the same type (Flink's union): a forward-free node fed by both. */
export function union<T>(a: DataStream<T>, b: DataStream<T>, name = 'union'): DataStream<T> {
  const env = a.env;
  const node = env.graph.addNode({ name, parallelism: a.node.parallelism, create: () => new MapOperator((v) => v), isSource: false, keyed: false });
  env.graph.connect({ from: a.node.id, to: node.id, partitioning: 'rebalance', input: 0 });
  env.graph.connect({ from: b.node.id, to: node.id, partitioning: 'rebalance', input: 0 });
  return new DataStream<T>(env, node);
}
