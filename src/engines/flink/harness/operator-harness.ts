/**
 * A test harness for one operator, or a short chain of them, fed by one
 * input — Flink's KeyedOneInputStreamOperatorTestHarness. The operator is
 * declared with the DataStream API on the harness's input
 * (`OperatorTestHarness.of((input) => input.keyBy(…).window(…).aggregate(…))`),
 * so a test exercises exactly what a job would run; the test then feeds
 * elements and watermarks, sets the processing time, takes snapshots and
 * restores them, and reads the output (records and watermarks in order),
 * side outputs, pending timers and keyed state.
 *
 * It is a `PipelineTestHarness` with one driven input (one subtask), one
 * sink on the returned stream and parallelism 1; every call runs the job
 * until nothing more is due, so its effects are visible as soon as it
 * returns.
 */
import type { TraceEvent } from '../../../runtime/trace-event.ts';
import type { DataStream } from '../api/environment.ts';
import type { CollectedRecord, SinkEvent } from './operators.ts';
import { PaneAssert, type PanedResult } from './panes.ts';
import { PipelineTestHarness, type HarnessInput, type HarnessSnapshot, type HarnessStateEntry, type HarnessTimer, type SideRecord } from './pipeline-harness.ts';

export interface OperatorHarnessOptions {
  /** `exactly-once` (the default) aligns checkpoint barriers; `at-least-once` does not. */
  guarantee?: 'exactly-once' | 'at-least-once';
  /** Planted bugs of the Flink engine to switch on, by name. */
  bugs?: readonly string[];
  /** Receives every trace event of the job (`t` is the processing time). */
  trace?: (e: TraceEvent) => void;
  /** Starts from this snapshot (one taken from a harness built the same way). */
  restoreFrom?: HarnessSnapshot;
}

const INPUT = 'input';
const OUTPUT = 'output';

export class OperatorTestHarness<IN = any, OUT = any> {
  private readonly h: PipelineTestHarness;
  private readonly in: HarnessInput<IN>;

  private constructor(build: (input: DataStream<IN>) => DataStream<OUT>, opts: OperatorHarnessOptions) {
    this.h = PipelineTestHarness.of((_env, io) => io.sink(OUTPUT, build(io.input<IN>(INPUT))), { ...opts, parallelism: 1 });
    this.in = this.h.input<IN>(INPUT);
  }

  /** The operator(s) `build` puts after the input, opened at processing time 0. */
  static of<IN = any, OUT = any>(build: (input: DataStream<IN>) => DataStream<OUT>, opts: OperatorHarnessOptions = {}): OperatorTestHarness<IN, OUT> {
    return new OperatorTestHarness<IN, OUT>(build, opts);
  }

  // ---- input ------------------------------------------------------------------------------

  /** Feeds one element with timestamp `ts` (default: the element's own numeric `ts`). */
  processElement(value: IN, ts?: number): this {
    this.in.add(value, ts);
    return this;
  }

  /** Feeds a watermark (W: no more elements at or before W; it must not go back, the same one again does nothing). */
  processWatermark(wm: number): this {
    this.in.watermark(wm);
    return this;
  }

  /** Marks the input idle (Flink's WatermarkStatus.IDLE) or active again. */
  processWatermarkStatus(status: 'idle' | 'active'): this {
    if (status === 'idle') this.in.idle();
    else this.in.active();
    return this;
  }

  /** Sets the processing time (not backwards): due processing-time timers fire, in time order. */
  setProcessingTime(t: number): this {
    this.h.setProcessingTime(t);
    return this;
  }

  getProcessingTime(): number {
    return this.h.processingTime();
  }

  /** Ends the input: the final watermark (every event-time window fires), then end of input. */
  endInput(): this {
    this.in.end();
    return this;
  }

  // ---- output -----------------------------------------------------------------------------

  /** Records and watermarks the operator emitted, in order (Flink's getOutput()). */
  events(): SinkEvent<OUT>[] {
    return this.h.events<OUT>(OUTPUT);
  }

  /** The records emitted, with timestamp, processing time and the watermark emitted before each. */
  output(): CollectedRecord<OUT>[] {
    return this.h.results<OUT>(OUTPUT);
  }

  /** The values emitted, in order (Flink's extractOutputValues()). */
  values(): OUT[] {
    return this.h.values<OUT>(OUTPUT);
  }

  /** Beam's PAssert on the window results emitted: `panes().inFinalPane(window).containsInAnyOrder(…)` (see `PaneAssert`). */
  panes<V = any>(): PaneAssert<V, V> {
    return PaneAssert.that(this.values() as PanedResult<V>[]);
  }

  /** The watermarks emitted, in order. */
  watermarks(): number[] {
    return this.h.watermarks(OUTPUT);
  }

  /** Records sent to side output `tag` (Flink's getSideOutput(tag)), e.g. `late` from `sideOutputLateData('late')`. */
  sideOutput<T = any>(tag: string): SideRecord<T>[] {
    return this.h.sideOutput<T>(tag);
  }

  /** Forgets the output and side outputs so far. */
  clearOutput(): this {
    this.h.clear();
    return this;
  }

  // ---- timers and state -------------------------------------------------------------------

  /** Pending timers, in firing order. */
  timers(): { eventTime: HarnessTimer[]; processingTime: HarnessTimer[] } {
    return this.h.timers();
  }

  numEventTimeTimers(): number {
    return this.timers().eventTime.length;
  }

  numProcessingTimeTimers(): number {
    return this.timers().processingTime.length;
  }

  /** Keyed state entries, as their users see them. */
  state(): HarnessStateEntry[] {
    return this.h.state();
  }

  numKeyedStateEntries(): number {
    return this.state().length;
  }

  /** Elements dropped as late because no late side output was set (Flink's numLateRecordsDropped). */
  lateRecordsDropped(): number {
    return this.h.lateRecordsDropped();
  }

  // ---- snapshots --------------------------------------------------------------------------

  /** A checkpoint of the operator(s) now: plain JSON-able data. */
  snapshot(): HarnessSnapshot {
    return this.h.snapshot();
  }

  /** Replaces the operator(s) by fresh ones restored from `snapshot`; the output so far is kept. */
  restore(snapshot: HarnessSnapshot): this {
    this.h.restore(snapshot);
    return this;
  }
}
