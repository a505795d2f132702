/**
 * The window tests' operator harness: a thin layer over the public
 * `OperatorTestHarness` (Flink's KeyedOneInputStreamOperatorTestHarness)
 * that feeds `{ id, key, value, ts }` records by key, value and timestamp,
 * keeps the trace, and sorts window results as Flink's WindowOperatorTest
 * comparator does. The operator under test is declared with the DataStream
 * API on the harness's input, exactly as a job declares it.
 */
import { OperatorTestHarness, type DataStream, type TraceEvent } from 'weir';

export interface Rec {
  id: number;
  key: string;
  value: number;
  ts: number;
}

export interface Emitted {
  value: any;
  ts: number;
}

export class OperatorHarness {
  readonly trace: { kind: string; fields: Record<string, unknown> }[] = [];
  private readonly h: OperatorTestHarness<Rec>;
  private nextId = 0;

  constructor(build: (input: DataStream<Rec>) => DataStream) {
    const trace = this.trace;
    this.h = OperatorTestHarness.of<Rec>(build, {
      trace: ({ seq: _seq, t: _t, p: _p, kind, ...fields }: TraceEvent) => void trace.push({ kind, fields }),
    });
  }

  /** What the operator emitted, `{ value, ts }` in order. */
  get output(): Emitted[] {
    return this.h.output().map(({ value, ts }) => ({ value, ts }));
  }

  /** The late side output (tag `late`), `{ tag, value, ts }` in order. */
  get side(): (Emitted & { tag: string })[] {
    return this.h.sideOutput('late').map(({ value, ts }) => ({ tag: 'late', value, ts }));
  }

  get watermarks(): number[] {
    return this.h.watermarks();
  }

  /** Feeds `{ id, key, value, ts }` (ids counted from 0 in feeding order). */
  element(key: string, value: number, ts: number): this {
    this.h.processElement({ id: this.nextId++, key, value, ts }, ts);
    return this;
  }

  watermark(wm: number): this {
    this.h.processWatermark(wm);
    return this;
  }

  /** Moves processing time to `t` and runs every callback due by then, in time order. */
  setProcessingTime(t: number): this {
    this.h.setProcessingTime(t);
    return this;
  }

  /** The final watermark, then end of input. */
  endInput(): this {
    this.h.endInput();
    return this;
  }

  /** Snapshots, then carries on with fresh operators restored from it. */
  snapshotAndRestore(): this {
    this.h.restore(this.h.snapshot());
    return this;
  }

  /** `[key, value, ts]` of the window results so far (the WindowResult shape), sorted as Flink's comparator does. */
  results(): [string, unknown, number][] {
    return this.output
      .map((o) => {
        const v = o.value.value;
        return [o.value.key, typeof v === 'object' && v !== null ? v.value : v, o.ts] as [string, unknown, number];
      })
      .sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) || Number(a[1]) - Number(b[1]));
  }
}

/** A sum over `{ value }` records as a reduce function (Flink's SumReducer over Tuple2<String, Integer>). */
export const sumReducer = <T extends { value: number }>(a: T, b: T): T => ({ ...a, value: a.value + b.value });
