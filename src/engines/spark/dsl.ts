/**
 * A small DataFrame-like builder for Spark Structured Streaming queries over
 * weir's log, and the plan it produces:
 *
 *   spark.readStream(topic)
 *     .withWatermark('ts', delayMs)
 *     .where(row => …).withColumn('x', row => …).flatMap(row => [...])
 *     then at most one stateful operator:
 *     .groupBy(window('ts', sizeMs[, slideMs]) | session_window('ts', gapMs), 'key').agg(count() | sum('value') | avg('value'))
 *     .dropDuplicates(['id', 'ts']) | .dropDuplicatesWithinWatermark(['id'])
 *     .groupByKey(row => key).flatMapGroupsWithState(mode, [timeout,] fn) | .mapGroupsWithState([timeout,] fn)
 *     .join(other, { key, time, lowerMs, upperMs }, select[, joinType])   (stream-stream join: inner, outer, left semi)
 *     .writeStream(topic) | .writeStream().format('json').option('path', dir) | .writeStream().foreachBatch((df, batchId) => …)
 *       | .writeStream().format('memory').queryName(name)
 *       .outputMode('append' | 'update' | 'complete')
 *       .trigger({ processingTimeMs } | 'once' | 'availableNow' | { continuousMs })
 *
 * Rows are plain objects; a row read from the log is weir's input record
 * (`id`, `ts`, `key`, `value`), and its `id` is its lineage. Window
 * arithmetic is Spark's (part S6): `lastStart = ts − ((ts − startTime) mod
 * slide)`, candidates every slide back while `start ≤ ts < end`, negative
 * starts allowed; a session window is `[ts, ts + gap)` per row, merged with
 * every session of its key it overlaps or touches.
 *
 * `withWatermark` places an EventTimeWatermark operator where it is called:
 * its event-time statistics are taken over the rows that reach it (in a
 * join, each side's own). With several of them the global watermark is the
 * minimum of theirs (`spark.sql.streaming.multipleWatermarkPolicy` min, the
 * default) or the maximum (`.option('multipleWatermarkPolicy', 'max')`).
 */
export type Row = Record<string, unknown>;

export type OutputMode = 'append' | 'update' | 'complete';

/**
 * `Trigger.ProcessingTime(ms)`, `AvailableNow`, `Once`, or `Trigger.Continuous(ms)`: continuous
 * processing (part S11), long-running tasks with an epoch every `continuousMs`, map-like queries
 * only, at-least-once.
 */
export type Trigger = { processingTimeMs: number } | 'availableNow' | 'once' | { continuousMs: number };

/** The continuous trigger's checkpoint interval, or undefined for a micro-batch trigger. */
export function continuousInterval(t: Trigger): number | undefined {
  return typeof t === 'object' && 'continuousMs' in t ? t.continuousMs : undefined;
}

/** The processing-time trigger's interval (0 for the other micro-batch triggers). */
export function processingInterval(t: Trigger): number {
  return typeof t === 'object' && 'processingTimeMs' in t ? t.processingTimeMs : 0;
}

export interface WindowSpec {
  kind?: 'window';
  column: string;
  sizeMs: number;
  slideMs: number;
}

/** `session_window(column, gap)`: per row `[ts, ts + gap)`, merged per key with every session it overlaps or touches. */
export interface SessionSpec {
  kind: 'session';
  column: string;
  gapMs: number;
}

export type AggFn = { fn: 'count' } | { fn: 'sum'; column: string } | { fn: 'avg'; column: string };

export interface WatermarkSpec {
  column: string;
  delayMs: number;
}

export type StatelessOp =
  | { op: 'where'; pred: (row: Row) => boolean }
  | { op: 'withColumn'; name: string; fn: (row: Row) => unknown }
  | { op: 'flatMap'; fn: (row: Row) => Row[] }
  | ({ op: 'watermark' } & WatermarkSpec);

/**
 * `GroupStateTimeout` of (flat)MapGroupsWithState: none, processing time (a
 * duration after the batch timestamp, `setTimeoutDuration`) or event time (a
 * timestamp the eviction watermark must pass, `setTimeoutTimestamp`).
 */
export type GroupStateTimeout = 'NoTimeout' | 'ProcessingTimeTimeout' | 'EventTimeTimeout';

