/**
 * A test harness for a small pipeline (Beam's TestStream with PAssert, on
 * Flink's runtime): the test declares the pipeline with the DataStream API,
 * drives its inputs step by step — records, watermarks, idle and active
 * marks, end of input, per subtask — moves processing time, and reads what
 * reached each sink, when, and behind which watermark; it can also read
 * every operator's pending timers, keyed state and late-drop count, and
 * take and restore checkpoints.
 *
 * It runs the job on `LocalJob`: the engine's own tasks, valves and
 * operators, with a network that delivers at once and a processing clock
 * that only the test moves. Every call runs the job until nothing more is
 * due, so after `input('a').watermark(999)` every window that watermark
 * fires has reached its sink. The same calls always give the same output.
 *
 * Sources: `io.input(name, { subtasks })` is driven by the test
 * (`harness.input(name, subtask)`); scripted sources (`env.fromScript`,
 * `env.fromScripts`) play their scripts on the harness's processing clock
 * (a script's wait ends when the test moves the clock past it, or in
 * `runToEnd`). Sinks: `io.sink(name, stream)` collects a stream, a side
 * output included (`results.getSideOutput('late')`); a side output nobody
 * consumes is collected by tag (`sideOutput(tag)`).
 */
import type { TraceEvent } from '../../../runtime/trace-event.ts';
import type { Guarantee } from '../../../stream/guarantee.ts';
import { DataStream, StreamEnvironment } from '../api/environment.ts';
import type { StateEntryView, TimerView } from '../operators/operator.ts';
import { LocalJob, type LocalSnapshot } from './local-job.ts';
import { CollectSinkOperator, DrivenSourceOperator, HarnessError, type CollectedRecord, type SinkEvent } from './operators.ts';
import { PaneAssert, type PanedResult } from './panes.ts';

export interface PipelineHarnessOptions {
  /** The job's parallelism: of keyed operators and of what has no parallelism of its own (default 1). */
  parallelism?: number;
  /** The max parallelism: the number of key groups keys are spread over (default 128, as Flink's). */
  maxParallelism?: number;
  /** `exactly-once` (the default) aligns checkpoint barriers; `at-least-once` does not. */
  guarantee?: Exclude<Guarantee, 'at-most-once'>;
  /** Planted bugs of the Flink engine to switch on, by name. */
  bugs?: readonly string[];
  /** Receives every trace event of the job (`t` is the processing time). */
  trace?: (e: TraceEvent) => void;
  /** Starts the job from this snapshot (one taken from a harness built the same way). */
  restoreFrom?: HarnessSnapshot;
}

/** What a pipeline's build gets besides the environment: the harness's inputs and sinks. */
export interface HarnessIO {
  /** A source the test drives through `harness.input(name, subtask)`, with `subtasks` subtasks (default 1). */
  input<T = any>(name: string, opts?: { subtasks?: number }): DataStream<T>;
  /** Collects `stream` under `name` (`harness.results(name)`). */
  sink(name: string, stream: DataStream<unknown>): void;
}

/** A completed checkpoint of a harness's job: plain JSON-able data. */
export type HarnessSnapshot = LocalSnapshot;

/** A pending timer of an operator subtask. */
export interface HarnessTimer extends TimerView {
  operator: string;
  subtask: number;
}

/** A keyed state entry of an operator subtask. */
export interface HarnessStateEntry extends StateEntryView {
  operator: string;
  subtask: number;
}

/** A side-output record no edge consumes, as the harness collected it (`watermark`: its task's). */
export interface SideRecord<T = unknown> extends CollectedRecord<T> {
  operator: string;
}

/** One subtask of a driven input. Every call runs the job until nothing more is due. */
export class HarnessInput<T = any> {
  constructor(
    private readonly harness: PipelineTestHarness,
    private readonly op: () => DrivenSourceOperator,
  ) {}

