/**
 * Flink's `DataStream.assignTimestampsAndWatermarks(WatermarkStrategy)`
 * (its TimestampsAndWatermarksOperator): gives every record an event
 * timestamp and generates the stream's watermarks from them, replacing
 * whatever timestamps and watermarks came from upstream.
 *
 * - Each record is re-stamped `timestamp(value, previousTs)` (the
 *   previous one is NO_TIMESTAMP for a record that had none); without a
 *   function the record keeps its timestamp.
 * - Watermarks: bounded out-of-orderness with bound `boundMs` (0 is
 *   Flink's forMonotonousTimestamps), emitted every
 *   `autoWatermarkIntervalMs` of processing time (Flink's
 *   `pipeline.auto-watermark-interval`, 200 ms by default) when they
 *   advance: `maxTs - boundMs - 1`.
 * - Upstream watermarks are dropped, except the final one (end of input),
 *   which is passed on, as Flink does; so is upstream idleness (Flink's
 *   operator ignores every watermark status from upstream): the output stays
 *   active, and its watermark where its own records put it, when the input
 *   goes idle.
 * Nothing is checkpointed: after a restore the generator starts again from
 * the records that follow, as Flink's does.
 */
import type { Output, OperatorContext, StreamOperator } from './operator.ts';
import { BoundedOutOfOrdernessWatermarks } from '../time/watermark-generator.ts';
import { MAX_WATERMARK, MIN_WATERMARK, NO_TIMESTAMP } from '../../../stream/watermark.ts';

export interface TimestampsAndWatermarks<T = any> {
  /** The record's event timestamp; `previous` is the timestamp it came with (NO_TIMESTAMP if none). */
  timestamp?: (value: T, previous: number) => number;
  /** Out-of-orderness bound (ms, default 0: monotonous timestamps). */
  boundMs?: number;
  /** Processing time between watermark emissions (ms, default 200). */
  autoWatermarkIntervalMs?: number;
}

export class TimestampsAndWatermarksOperator implements StreamOperator {
  readonly ignoresInputIdleness = true;
  private ctx!: OperatorContext;
  private out!: Output;
  private gen: BoundedOutOfOrdernessWatermarks;
  private emitted = MIN_WATERMARK;
  private ended = false;
  private readonly interval: number;

  constructor(private readonly opts: TimestampsAndWatermarks) {
    this.gen = new BoundedOutOfOrdernessWatermarks(opts.boundMs ?? 0);
    this.interval = opts.autoWatermarkIntervalMs ?? 200;
    if (!Number.isSafeInteger(this.interval) || this.interval <= 0) throw new Error(`the watermark interval must be a positive integer, got ${this.interval}`);
  }

  open(ctx: OperatorContext, out: Output): void {
    this.ctx = ctx;
    this.out = out;
    this.schedule();
  }

  private schedule(): void {
    this.ctx.after(this.interval, () => {
      if (this.ended) return;
      this.emitPeriodic();
      this.schedule();
    });
  }

  private emitPeriodic(): void {
    const wm = this.gen.currentWatermark();
    if (wm > this.emitted) {
      this.emitted = wm;
      this.out.emitWatermark(wm);
    }
  }

  processElement(value: unknown, ts: number): void {
    const t = this.opts.timestamp ? this.opts.timestamp(value, ts) : ts;
    if (!Number.isSafeInteger(t) || t <= NO_TIMESTAMP || t >= MAX_WATERMARK) {
      throw new Error(`assignTimestampsAndWatermarks: a timestamp must be a safe integer strictly between the watermark bounds, got ${t}`);
    }
    this.gen.onEvent(t);
    this.out.collect(value, t);
  }

  processWatermark(wm: number): void {
    if (wm < MAX_WATERMARK || this.emitted >= MAX_WATERMARK) return;
    this.emitted = MAX_WATERMARK;
    this.out.emitWatermark(MAX_WATERMARK);
  }

  endInput(): void {
    this.ended = true;
  }

  close(): void {
    this.ended = true;
  }
}