/**
 * `GroupState` of (flat)MapGroupsWithState: the key's state between batches.
 * `remove()` drops it. A timeout is cleared at every call of the function and
 * holds only if the call sets it again; a key whose timeout expired is called
 * with no rows and `hasTimedOut` true.
 */
export interface GroupState<S> {
  exists(): boolean;
  get(): S;
  getOption(): S | undefined;
  update(s: S): void;
  remove(): void;
  /** True when the function is called because the key's timeout expired (then with no rows). */
  readonly hasTimedOut: boolean;
  /** ProcessingTimeTimeout: time out once a batch starts more than `ms` after this batch's timestamp. */
  setTimeoutDuration(ms: number): void;
  /** EventTimeTimeout: time out once the watermark passes `timestampMs` (+ `additionalMs`); never below the current watermark. */
  setTimeoutTimestamp(timestampMs: number, additionalMs?: number): void;
  /** The batch's eviction watermark (the query must have a watermark). */
  getCurrentWatermarkMs(): number;
  /** The batch timestamp (batchTimestampMs, the same on every run of the batch). */
  getCurrentProcessingTimeMs(): number;
}

export type GroupsFn = (key: string, rows: Row[], state: GroupState<unknown>) => Row[];

/** The stream-stream join types Spark supports (`df.join(other, cond, joinType)`). */
export type JoinType = 'inner' | 'left_outer' | 'right_outer' | 'full_outer' | 'left_semi';

/**
 * A stream-stream join: `left.key = right.key AND right.time BETWEEN left.time + lowerMs AND left.time + upperMs`.
 * An outer join's row without a partner is `select(row, null)` (left) or `select(null, row)` (right);
 * a left semi join emits the left row itself, once, at its first match.
 */
export interface JoinSpec {
  /** The right side: its own stateless operators (and watermark) over the same source. */
  right: StatelessOp[];
  keyColumn: string;
  timeColumn: string;
  lowerMs: number;
  upperMs: number;
  joinType: JoinType;
  select: (left: Row | null, right: Row | null) => Row;
}

export type StatefulOp =
  | { kind: 'aggregate'; window: WindowSpec | SessionSpec; keyColumn: string; agg: AggFn }
  | { kind: 'dedup'; columns: string[]; withinWatermark: boolean }
  | { kind: 'groups'; key: (row: Row) => string; fn: GroupsFn; mode: 'append' | 'update'; timeout: GroupStateTimeout }
  | ({ kind: 'join' } & JoinSpec);

/**
 * Where a query's result goes: a log topic (`kafka`: the engine's transactional sink under
 * exactly-once, the plain Kafka sink under at-least-once), files (`json`: FileStreamSink with its
 * `_spark_metadata` log under `path`), a function called once per batch (`foreachBatch`), or a
 * table in the driver's memory named by `queryName` (`memory`: MemorySink, memory-sink.ts).
 */
export interface SinkSpec {
  format: 'kafka' | 'json' | 'foreachBatch' | 'memory';
  /** The output topic (kafka). */
  topic: string;
  /** The output directory (json), on the checkpoint store's file system. */
  path?: string;
  /** The query's name (`queryName`): the memory sink's table is called by it. */
  queryName?: string;
  fn?: ForeachBatchFn;
  mode: OutputMode;
  trigger: Trigger;
}

/**
 * A memory sink in append or update mode: its table lives only in the driver and goes with it, so
 * Spark will not recover the query from its checkpoint (`StreamingQueryManager.createQuery`); in
 * complete mode the next batch recreates the table.
 */
export function sinkCannotRecover(sink: SinkSpec): boolean {
  return sink.format === 'memory' && sink.mode !== 'complete';
}

/**
 * `foreachBatch`'s view of a batch's result: its rows, and writers to the log. A write is done after
 * the function returns, in the order asked, before the batch commits.
 */
export interface BatchDataFrame {
  collect(): Row[];
  count(): number;
  /** The rows with a column added (`df.withColumn(name, lit(batchId))`, say). */
  withColumn(name: string, fn: (row: Row) => unknown): BatchDataFrame;
  /** A new writer (DataFrameWriter) for these rows. */
  readonly write: BatchWriter;
}