  /** Emits `value` with timestamp `ts` (default: the value's own numeric `ts`; `NO_TIMESTAMP` for a record without one). */
  add(value: T, ts?: number): this {
    const t = ts ?? (value as { ts?: unknown } | null)?.ts;
    if (typeof t !== 'number') throw new HarnessError('add(value, ts): give a timestamp (the value has no numeric ts), or NO_TIMESTAMP for a record without one');
    this.op().record(value, t);
    this.harness.settle();
    return this;
  }

  /** Emits each value in turn (each with its own `ts`). */
  addAll(values: readonly T[]): this {
    for (const v of values) this.add(v);
    return this;
  }

  /** Advances this subtask's watermark (W: no more records at or before W); the same value again does nothing. */
  watermark(wm: number): this {
    this.op().watermark(wm);
    this.harness.settle();
    return this;
  }

  /** Marks this subtask idle: downstream leaves it out of its watermark until it is active again. */
  idle(): this {
    this.op().idle(true);
    this.harness.settle();
    return this;
  }

  /** Marks this subtask active again (a watermark does so too; a record does not). */
  active(): this {
    this.op().idle(false);
    this.harness.settle();
    return this;
  }

  /** Ends this subtask's input: the final watermark, then end of input. */
  end(): this {
    this.op().end();
    this.harness.settle();
    return this;
  }
}

export class PipelineTestHarness {
  private readonly job: LocalJob;
  private readonly inputs = new Map<string, Map<number, DrivenSourceOperator>>();
  private readonly inputSubtasks = new Map<string, number>();
  private readonly sinks = new Map<string, SinkEvent[]>();
  private readonly side = new Map<string, SideRecord[]>();

  private constructor(build: (env: StreamEnvironment, io: HarnessIO) => void, opts: PipelineHarnessOptions) {
    const parallelism = opts.parallelism ?? 1;
    if (!Number.isSafeInteger(parallelism) || parallelism < 1) throw new HarnessError(`parallelism must be a positive integer, got ${parallelism}`);
    const maxParallelism = opts.maxParallelism ?? 128;
    if (!Number.isSafeInteger(maxParallelism) || maxParallelism < parallelism) {
      throw new HarnessError(`max parallelism must be an integer no smaller than the parallelism (${parallelism}), got ${maxParallelism}`);
    }
    const env = new StreamEnvironment({ parallelism, maxParallelism });
    const names = new Set<string>();
    const unique = (name: string): void => {
      if (names.has(name)) throw new HarnessError(`the name ${name} is used twice`);
      names.add(name);
    };
    const io: HarnessIO = {
      input: <T>(name: string, o: { subtasks?: number } = {}): DataStream<T> => {
        unique(name);
        const subtasks = o.subtasks ?? 1;
        if (!Number.isSafeInteger(subtasks) || subtasks < 1) throw new HarnessError(`input ${name}: subtasks must be a positive integer, got ${subtasks}`);
        const instances = new Map<number, DrivenSourceOperator>();
        this.inputs.set(name, instances);
        this.inputSubtasks.set(name, subtasks);
        const node = env.graph.addNode({
          name,
          parallelism: subtasks,
          create: () => new DrivenSourceOperator(name, (s, op) => void instances.set(s, op)),
          isSource: true,
          keyed: false,
        });
        return new DataStream<T>(env, node);
      },
      sink: <T>(name: string, stream: DataStream<T>): void => {
        unique(name);
        const events: SinkEvent[] = [];
        this.sinks.set(name, events);
        stream.transform(name, () => new CollectSinkOperator(events));
      },
    };
    build(env, io);
    this.job = new LocalJob(env.graph, {
      guarantee: opts.guarantee ?? 'exactly-once',
      ...(opts.bugs ? { bugs: opts.bugs } : {}),
      ...(opts.trace ? { trace: opts.trace } : {}),
      onUnroutedSide: (operator, tag, value, ts, task) => {
        let list = this.side.get(tag);
        if (!list) this.side.set(tag, (list = []));
        list.push({ value, ts, at: this.job.now(), watermark: task.watermark, subtask: task.subtask, operator });
      },
    });
    this.job.start(opts.restoreFrom);
  }

