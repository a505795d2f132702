/**
 * The DataStream API: a builder that records a job graph. Names follow
 * Flink's: `fromSource → map / filter / flatMap → keyBy → window(assigner)
 * [.allowedLateness(ms)] [.sideOutputLateData(tag)] [.trigger(t)] [.evictor(e)]
 * → aggregate / reduce / process → sinkTo`, plus `union`, `process` (a keyed process function with timers)
 * and `intervalJoin(...).between(lo, hi)`.
 *
 * Nothing runs here: the builder only produces a `JobGraph`, which the job
 * manager deploys onto task managers.
 */
import { JobGraph, type GraphNode, type KeySelector, type Partitioning } from '../graph.ts';
import type { StreamOperator } from '../operators/operator.ts';
import { FilterOperator, FlatMapOperator, MapOperator } from '../operators/basic.ts';
import { LogSourceOperator, type LogSourceOptions } from '../operators/log-source.ts';
import { ScriptedSourceOperator, type ScriptedSourceOptions } from '../operators/scripted-source.ts';
import { validateScript, type Script } from '../script.ts';
import { WindowOperator, type AggregateFunction } from '../operators/window.ts';
import { KeyedProcessOperator, type KeyedProcessFunction } from '../operators/keyed-process.ts';
import { IntervalJoinOperator, type JoinFunction } from '../operators/interval-join.ts';
import { LogSinkOperator, type LogSinkOptions } from '../sinks/log-sink.ts';
import { TriggeredWindowOperator } from '../operators/triggered-window.ts';
import { isEventTimeAssigner, type FlinkWindowAssigner } from '../windows/flink-assigners.ts';
import { EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, type Trigger } from '../windows/triggers.ts';
import { reduceAggregate, type Evictor, type ProcessWindowFunction, type ReduceFunction, type WindowAggregateFunction, type WindowFunctionSpec } from '../windows/functions.ts';

export interface EnvironmentOptions {
  parallelism: number;
}

export class StreamEnvironment {
  readonly graph = new JobGraph();
  constructor(readonly options: EnvironmentOptions) {}

  /** Reads a topic of the log broker (Flink's KafkaSource with bounded-out-of-orderness watermarks). */
  fromLog(name: string, opts: LogSourceOptions & { parallelism?: number }): DataStream {
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
  fromScript(name: string, script: Script, opts: ScriptedSourceOptions = {}): DataStream {
    validateScript(script);
    const node = this.graph.addNode({
      name,
      parallelism: 1,
      create: () => new ScriptedSourceOperator(script, opts),
      isSource: true,
      keyed: false,
    });
    return new DataStream(this, node);
  }
}

export class DataStream {
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

  map(fn: (v: any) => unknown, name = 'map'): DataStream {
    return new DataStream(this.env, this.transform(name, () => new MapOperator(fn)));
  }

  filter(fn: (v: any) => boolean, name = 'filter'): DataStream {
    return new DataStream(this.env, this.transform(name, () => new FilterOperator(fn)));
  }

  flatMap(fn: (v: any) => unknown[], name = 'flatMap'): DataStream {
    return new DataStream(this.env, this.transform(name, () => new FlatMapOperator(fn)));
  }

  /** Redistributes round-robin (Flink's rebalance()). */
  rebalance(parallelism: number, name = 'rebalance'): DataStream {
    return new DataStream(this.env, this.transform(name, () => new MapOperator((v) => v), { partitioning: 'rebalance', parallelism }));
  }

  keyBy(key: (v: any) => string): KeyedStream {
    return new KeyedStream(this, key);
  }

  sinkTo(opts: LogSinkOptions & { name?: string; parallelism?: number }): void {
    this.transform(opts.name ?? `sink:${opts.topic}`, () => new LogSinkOperator(opts), {
      ...(opts.parallelism !== undefined ? { partitioning: 'rebalance', parallelism: opts.parallelism } : {}),
    });
  }
}

export class KeyedStream {
  constructor(
    readonly stream: DataStream,
    readonly key: KeySelector,
  ) {}

  window(assigner: FlinkWindowAssigner): WindowedStream {
    return new WindowedStream(this, assigner);
  }

  process(fn: KeyedProcessFunction, name = 'process', parallelism?: number): DataStream {
    const node = this.stream.transform(name, () => new KeyedProcessOperator(fn), {
      partitioning: 'hash',
      key: this.key,
      keyed: true,
      ...(parallelism !== undefined ? { parallelism } : {}),
    });
    return new DataStream(this.stream.env, node);
  }

  intervalJoin(other: KeyedStream): IntervalJoinBuilder {
    return new IntervalJoinBuilder(this, other);
  }
}

/**
 * A keyed, windowed stream. `aggregate(numberAggregate)` with nothing else
 * set runs the dedicated EventTimeTrigger operator (`operators/window.ts`),
 * exactly as before. Anything Flink-specific — `.trigger(...)`,
 * `.evictor(...)`, `.discardingFiredPanes()`, a Flink-only assigner
 * (GlobalWindows, processing-time windows), `reduce`, `process`, or an
 * aggregate with a process function — runs the general operator
 * (`operators/triggered-window.ts`), whose results carry their pane.
 */
export class WindowedStream {
  private latenessMs = 0;
  private lateTag: string | undefined;
  private trig: Trigger | undefined;
  private evict: Evictor | undefined;
  private discarding = false;
  constructor(
    readonly keyed: KeyedStream,
    readonly assigner: FlinkWindowAssigner,
  ) {}