/**
 * Writes the batch's rows to a log topic. Plainly, or — with `txnAppId` and `txnVersion` (Delta
 * Lake's idempotent-write options, which Spark's guide leaves to the sink: it only says to
 * deduplicate by the batch id) — in one transaction that also records `txnVersion` for
 * `txnAppId`, skipped when a version at least as high is recorded.
 */
export interface BatchWriter {
  option(name: 'txnAppId', value: string): BatchWriter;
  option(name: 'txnVersion', value: number): BatchWriter;
  saveToTopic(topic: string): void;
}

export type ForeachBatchFn = (df: BatchDataFrame, batchId: number) => void;

/** A write `foreachBatch` asked for. */
export interface BatchWrite {
  topic: string;
  rows: Row[];
  txn?: { appId: string; version: number };
}

/** A write as known before the rows are: where it goes and its txnAppId/txnVersion. */
export type BatchWriteTarget = Omit<BatchWrite, 'rows'>;

/** Runs `fn` on a batch's rows and returns the writes it asked for, in order. */
export function callForeachBatch(fn: ForeachBatchFn, rows: readonly Row[], batchId: number): BatchWrite[] {
  const writes: BatchWrite[] = [];
  fn(batchFrame(rows, writes), batchId);
  return writes;
}

/**
 * The writes `fn` asks for, known without the batch's rows (its DataFrame is lazy): each write's
 * topic and txnAppId/txnVersion; undefined when the function reads the rows (`collect`, `count`),
 * which would run the plan.
 */
export function foreachBatchWrites(fn: ForeachBatchFn, batchId: number): BatchWriteTarget[] | undefined {
  const writes: BatchWrite[] = [];
  let read = false;
  try {
    fn(batchFrame([], writes, () => (read = true)), batchId);
  } catch {
    // A function that fails on a frame without rows needs them: the plan runs, and the function with it.
    return undefined;
  }
  return read ? undefined : writes.map((w) => ({ topic: w.topic, ...(w.txn ? { txn: w.txn } : {}) }));
}

/** `onRead`: told when the function reads the rows (an action, which would run the plan). */
function batchFrame(rows: readonly Row[], writes: BatchWrite[], onRead?: () => void): BatchDataFrame {
  const writer = (opts: { appId?: string; version?: number }): BatchWriter => ({
    option: (name: 'txnAppId' | 'txnVersion', value: string | number) => writer(name === 'txnAppId' ? { ...opts, appId: String(value) } : { ...opts, version: Number(value) }),
    saveToTopic: (topic: string) => {
      if ((opts.appId === undefined) !== (opts.version === undefined)) throw new Error('txnAppId and txnVersion must be given together');
      writes.push({ topic, rows: rows.map((r) => ({ ...r })), ...(opts.appId !== undefined ? { txn: { appId: opts.appId, version: opts.version! } } : {}) });
    },
  }) as BatchWriter;
  return {
    collect: () => {
      onRead?.();
      return rows.map((r) => ({ ...r }));
    },
    count: () => {
      onRead?.();
      return rows.length;
    },
    withColumn: (name, f) => batchFrame(rows.map((r) => ({ ...r, [name]: f(r) })), writes, onRead),
    get write() {
      return writer({});
    },
  };
}

export interface QueryPlan {
  source: {
    topic: string;
    isolation: 'read_committed' | 'read_uncommitted';
    /** The Kafka source's `maxOffsetsPerTrigger`: at most this many offsets a micro-batch, shared out by partition lag. */
    maxOffsetsPerTrigger?: number;
    /**
     * The Kafka source's `minOffsetsPerTrigger`: a trigger with fewer new offsets than this (over all
     * partitions) reads nothing, unless `maxTriggerDelayMs` has passed since the last trigger that read.
     */
    minOffsetsPerTrigger?: number;
    /** The Kafka source's `maxTriggerDelay`, in ms (Spark's default: 15 minutes); only with `minOffsetsPerTrigger`. */
    maxTriggerDelayMs?: number;
  };
  /** The first watermark of the query (its delay is what eviction and the judge use). */
  watermark?: WatermarkSpec;
  ops: StatelessOp[];
  stateful?: StatefulOp;
  multipleWatermarkPolicy: 'min' | 'max';
  sink: SinkSpec;
  /** Why the builder could not build this (the analyzer reports it). */
  problem?: string;
}

