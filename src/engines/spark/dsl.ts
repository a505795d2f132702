/**
 * A small DataFrame-like builder for Spark Structured Streaming queries over
 * weir's log, and the plan it produces:
 *
 *   spark.readStream(topic)
 *     .withWatermark('ts', delayMs)
 *     .where(row => …).withColumn('x', row => …)
 *     .groupBy(window('ts', sizeMs[, slideMs]), 'key').agg(count() | sum('value') | avg('value'))
 *     .writeStream(topic).outputMode('append' | 'update' | 'complete').trigger({ processingTimeMs })
 *
 * Rows are plain objects; a row read from the log is weir's input record
 * (`id`, `ts`, `key`, `value`), and its `id` is its lineage. Window
 * arithmetic is Spark's (part S6): `lastStart = ts − ((ts − startTime) mod
 * slide)`, candidates every slide back while `start ≤ ts < end`, negative
 * starts allowed.
 */

export type Row = Record<string, unknown>;

export type OutputMode = 'append' | 'update' | 'complete';

export type Trigger = { processingTimeMs: number } | 'availableNow' | 'once';

export interface WindowSpec {
  column: string;
  sizeMs: number;
  slideMs: number;
}

export type AggFn = { fn: 'count' } | { fn: 'sum'; column: string } | { fn: 'avg'; column: string };

export type StatelessOp = { op: 'where'; pred: (row: Row) => boolean } | { op: 'withColumn'; name: string; fn: (row: Row) => unknown };

export interface QueryPlan {
  source: { topic: string; isolation: 'read_committed' | 'read_uncommitted' };
  watermark?: { column: string; delayMs: number };
  ops: StatelessOp[];
  aggregation?: { window: WindowSpec; keyColumn: string; agg: AggFn };
  sink: { topic: string; mode: OutputMode; trigger: Trigger };
}

export function window(column: string, sizeMs: number, slideMs = sizeMs): WindowSpec {
  if (!Number.isSafeInteger(sizeMs) || sizeMs < 1) throw new RangeError(`window size must be ≥ 1 ms, got ${sizeMs}`);
  if (!Number.isSafeInteger(slideMs) || slideMs < 1 || slideMs > sizeMs) throw new RangeError(`window slide must be from 1 ms to the size, got ${slideMs}`);
  return { column, sizeMs, slideMs };
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

/** What the query builder collects; `SparkSession.readStream` starts one. */
export class StreamingDataFrame {
  constructor(private readonly plan: Omit<QueryPlan, 'sink'>) {}

  withWatermark(column: string, delayMs: number): StreamingDataFrame {
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) throw new RangeError(`watermark delay must be ≥ 0 ms, got ${delayMs}`);
    return new StreamingDataFrame({ ...this.plan, watermark: { column, delayMs } });
  }

  where(pred: (row: Row) => boolean): StreamingDataFrame {
    return new StreamingDataFrame({ ...this.plan, ops: [...this.plan.ops, { op: 'where', pred }] });
  }

  withColumn(name: string, fn: (row: Row) => unknown): StreamingDataFrame {
    return new StreamingDataFrame({ ...this.plan, ops: [...this.plan.ops, { op: 'withColumn', name, fn }] });
  }

  groupBy(w: WindowSpec, keyColumn: string): { agg(agg: AggFn): StreamingDataFrame } {
    return { agg: (agg) => new StreamingDataFrame({ ...this.plan, aggregation: { window: w, keyColumn, agg } }) };
  }

  writeStream(topic: string): DataStreamWriter {
    return new DataStreamWriter({ ...this.plan, sink: { topic, mode: 'append', trigger: { processingTimeMs: 0 } } });
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
}

export const spark = {
  readStream(topic: string, opts: { isolation?: 'read_committed' | 'read_uncommitted' } = {}): StreamingDataFrame {
    // The Kafka source reads read_uncommitted unless kafka.isolation.level says otherwise.
    return new StreamingDataFrame({ source: { topic, isolation: opts.isolation ?? 'read_uncommitted' }, ops: [] });
  },
};

/** Checks what Spark's analyzer would refuse (part S7). */
export function planProblem(plan: QueryPlan): string | undefined {
  if (plan.aggregation && plan.sink.mode === 'append' && !plan.watermark) return 'append output mode with a streaming aggregation needs a watermark (withWatermark)';
  if (!plan.aggregation && plan.sink.mode !== 'append') return `${plan.sink.mode} output mode needs a streaming aggregation`;
  return undefined;
}
