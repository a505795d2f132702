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
 *
 * As subtask i of p (`{ parallelism: p, subtaskIndex: i, maxParallelism }`,
 * Flink's `KeyedOneInputStreamOperatorTestHarness(operator, keySelector,
 * type, maxParallelism, parallelism, subtaskIndex)`): the keyed operators
 * run p subtasks, keys are spread over key groups exactly as in a job of
 * that parallelism (`subtaskForKey`), and the harness shows subtask i
 * alone — its output, watermarks, timers, state and side outputs. Every
 * element fed must have a key that subtask i owns; one of another
 * subtask's key groups is refused, as Flink's keyed state backend refuses a
 * key outside its key-group range.
 *
 * A snapshot restores into a harness of another parallelism or subtask
 * index too (`restoreFrom`), and several snapshots — say one per subtask —
 * can be combined first with `OperatorTestHarness.repackageState` (Flink's
 * `AbstractStreamOperatorTestHarness.repackageState`): each keyed subtask
 * then takes, from every old subtask, the windows, keyed state and timers
 * of the keys whose key group falls in its own range, as Flink's
 * `initializeState` does with the new key-group range.
 */
import type { TraceEvent } from '../../../runtime/trace-event.ts';
import type { DataStream } from '../api/environment.ts';
import { keyGroupForKey, subtaskForKey } from '../runtime/writer.ts';
import { HarnessError } from './operators.ts';
import { LocalJob } from './local-job.ts';
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
  /** The keyed operators' parallelism p (default 1); the harness is one of their subtasks. */
  parallelism?: number;
  /** Which subtask of p the harness is (default 0). */
  subtaskIndex?: number;
  /** The number of key groups keys are spread over (default 128). */
  maxParallelism?: number;
}

const INPUT = 'input';
const OUTPUT = 'output';

export class OperatorTestHarness<IN = any, OUT = any> {
  private readonly h: PipelineTestHarness;
  private readonly in: HarnessInput<IN>;
  /** p: the keyed operators' parallelism. */
  readonly parallelism: number;
  /** i: the subtask the harness shows. */
  readonly subtaskIndex: number;
  readonly maxParallelism: number;

  private constructor(build: (input: DataStream<IN>) => DataStream<OUT>, opts: OperatorHarnessOptions) {
    const p = opts.parallelism ?? 1;
    const i = opts.subtaskIndex ?? 0;
    const maxP = opts.maxParallelism ?? 128;
    if (!Number.isSafeInteger(p) || p < 1) throw new HarnessError(`parallelism must be a positive integer, got ${p}`);
    if (!Number.isSafeInteger(i) || i < 0 || i >= p) throw new HarnessError(`the subtask index must be in 0…${p - 1}, got ${i}`);
    this.parallelism = p;
    this.subtaskIndex = i;
    this.maxParallelism = maxP;
    const { parallelism: _p, subtaskIndex: _i, ...rest } = opts;
    this.h = PipelineTestHarness.of(
      (env, io) => {
        io.sink(OUTPUT, build(io.input<IN>(INPUT)));
        if (p === 1) return;
        // Keys are routed as in a job of parallelism p; one that subtask i does not own is refused.
        for (const node of env.graph.nodes) {
          if (node.parallelism !== p) continue;
          for (const edge of node.inputs) {
            const key = edge.key;
            if (edge.partitioning !== 'hash' || key === undefined) continue;
            edge.key = (v) => {
              const k = key(v);
              const owner = subtaskForKey(k, p, maxP);
              if (owner !== i) {
                throw new HarnessError(`key ${JSON.stringify(k)} is in key group ${keyGroupForKey(k, maxP)}, which subtask ${owner} of ${p} owns, not this harness's subtask ${i}`);
              }
              return k;
            };
          }
        }
      },
      { ...rest, parallelism: p, maxParallelism: maxP },
    );
    this.in = this.h.input<IN>(INPUT);
  }

  /** Whether subtask i owns `key` (its key group is in subtask i's range), as in a job of parallelism p. */
  ownsKey(key: string): boolean {
    return subtaskForKey(key, this.parallelism, this.maxParallelism) === this.subtaskIndex;
  }

  private mine<T extends { subtask: number }>(xs: T[]): T[] {
    return xs.filter((x) => x.subtask === this.subtaskIndex);
  }

  /**
   * Several snapshots of harnesses built the same way (any parallelism or
   * subtask) as one to restore from (`restoreFrom`): every subtask of the
   * restoring harness keeps the keys of its key-group range.
   */
  static repackageState(...snapshots: HarnessSnapshot[]): HarnessSnapshot {
    return LocalJob.repackage(snapshots);
  }

  /** The operator(s) `build` puts after the input, opened at processing time 0. */
  static of<IN = any, OUT = any>(build: (input: DataStream<IN>) => DataStream<OUT>, opts: OperatorHarnessOptions = {}): OperatorTestHarness<IN, OUT> {
    return new OperatorTestHarness<IN, OUT>(build, opts);
  }

  // ---- input ------------------------------------------------------------------------------

  /** Feeds one element with timestamp `ts` (default: the element's own numeric `ts`; `NO_TIMESTAMP` for an element without one, Flink's StreamRecord with no timestamp). */
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
    return this.mine(this.h.events<OUT>(OUTPUT));
  }

  /** The records emitted, with timestamp, processing time and the watermark emitted before each. */
  output(): CollectedRecord<OUT>[] {
    return this.mine(this.h.results<OUT>(OUTPUT));
  }

  /** The values emitted, in order (Flink's extractOutputValues()). */
  values(): OUT[] {
    return this.output().map((r) => r.value);
  }

  /** Beam's PAssert on the window results emitted: `panes().inFinalPane(window).containsInAnyOrder(…)` (see `PaneAssert`). */
  panes<V = any>(): PaneAssert<V, V> {
    return PaneAssert.that(this.values() as PanedResult<V>[]);
  }

  /** The watermarks emitted, in order. */
  watermarks(): number[] {
    const out: number[] = [];
    for (const e of this.events()) if (e.kind === 'watermark') out.push(e.watermark);
    return out;
  }

  /** Records sent to side output `tag` (Flink's getSideOutput(tag)), e.g. `late` from `sideOutputLateData('late')`. */
  sideOutput<T = any>(tag: string): SideRecord<T>[] {
    return this.mine(this.h.sideOutput<T>(tag));
  }

  /** Forgets the output and side outputs so far. */
  clearOutput(): this {
    this.h.clear();
    return this;
  }

  // ---- timers and state -------------------------------------------------------------------

  /** Pending timers, in firing order. */
  timers(): { eventTime: HarnessTimer[]; processingTime: HarnessTimer[] } {
    const t = this.h.timers();
    return { eventTime: this.mine(t.eventTime), processingTime: this.mine(t.processingTime) };
  }

  numEventTimeTimers(): number {
    return this.timers().eventTime.length;
  }

  numProcessingTimeTimers(): number {
    return this.timers().processingTime.length;
  }

  /** Keyed state entries, as their users see them. */
  state(): HarnessStateEntry[] {
    return this.mine(this.h.state());
  }

  numKeyedStateEntries(): number {
    return this.state().length;
  }

  /** Elements dropped as late because no late side output was set (Flink's numLateRecordsDropped). */
  lateRecordsDropped(): number {
    return this.h.lateRecordsDropped();
  }

  /** Elements a window did not take because its trigger had finished (Beam's droppedDueToClosedWindow), per element and window. */
  droppedDueToClosedWindow(): number {
    return this.h.droppedDueToClosedWindow();
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