export function window(column: string, sizeMs: number, slideMs = sizeMs): WindowSpec {
  if (!Number.isSafeInteger(sizeMs) || sizeMs < 1) throw new RangeError(`window size must be ≥ 1 ms, got ${sizeMs}`);
  if (!Number.isSafeInteger(slideMs) || slideMs < 1 || slideMs > sizeMs) throw new RangeError(`window slide must be from 1 ms to the size, got ${slideMs}`);
  return { kind: 'window', column, sizeMs, slideMs };
}

export function session_window(column: string, gapMs: number): SessionSpec {
  if (!Number.isSafeInteger(gapMs) || gapMs < 1) throw new RangeError(`session gap must be ≥ 1 ms, got ${gapMs}`);
  return { kind: 'session', column, gapMs };
}

export const count = (): AggFn => ({ fn: 'count' });
export const sum = (column: string): AggFn => ({ fn: 'sum', column });
export const avg = (column: string): AggFn => ({ fn: 'avg', column });

/** Spark's window expansion (`TimeWindowing`): the windows `[start, end)` that hold `ts`, oldest first. */
export function sparkWindows(w: WindowSpec, ts: number): { start: number; end: number }[] {
  const rem = ts % w.slideMs;
  const lastStart = ts - (rem < 0 ? rem + w.slideMs : rem);
  const out: { start: number; end: number }[] = [];
  for (let i = Math.ceil(w.sizeMs / w.slideMs) - 1; i >= 0; i--) {
    const start = lastStart - i * w.slideMs;
    if (start <= ts && ts < start + w.sizeMs) out.push({ start, end: start + w.sizeMs });
  }
  return out;
}

type Body = Omit<QueryPlan, 'sink'>;

/** What the query builder collects; `SparkSession.readStream` starts one. */
export class StreamingDataFrame {
  constructor(readonly plan: Body) {}

  private with(more: Partial<Body>): StreamingDataFrame {
    return new StreamingDataFrame({ ...this.plan, ...more });
  }

  private op(o: StatelessOp): StreamingDataFrame {
    if (this.plan.stateful) return this.with({ problem: this.plan.problem ?? 'weir runs one stateful operator, the last before the sink: no operator after it' });
    return this.with({ ops: [...this.plan.ops, o] });
  }

  private stateful(s: StatefulOp): StreamingDataFrame {
    if (this.plan.stateful) return this.with({ problem: this.plan.problem ?? 'weir runs one stateful operator per query' });
    return this.with({ stateful: s });
  }

