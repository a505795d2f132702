/**
 * The DataStream API: a builder that records a job graph. Names follow
 * Flink's: `fromSource → map / filter / flatMap → keyBy → window(assigner)
 * [.allowedLateness(ms)] [.sideOutputLateData(tag)] → aggregate / reduce →
 * sinkTo`, plus `union`, `process` (a keyed process function with timers)
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
import type { WindowAssigner } from '../../../stream/assigners.ts';

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

  window(assigner: WindowAssigner): WindowedStream {
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

export class WindowedStream {
  private latenessMs = 0;
  private lateTag: string | undefined;
  constructor(
    readonly keyed: KeyedStream,
    readonly assigner: WindowAssigner,
  ) {}

  allowedLateness(ms: number): this {
    this.latenessMs = ms;
    return this;
  }

  sideOutputLateData(tag: string): this {
    this.lateTag = tag;
    return this;
  }

  aggregate(fn: AggregateFunction, name = 'window', parallelism?: number): WindowedResultStream {
    const assigner = this.assigner;
    const latenessMs = this.latenessMs;
    const lateTag = this.lateTag;
    const node = this.keyed.stream.transform(name, () => new WindowOperator({ assigner, allowedLatenessMs: latenessMs, lateTag, aggregate: fn }), {
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