  /** Builds the pipeline (`build` declares it, with harness inputs and sinks) and starts it at processing time 0. */
  static of(build: (env: StreamEnvironment, io: HarnessIO) => void, opts: PipelineHarnessOptions = {}): PipelineTestHarness {
    return new PipelineTestHarness(build, opts);
  }

  /** Runs the job until nothing more is due now. */
  settle(): void {
    this.job.runDue();
  }

  // ---- driving ----------------------------------------------------------------------------

  /** Subtask `subtask` of the driven input `name`. */
  input<T = any>(name: string, subtask = 0): HarnessInput<T> {
    const n = this.inputSubtasks.get(name);
    if (n === undefined) throw new HarnessError(`no input named ${name} (inputs: ${[...this.inputSubtasks.keys()].join(', ') || 'none'})`);
    if (!Number.isSafeInteger(subtask) || subtask < 0 || subtask >= n) throw new HarnessError(`input ${name} has subtasks 0…${n - 1}, not ${subtask}`);
    return new HarnessInput<T>(this, () => this.inputs.get(name)!.get(subtask)!);
  }

  /** The processing time (ms; it starts at 0). */
  processingTime(): number {
    return this.job.now();
  }

  /** Moves processing time to `t` (not backwards): processing-time timers and script waits due by then run, in time order. */
  setProcessingTime(t: number): this {
    this.job.advanceTo(t);
    return this;
  }

  /** Moves processing time on by `ms`. */
  advanceProcessingTime(ms: number): this {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new HarnessError(`processing time advances by a non-negative integer, got ${ms}`);
    return this.setProcessingTime(this.job.now() + ms);
  }

  /**
   * Ends every driven input that has not ended, then moves processing
   * time on from one due callback to the next until every task has
   * finished (scripts play to their end). Fails when the job stops with
   * tasks unfinished, or when that would take more than `maxMs` of
   * processing time from now.
   */
  runToEnd(opts: { maxMs?: number } = {}): this {
    for (const instances of this.inputs.values()) for (const op of instances.values()) if (!op.hasEnded) op.end();
    this.settle();
    const limit = opts.maxMs === undefined ? undefined : this.job.now() + opts.maxMs;
    while (!this.job.isFinished) {
      const next = this.job.nextEventTime();
      if (next === undefined) throw new HarnessError(`the job stopped with tasks unfinished: ${this.job.unfinished().join(', ')}`);
      if (limit !== undefined && next > limit) throw new HarnessError(`the job has not finished by processing time ${limit}`);
      this.job.advanceTo(next);
    }
    return this;
  }

  /** True once every task has ended its input. */
  get isFinished(): boolean {
    return this.job.isFinished;
  }

  // ---- what reached the sinks ---------------------------------------------------------------

  private sinkEvents(name: string): SinkEvent[] {
    const events = this.sinks.get(name);
    if (!events) throw new HarnessError(`no sink named ${name} (sinks: ${[...this.sinks.keys()].join(', ') || 'none'})`);
    return events;
  }

  /** Records and watermarks as they reached sink `name`, in order (all its subtasks). */
  events<T = any>(name: string): SinkEvent<T>[] {
    return this.sinkEvents(name).slice() as SinkEvent<T>[];
  }

  /** The records that reached sink `name`, in order, with their timestamp, arrival time and the watermark before them. */
  results<T = any>(name: string): CollectedRecord<T>[] {
    const out: CollectedRecord<T>[] = [];
    for (const e of this.sinkEvents(name)) if (e.kind === 'record') out.push({ value: e.value as T, ts: e.ts, at: e.at, watermark: e.watermark, subtask: e.subtask });
    return out;
  }

  /** The values of the records that reached sink `name`, in order (PAssert's containsInAnyOrder: sort them). */
  values<T = any>(name: string): T[] {
    return this.results<T>(name).map((r) => r.value);
  }