  withWatermark(column: string, delayMs: number): StreamingDataFrame {
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) throw new RangeError(`watermark delay must be ≥ 0 ms, got ${delayMs}`);
    // Spark (3.5 on, spark.sql.streaming.statefulOperator.allowMultiple's default) refuses a
    // watermark on a stream that has one: PropagateWatermarkSimulator's "Redefining watermark".
    if (this.plan.ops.some((o) => o.op === 'watermark')) {
      return this.with({ problem: this.plan.problem ?? `Redefining watermark is disallowed: this stream already has withWatermark('${this.plan.watermark?.column ?? ''}', …); call withWatermark once per stream (Spark refuses a second one unless spark.sql.streaming.statefulOperator.allowMultiple is false, which weir does not offer)` });
    }
    const df = this.op({ op: 'watermark', column, delayMs });
    return df.plan.watermark ? df : df.with({ watermark: { column, delayMs } });
  }

  where(pred: (row: Row) => boolean): StreamingDataFrame {
    return this.op({ op: 'where', pred });
  }

  withColumn(name: string, fn: (row: Row) => unknown): StreamingDataFrame {
    return this.op({ op: 'withColumn', name, fn });
  }

  /** Dataset.flatMap: each row becomes zero or more rows. */
  flatMap(fn: (row: Row) => Row[]): StreamingDataFrame {
    return this.op({ op: 'flatMap', fn });
  }

  /** `spark.sql.streaming.multipleWatermarkPolicy`. */
  option(name: 'multipleWatermarkPolicy', value: 'min' | 'max'): StreamingDataFrame {
    return name === 'multipleWatermarkPolicy' ? this.with({ multipleWatermarkPolicy: value }) : this;
  }

  groupBy(w: WindowSpec | SessionSpec, keyColumn: string): { agg(agg: AggFn): StreamingDataFrame } {
    return { agg: (agg) => this.stateful({ kind: 'aggregate', window: w, keyColumn, agg }) };
  }

  /** Streaming deduplication on `columns`: with a watermark, state of rows at or behind it is dropped (put the event-time column among the columns). */
  dropDuplicates(columns: string[]): StreamingDataFrame {
    return this.stateful({ kind: 'dedup', columns, withinWatermark: false });
  }

  /** Deduplication on `columns` for as long as the watermark delay after each first row's event time (Spark 3.5). */
  dropDuplicatesWithinWatermark(columns: string[]): StreamingDataFrame {
    return this.stateful({ kind: 'dedup', columns, withinWatermark: true });
  }

  /**
   * `groupByKey(fn)` then `flatMapGroupsWithState(mode, [timeout,] fn)` or `mapGroupsWithState([timeout,] fn)`
   * (Spark's `GroupStateTimeout`, NoTimeout when left out).
   */
  groupByKey(key: (row: Row) => string): {
    flatMapGroupsWithState<S>(mode: 'append' | 'update', fn: (key: string, rows: Row[], state: GroupState<S>) => Row[]): StreamingDataFrame;
    flatMapGroupsWithState<S>(mode: 'append' | 'update', timeout: GroupStateTimeout, fn: (key: string, rows: Row[], state: GroupState<S>) => Row[]): StreamingDataFrame;
    mapGroupsWithState<S>(fn: (key: string, rows: Row[], state: GroupState<S>) => Row): StreamingDataFrame;
    mapGroupsWithState<S>(timeout: GroupStateTimeout, fn: (key: string, rows: Row[], state: GroupState<S>) => Row): StreamingDataFrame;
  } {
    type Fn<S, R> = (key: string, rows: Row[], state: GroupState<S>) => R;
    const split = <S, R>(a: GroupStateTimeout | Fn<S, R>, b?: Fn<S, R>): [GroupStateTimeout, Fn<S, R>] => (typeof a === 'function' ? ['NoTimeout', a] : [a, b!]);
    return {
      flatMapGroupsWithState: <S>(mode: 'append' | 'update', a: GroupStateTimeout | Fn<S, Row[]>, b?: Fn<S, Row[]>) => {
        const [timeout, fn] = split(a, b);
        return this.stateful({ kind: 'groups', key, fn: fn as GroupsFn, mode, timeout });
      },
      mapGroupsWithState: <S>(a: GroupStateTimeout | Fn<S, Row>, b?: Fn<S, Row>) => {
        const [timeout, fn] = split(a, b);
        return this.stateful({ kind: 'groups', key, fn: ((k, rows, st) => [fn(k, rows, st as GroupState<S>)]) as GroupsFn, mode: 'update', timeout });
      },
    };
  }

  /**
   * Stream-stream join with `other` (built from the same source): rows of equal `key` with
   * `right.time − left.time` in `[lowerMs, upperMs]`, each pair `select(left, right)`. With
   * `joinType` an outer join also emits, once the watermark has passed a row's range, each row that
   * never matched: `select(left, null)` or `select(null, right)`; a left semi join emits each left row
   * that matches, once (`select` is not called).
   */
  join(other: StreamingDataFrame, on: { key: string; time: string; lowerMs: number; upperMs: number }, select: (left: Row, right: Row) => Row): StreamingDataFrame;
  join(other: StreamingDataFrame, on: { key: string; time: string; lowerMs: number; upperMs: number }, select: (left: Row | null, right: Row | null) => Row, joinType: JoinType): StreamingDataFrame;
  join(
    other: StreamingDataFrame, on: { key: string; time: string; lowerMs: number; upperMs: number },
    select: ((left: Row, right: Row) => Row) | ((left: Row | null, right: Row | null) => Row), joinType: JoinType = 'inner',
  ): StreamingDataFrame {
    let df = this.stateful({
      kind: 'join', right: other.plan.ops, keyColumn: on.key, timeColumn: on.time, lowerMs: on.lowerMs, upperMs: on.upperMs, joinType,
      select: select as (left: Row | null, right: Row | null) => Row,
    });
    if (other.plan.source.topic !== this.plan.source.topic) df = df.with({ problem: 'weir joins two streams of one source topic only' });
    if (other.plan.stateful) df = df.with({ problem: 'a stateful operator before a stream-stream join is not supported here' });
    if (other.plan.problem !== undefined) df = df.with({ problem: df.plan.problem ?? other.plan.problem });
    if (!df.plan.watermark && other.plan.watermark) df = df.with({ watermark: other.plan.watermark });
    return df;
  }

  /** `writeStream`: to `topic` (the Kafka sink), or — with `format('json')` and a path, or `foreachBatch` — elsewhere. */
  writeStream(topic = ''): DataStreamWriter {
    return new DataStreamWriter({ ...this.plan, sink: { format: 'kafka', topic, mode: 'append', trigger: { processingTimeMs: 0 } } });
  }
}

