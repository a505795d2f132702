/**
 * A one-input operator test harness, as Flink's
 * KeyedOneInputStreamOperatorTestHarness: the test sets the key, feeds
 * elements and watermarks, sets the processing time (due processing-time
 * callbacks run, in time order), snapshots and restores into a fresh
 * operator, and reads what the operator emitted. No world, no network: the
 * test owns both clocks, so a Flink WindowOperatorTest can be replayed
 * step by step with its exact expected output.
 */
import type { Output, OperatorContext, StreamOperator } from '../../../../src/engines/flink/operators/operator.ts';
import { MIN_WATERMARK } from '../../../../src/stream/watermark.ts';
import type { TraceFields } from '../../../../src/runtime/types.ts';

export interface Emitted {
  value: any;
  ts: number;
}

export class OperatorHarness {
  readonly output: Emitted[] = [];
  readonly side: (Emitted & { tag: string })[] = [];
  readonly watermarks: number[] = [];
  readonly trace: { kind: string; fields: TraceFields | undefined }[] = [];
  private now = 0;
  private wm = MIN_WATERMARK;
  private seq = 0;
  private pending: { at: number; seq: number; fn: () => void }[] = [];
  private nextId = 0;
  private op: StreamOperator;

  constructor(private readonly create: () => StreamOperator) {
    this.op = create();
    this.open();
  }

  private open(): void {
    const h = this;
    const ctx = {
      taskName: 'window[0]',
      operatorName: 'window',
      subtask: 0,
      parallelism: 1,
      attempt: 0,
      state: undefined,
      now: () => h.now,
      trace: { detailed: true, emit: (kind: string, fields?: TraceFields) => void h.trace.push({ kind, fields }) },
      bugs: { has: () => false },
      log: undefined,
      after: (ms: number, fn: () => void) => void h.pending.push({ at: h.now + ms, seq: h.seq++, fn }),
      currentWatermark: () => h.wm,
      checkpointGuarantee: 'exactly-once',
      buggify: () => false,
      finishSource: () => {},
      fail: (reason: string) => {
        throw new Error(reason);
      },
    } as unknown as OperatorContext;
    const out: Output = {
      collect: (value, ts) => void h.output.push({ value, ts }),
      side: (tag, value, ts) => void h.side.push({ tag, value, ts }),
      emitWatermark: (wm) => void h.watermarks.push(wm),
      emitIdle: () => {},
    };
    this.op.open(ctx, out);
  }

  /** Feeds `{ id, key, value, ts }` (ids counted from 0 in feeding order). */
  element(key: string, value: number, ts: number): this {
    this.op.setCurrentKey?.(key);
    this.op.processElement({ id: this.nextId++, key, value, ts }, ts, 0);
    return this;
  }

  watermark(wm: number): this {
    this.wm = wm;
    this.op.processWatermark?.(wm);
    return this;
  }

  /** Moves processing time to `t` and runs every callback due by then, in time order. */
  setProcessingTime(t: number): this {
    this.now = t;
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.pending[0];
      if (!next || next.at > t) break;
      this.pending.shift();
      next.fn();
    }
    return this;
  }

  endInput(): this {
    this.op.endInput?.();
    return this;
  }

  /** Snapshots (through JSON, as a checkpoint would), then carries on with a fresh operator restored from it. */
  snapshotAndRestore(): this {
    const snap = JSON.parse(JSON.stringify(this.op.snapshotState?.(1, () => {})));
    this.pending = [];
    this.op = this.create();
    this.open();
    this.op.restoreState?.(snap);
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
export const sumReducer = (a: { value: number }, b: { value: number }): { value: number } & Record<string, unknown> => ({ ...a, value: a.value + b.value });