  /**
   * Beam's PAssert on the window results that reached sink `name`:
   * `panes('sums').inOnTimePane({ start: 0, end: 1000 }).containsInAnyOrder(7)`
   * (see `PaneAssert`).
   */
  panes<V = any>(name: string): PaneAssert<V, V> {
    return PaneAssert.that(this.values<PanedResult<V>>(name));
  }

  /** The watermarks that reached sink `name`, in order (each subtask's). */
  watermarks(name: string): number[] {
    const out: number[] = [];
    for (const e of this.sinkEvents(name)) if (e.kind === 'watermark') out.push(e.watermark);
    return out;
  }

  /** Forgets what reached sink `name` so far (all sinks when no name is given), and the unconsumed side outputs with them. */
  clear(name?: string): this {
    if (name === undefined) {
      for (const events of this.sinks.values()) events.length = 0;
      this.side.clear();
    } else this.sinkEvents(name).length = 0;
    return this;
  }

  /** Records sent to side output `tag` that no edge of the job consumes (a late side output left unread, say). */
  sideOutput<T = any>(tag: string): SideRecord<T>[] {
    return (this.side.get(tag) ?? []).slice() as SideRecord<T>[];
  }

  // ---- operators --------------------------------------------------------------------------

  private views(operator: string | undefined) {
    const all = this.job.inspect().filter((v) => operator === undefined || v.operator === operator);
    if (operator !== undefined && all.length === 0) {
      const names = [...new Set(this.job.inspect().map((v) => v.operator))];
      throw new HarnessError(`no operator named ${operator} (operators: ${names.join(', ')})`);
    }
    return all;
  }

  /** Pending timers (of `operator`'s subtasks, or of every operator), in firing order within each subtask. */
  timers(operator?: string): { eventTime: HarnessTimer[]; processingTime: HarnessTimer[] } {
    const eventTime: HarnessTimer[] = [];
    const processingTime: HarnessTimer[] = [];
    for (const v of this.views(operator)) {
      for (const t of v.view.eventTimeTimers ?? []) eventTime.push({ ...t, operator: v.operator, subtask: v.subtask });
      for (const t of v.view.processingTimeTimers ?? []) processingTime.push({ ...t, operator: v.operator, subtask: v.subtask });
    }
    return { eventTime, processingTime };
  }

  /** Keyed state entries (of `operator`'s subtasks, or of every operator), as their users see them. */
  state(operator?: string): HarnessStateEntry[] {
    const out: HarnessStateEntry[] = [];
    for (const v of this.views(operator)) for (const e of v.view.state ?? []) out.push({ ...e, operator: v.operator, subtask: v.subtask });
    return out;
  }

  /** Records dropped as late because no late side output was set (Flink's numLateRecordsDropped), since the last start or restore. */
  lateRecordsDropped(operator?: string): number {
    let n = 0;
    for (const v of this.views(operator)) n += v.view.lateRecordsDropped ?? 0;
    return n;
  }

  /**
   * Elements a window did not take because its trigger had finished (Beam's
   * droppedDueToClosedWindow), one per element and window, since the last
   * start or restore.
   */
  droppedDueToClosedWindow(operator?: string): number {
    let n = 0;
    for (const v of this.views(operator)) n += v.view.droppedDueToClosedWindow ?? 0;
    return n;
  }

  // ---- checkpoints ------------------------------------------------------------------------

  /** Takes a checkpoint now (it completes within the call) and returns it. */
  snapshot(): HarnessSnapshot {
    return this.job.checkpoint();
  }

  /**
   * Restarts the job from `snapshot`: every operator is replaced by a fresh
   * one restored from it, as after a failure; scripted sources go back to
   * their checkpointed step. What reached the sinks so far is kept, and
   * processing time goes on from where it is.
   */
  restore(snapshot: HarnessSnapshot): this {
    this.job.restore(snapshot);
    return this;
  }
}