export class DataStreamWriter {
  constructor(readonly plan: QueryPlan) {}

  outputMode(mode: OutputMode): DataStreamWriter {
    return new DataStreamWriter({ ...this.plan, sink: { ...this.plan.sink, mode } });
  }

  trigger(trigger: Trigger): DataStreamWriter {
    return new DataStreamWriter({ ...this.plan, sink: { ...this.plan.sink, trigger } });
  }

  /**
   * `kafka` (the default), `json` (files under `option('path', dir)`, listed in
   * `dir/_spark_metadata`) or `memory` (a table in the driver's memory, named by `queryName`).
   */
  format(format: 'kafka' | 'json' | 'memory'): DataStreamWriter {
    return new DataStreamWriter({ ...this.plan, sink: { ...this.plan.sink, format } });
  }

  /** `queryName`: the query's name, which the memory sink's table takes. */
  queryName(name: string): DataStreamWriter {
    return new DataStreamWriter({ ...this.plan, sink: { ...this.plan.sink, queryName: name } });
  }

  option(name: 'path' | 'topic', value: string): DataStreamWriter {
    return new DataStreamWriter({ ...this.plan, sink: { ...this.plan.sink, ...(name === 'path' ? { path: value } : { topic: value }) } });
  }

  /** Calls `fn(df, batchId)` with each batch's result, again with the same id and rows when the batch runs again. */
  foreachBatch(fn: ForeachBatchFn): DataStreamWriter {
    return new DataStreamWriter({ ...this.plan, sink: { ...this.plan.sink, format: 'foreachBatch', fn } });
  }
}

/** The Kafka source's options for `readStream` (Spark's names; the delay in ms). */
export interface ReadStreamOptions {
  isolation?: 'read_committed' | 'read_uncommitted';
  maxOffsetsPerTrigger?: number;
  minOffsetsPerTrigger?: number;
  maxTriggerDelayMs?: number;
}

/** Spark's default `maxTriggerDelay`: 15 minutes. */
export const DEFAULT_MAX_TRIGGER_DELAY_MS = 15 * 60 * 1000;

export const spark = {
  readStream(topic: string, opts: ReadStreamOptions = {}): StreamingDataFrame {
    const { maxOffsetsPerTrigger: max, minOffsetsPerTrigger: min, maxTriggerDelayMs: delay } = opts;
    for (const [name, v] of [['maxOffsetsPerTrigger', max], ['minOffsetsPerTrigger', min], ['maxTriggerDelayMs', delay]] as const) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0)) throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
    if (delay !== undefined && min === undefined) throw new RangeError('maxTriggerDelayMs applies only with minOffsetsPerTrigger');
    // The Kafka source reads read_uncommitted unless kafka.isolation.level says otherwise.
    const source = {
      topic,
      isolation: opts.isolation ?? 'read_uncommitted',
      ...(max !== undefined ? { maxOffsetsPerTrigger: max } : {}),
      ...(min !== undefined ? { minOffsetsPerTrigger: min, maxTriggerDelayMs: delay ?? DEFAULT_MAX_TRIGGER_DELAY_MS } : {}),
    } as const;
    return new StreamingDataFrame({ source, ops: [], multipleWatermarkPolicy: 'min' });
  },
};