  allowedLateness(ms: number): this {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`allowed lateness must be a non-negative integer, got ${ms}`);
    this.latenessMs = ms;
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
  evictor(e: Evictor): this {
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
  aggregate(fn: WindowAggregateFunction, name?: string, parallelism?: number): WindowedResultStream;
  aggregate(fn: WindowAggregateFunction, process: ProcessWindowFunction, name?: string, parallelism?: number): WindowedResultStream;
  aggregate(fn: WindowAggregateFunction, a?: string | ProcessWindowFunction, b?: string | number, c?: number): WindowedResultStream {
    if (typeof a === 'object') return this.build({ kind: 'aggregate', aggregate: fn, process: a }, (b as string | undefined) ?? 'window', c);
    const name = a ?? 'window';
    const parallelism = b as number | undefined;
    if (this.trig === undefined && this.evict === undefined && !this.discarding && isEventTimeAssigner(this.assigner)) {
      const assigner = this.assigner;
      const latenessMs = this.latenessMs;
      const lateTag = this.lateTag;
      const aggregate = fn as AggregateFunction;
      return this.node(name, () => new WindowOperator({ assigner, allowedLatenessMs: latenessMs, lateTag, aggregate }), parallelism);
    }
    return this.build({ kind: 'aggregate', aggregate: fn }, name, parallelism);
  }

  /** Flink's reduce: the window keeps `fn(kept, next)`; optionally a process window function gets the result. */
  reduce<T>(fn: ReduceFunction<T>, name?: string, parallelism?: number): WindowedResultStream;
  reduce<T>(fn: ReduceFunction<T>, process: ProcessWindowFunction<T>, name?: string, parallelism?: number): WindowedResultStream;
  reduce<T>(fn: ReduceFunction<T>, a?: string | ProcessWindowFunction<T>, b?: string | number, c?: number): WindowedResultStream {
    const aggregate = reduceAggregate(fn);
    if (typeof a === 'object') return this.build({ kind: 'aggregate', aggregate, process: a }, (b as string | undefined) ?? 'window', c);
    return this.build({ kind: 'aggregate', aggregate }, a ?? 'window', b as number | undefined);
  }

  /** A process window function over the window's elements, its pane and its state. */
  process<IN = any, OUT = any>(fn: ProcessWindowFunction<IN, OUT>, name = 'window', parallelism?: number): WindowedResultStream {
    return this.build({ kind: 'process', process: fn }, name, parallelism);
  }

  private defaultTrigger(): Trigger {
    if (this.assigner.kind === 'global') return NeverTrigger.create();
    return isEventTimeAssigner(this.assigner) ? EventTimeTrigger.create() : ProcessingTimeTrigger.create();
  }

  private build(fn: WindowFunctionSpec, name: string, parallelism: number | undefined): WindowedResultStream {
    const opts = {
      assigner: this.assigner,
      allowedLatenessMs: this.latenessMs,
      lateTag: this.lateTag,
      trigger: this.trig ?? this.defaultTrigger(),
      fn,
      ...(this.evict ? { evictor: this.evict } : {}),
      discarding: this.discarding,
    };
    // Checked now, so a bad combination fails when the job is built, not when it runs.
    new TriggeredWindowOperator(opts);
    return this.node(name, () => new TriggeredWindowOperator(opts), parallelism);
  }

  private node(name: string, create: () => StreamOperator, parallelism: number | undefined): WindowedResultStream {
    const node = this.keyed.stream.transform(name, create, {
      partitioning: 'hash',
      key: this.keyed.key,
      keyed: true,
      ...(parallelism !== undefined ? { parallelism } : {}),
    });
    return new WindowedResultStream(this.keyed.stream.env, node);
  }
}

export class WindowedResultStream extends DataStream {
  /** The late side output of the window (Flink's getSideOutput(lateTag)). */
  getSideOutput(tag: string): DataStream {
    return new DataStream(this.env, this.node, tag);
  }
}

export class IntervalJoinBuilder {
  constructor(
    readonly left: KeyedStream,
    readonly right: KeyedStream,
  ) {}

  /** Joins a left record `l` with a right record `r` of the same key when `lowerMs <= r.ts - l.ts <= upperMs`. */
  between(lowerMs: number, upperMs: number, fn: JoinFunction, name = 'join'): DataStream {
    const env = this.left.stream.env;
    const node = env.graph.addNode({
      name,
      parallelism: env.options.parallelism,
      create: () => new IntervalJoinOperator({ lowerMs, upperMs, join: fn }),
      isSource: false,
      keyed: true,
    });
    env.graph.connect({ from: this.left.stream.node.id, to: node.id, partitioning: 'hash', key: this.left.key, input: 0 });
    env.graph.connect({ from: this.right.stream.node.id, to: node.id, partitioning: 'hash', key: this.right.key, input: 1 });
    return new DataStream(env, node);
  }
}

/** Unions two streams of the same type (Flink's union): a forward-free node fed by both. */
export function union(a: DataStream, b: DataStream, name = 'union'): DataStream {
  const env = a.env;
  const node = env.graph.addNode({ name, parallelism: a.node.parallelism, create: () => new MapOperator((v) => v), isSource: false, keyed: false });
  env.graph.connect({ from: a.node.id, to: node.id, partitioning: 'rebalance', input: 0 });
  env.graph.connect({ from: b.node.id, to: node.id, partitioning: 'rebalance', input: 0 });
  return new DataStream(env, node);
}