/**
 * The watermark a windowed aggregation filters late rows and evicts with: the query's, when it is
 * on the window's (or session window's) own column. Spark marks the window column as event time
 * only when its time column carries the watermark; otherwise the aggregation has no event-time
 * column, filters nothing and keeps every window (update and complete mode).
 */
export function aggregateWatermark(plan: QueryPlan): WatermarkSpec | undefined {
  const st = plan.stateful;
  const wm = plan.watermark;
  return st?.kind === 'aggregate' && wm !== undefined && wm.column === st.window.column ? wm : undefined;
}

/** The watermark operators of a plan, in the order the tracker numbers them (left side, then right side). */
export function watermarkOps(plan: QueryPlan): WatermarkSpec[] {
  const all = [...plan.ops, ...(plan.stateful?.kind === 'join' ? plan.stateful.right : [])];
  return all.filter((o): o is { op: 'watermark' } & WatermarkSpec => o.op === 'watermark');
}

/**
 * Whether the query's watermark is taken over something else than every input row's `ts` as it
 * is read: a row-changing stage before `withWatermark` (a filter, a flatMap, a derived column), a
 * watermark on another column, or a stream-stream join with one side watermarked. (A join's two
 * sides each filtering their stream before a watermark on `ts` is the usual shape, and not this.)
 */
export function watermarkOverPart(plan: QueryPlan): boolean {
  const ops = watermarkOps(plan);
  if (ops.length === 0) return false;
  if (ops.some((o) => o.column !== 'ts')) return true;
  if (plan.stateful?.kind === 'join') return ops.length === 1;
  return plan.ops.findIndex((o) => o.op === 'watermark') > 0;
}

/** Checks what Spark's analyzer would refuse (parts S5–S7). */
export function planProblem(plan: QueryPlan): string | undefined {
  if (plan.problem) return plan.problem;
  const st = plan.stateful;
  const mode = plan.sink.mode;
  const sink = plan.sink;
  const continuous = continuousInterval(sink.trigger);
  if (continuous !== undefined) {
    // UnsupportedOperationChecker.checkForContinuous: projections, filters and maps only.
    if (!Number.isSafeInteger(continuous) || continuous < 1) return `the continuous trigger's interval must be ≥ 1 ms, got ${continuous}`;
    if (sink.format === 'json') return 'Data source json does not support continuous processing.';
    if (sink.format === 'foreachBatch') return "'foreachBatch' is not supported with continuous trigger";
    // Spark's memory sink has a continuous writer too (MemoryStreamingWrite per epoch); weir's long-running tasks write to the log only.
    if (sink.format === 'memory') return "weir's continuous processing writes to the Kafka sink only, not to the memory sink";
    if (plan.ops.some((o) => o.op === 'watermark')) return 'Continuous processing does not support EventTimeWatermark operations.';
    if (st) {
      const name = { aggregate: 'Aggregate', dedup: 'Deduplicate', groups: 'FlatMapGroupsWithState', join: 'Join' }[st.kind];
      return `Continuous processing does not support ${name} operations.`;
    }
  }
  if (sink.format === 'json') {
    if (!sink.path) return "'path' is not specified";
    // FileStreamSink supports Append only (STREAMING_OUTPUT_MODE.UNSUPPORTED_DATASOURCE).
    if (mode !== 'append') return `Data source json does not support ${mode === 'update' ? 'Update' : 'Complete'} output mode`;
  }
  if (sink.format === 'kafka' && !sink.topic) return "topic option required when no 'topic' attribute is present";
  // DataStreamWriter.start: the memory sink's table is registered under the query's name.
  if (sink.format === 'memory' && !sink.queryName) return 'queryName must be specified for memory sink';
  // UnsupportedOperationChecker: without a stateful operator only Complete is refused (Update writes as Append does).
  if (!st) return mode === 'complete' ? 'Complete output mode not supported when there are no streaming aggregations on streaming DataFrames/Datasets' : undefined;
  switch (st.kind) {
    case 'aggregate':
      if (st.window.kind === 'session' && mode === 'update') return 'Update output mode not supported for session window';
      if (mode === 'append' && !plan.watermark) return 'append output mode with a streaming aggregation needs a watermark (withWatermark)';
      // UnsupportedOperationChecker: the watermark must reach a grouping expression, i.e. the window's own column.
      if (mode === 'append' && aggregateWatermark(plan) === undefined) {
        return `append output mode with a streaming aggregation needs the watermark on its window's column '${st.window.column}', not on '${plan.watermark!.column}'`;
      }
      return undefined;
    case 'dedup':
      if (mode === 'complete') return 'Complete output mode not supported when there are no streaming aggregations on streaming DataFrames/Datasets';
      if (st.withinWatermark && !plan.watermark) return 'dropDuplicatesWithinWatermark needs a watermark (withWatermark)';
      return undefined;
    case 'groups':
      if (mode === 'complete') return 'complete output mode is not supported for (flat)MapGroupsWithState';
      if (mode !== st.mode) return `the output mode must match flatMapGroupsWithState's (${st.mode})`;
      if (st.timeout === 'EventTimeTimeout' && !plan.watermark) {
        return "Watermark must be specified in the query using '[Dataset/DataFrame].withWatermark()' for using event-time timeout in a [map|flatMap]GroupsWithState. Event-time timeout not supported without watermark.";
      }
      return undefined;
    case 'join': {
      if (mode !== 'append') return 'Join between two streaming DataFrames/Datasets is not supported in ' + (mode === 'update' ? 'Update' : 'Complete') + ' output mode, only in Append output mode';
      if (st.lowerMs > st.upperMs) return `the join's time range is empty: [${st.lowerMs}, ${st.upperMs}]`;
      // UnsupportedOperationChecker: an outer (or semi) join needs a state watermark on the side whose
      // rows wait for a partner, which the range condition derives from the other side's watermark.
      const [leftWm, rightWm] = joinWatermarkSides(plan).onTime;
      const ok = st.joinType === 'inner' || (st.joinType === 'left_outer' || st.joinType === 'left_semi' ? rightWm : st.joinType === 'right_outer' ? leftWm : leftWm || rightWm);
      if (!ok) {
        const name = { inner: 'Inner', left_outer: 'LeftOuter', right_outer: 'RightOuter', full_outer: 'FullOuter', left_semi: 'LeftSemi' }[st.joinType];
        return `Stream-stream ${name} join between two streaming DataFrame/Datasets is not supported without a watermark in the join keys, or a watermark on the nullable side and an appropriate range condition`;
      }
      return undefined;
    }
  }
}

/**
 * The column a branch's watermark is on: that of its last `withWatermark`, as in Spark, whose
 * EventTimeWatermark marks its own column and takes the mark off any column marked before.
 */
function watermarkColumn(ops: readonly StatelessOp[]): string | undefined {
  let column: string | undefined;
  for (const o of ops) if (o.op === 'watermark') column = o.column;
  return column;
}

/** A stream-stream join's watermarks, side by side (left, right). */
export interface JoinWatermarks {
  /** The column each side's watermark is on, if it has one: the late filter compares it with the late watermark. */
  column: [string | undefined, string | undefined];
  /** Whether each side's watermark is on the join's time column (what the range condition names). */
  onTime: [boolean, boolean];
  /**
   * Whether each side has a state watermark, as Spark's `getOneSideStateWatermarkPredicate` gives
   * one: the side carries a watermark (on any column) and the other side's is on the time column,
   * so `StreamingJoinHelper.getStateValueWatermark` can solve the range condition with it. The
   * bound it solves for the time column is then applied to the side's own watermark column.
   */
  evicts: [boolean, boolean];
}

export function joinWatermarkSides(plan: QueryPlan): JoinWatermarks {
  const st = plan.stateful;
  if (st?.kind !== 'join') return { column: [undefined, undefined], onTime: [false, false], evicts: [false, false] };
  const column: [string | undefined, string | undefined] = [watermarkColumn(plan.ops), watermarkColumn(st.right)];
  const onTime: [boolean, boolean] = [column[0] === st.timeColumn, column[1] === st.timeColumn];
  return { column, onTime, evicts: [column[0] !== undefined && onTime[1], column[1] !== undefined && onTime[0]] };
}
