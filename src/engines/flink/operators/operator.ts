/**
 * The one operator interface. Every transformation in a job — map, window,
 * join, sink — is a `StreamOperator`; a task drives its operators through
 * these hooks and nothing else. Defaults do the obvious thing: an operator
 * that does not care about watermarks passes them on, one without state
 * snapshots nothing.
 *
 * Invariants the task guarantees to an operator:
 * - `processElement` is called with the current key already set on the
 *   keyed state backend when the operator is keyed;
 * - watermarks reach `processWatermark` in non-decreasing order;
 * - `snapshotState(id)` is called exactly once per checkpoint, after every
 *   element before the barrier and before any element after it (aligned mode).
 */
import type { Tracer } from '../../../runtime/index.ts';
import type { KeyedStateBackend } from '../state/backend.ts';
import type { LogClient } from '../../../log/client.ts';
import type { BugSwitches } from '../bugs.ts';

/** Where an operator's results go. */
export interface Output {
  collect(value: unknown, ts: number): void;
  /** A side output (Flink's OutputTag); records to a tag nobody consumes are dropped with a trace event. */
  side(tag: string, value: unknown, ts: number): void;
  emitWatermark(wm: number): void;
  /** Marks this output idle (no watermarks will come for a while) or active again (Flink's WatermarkStatus). */
  emitIdle(idle: boolean): void;
}

export interface OperatorContext {
  /** `${vertex}[${subtask}]`. */
  readonly taskName: string;
  readonly operatorName: string;
  readonly subtask: number;
  readonly parallelism: number;
  readonly attempt: number;
  /** This task instance, unique in the world: its process, the process's incarnation and the attempt (`tm-0#0/a1`). */
  readonly instance: string;
  /** The checkpoint the job restored for this attempt (Flink's `InitContext.getRestoredCheckpointId`), or -1 when it started from none. */
  readonly restoredCheckpoint: number;
  /** Keyed state of this operator instance (undefined for non-keyed operators). */
  readonly state: KeyedStateBackend | undefined;
  /** Virtual processing time. */
  now(): number;
  readonly trace: Tracer;
  readonly bugs: BugSwitches;
  readonly log: LogClient;
  /**
   * A log client for what a sink writes, its task's producer (Flink's KafkaWriter owns its Kafka
   * producer; made on first use): its requests are dropped when the task is cancelled, unless held open.
   */
  producer(): LogClient;
  /**
   * Keeps the producer's requests going after the task is cancelled, until the returned function
   * is called (a closing sink's abort waiting for its batch in flight, as Kafka's producer sends
   * EndTxn only once its in-flight batches are answered, and for its own answer).
   */
  holdProducer(): () => void;
  /** Schedules a processing-time callback on the task (dropped if the task is cancelled). */
  after(delayMs: number, fn: () => void): void;
  /** Current combined input watermark of the task. */
  currentWatermark(): number;
  /** Lets an operator finish an asynchronous part of a checkpoint (sinks flushing). */
  readonly checkpointGuarantee: 'exactly-once' | 'at-least-once' | 'at-most-once';
  /** A named fault site (see `ProcessContext.buggify`): true when the world decides it fires now. */
  buggify(site: string): boolean;
  /** A source calls this when it has read all its input: the task ends its output. */
  finishSource(): void;
  /**
   * The operator cannot go on (its producer was fenced, say): the task closes every operator, this
   * one included, before the call returns, and the job manager restarts the job.
   */
  fail(reason: string): void;
}

/** A pending timer as `inspect` shows it: the key, the namespace (a window as `start:end`, or ''), the time. */
export interface TimerView {
  key: string;
  namespace: string;
  time: number;
}

/** One entry of an operator's keyed state as `inspect` shows it (without TTL bookkeeping). */
export interface StateEntryView {
  /** The state's name (for a window operator: `window`, `trigger`, `window-state` or `global-state`). */
  name: string;
  key: string;
  /** A window as `start:end`, or '' for state that is not per window. */
  namespace: string;
  value: unknown;
}

/** What a test harness reads of an operator instance; every field is a copy. */
export interface OperatorView {
  eventTimeTimers: TimerView[];
  processingTimeTimers: TimerView[];
  state: StateEntryView[];
  /** Records dropped as late (no side output to send them to), Flink's `numLateRecordsDropped`. */
  lateRecordsDropped: number;
  /**
   * (record, window) pairs a window whose trigger had finished did not take
   * (Beam's `droppedDueToClosedWindow`); a record no window took is also
   * counted in `lateRecordsDropped` when there is no late side output.
   */
  droppedDueToClosedWindow?: number;
}

export interface StreamOperator {
  open(ctx: OperatorContext, out: Output): void;
  /** `input` is 0 for one-input operators, 0 or 1 for two-input ones. */
  processElement(value: unknown, ts: number, input: number): void;
  /** Keyed operators: the key of the records that follow. */
  setCurrentKey?(key: string): void;
  processWatermark?(wm: number): void;
  /** Fires due processing-time timers; called by the task when processing time advances. */
  onProcessingTime?(now: number): void;
  /**
   * Takes this operator's part of checkpoint `id`. Returns JSON-able state.
   * An operator with asynchronous work to finish before the checkpoint may
   * ack (a sink flushing) calls `done` later; otherwise it may ignore it and
   * the task acks once `snapshotState` returns. The value returned is plain
   * data (JSON-shaped, as `cloneJson` copies it) and may share structure
   * with the live state: the task copies it at once, or, for an operator
   * with `asyncSnapshot`, when it calls `done` (so such an operator may still
   * fill in what it returned until then, and must not change it after).
   */
  snapshotState?(id: number, done: () => void): unknown;
  /** True when `snapshotState` will call its `done` callback itself. */
  readonly asyncSnapshot?: boolean;
  /**
   * True when the operator ignores the idleness of its input (Flink's `processWatermarkStatus`
   * overridden to do nothing, as TimestampsAndWatermarksOperator does): its output stays active
   * when its input goes idle.
   */
  readonly ignoresInputIdleness?: boolean;
  restoreState?(state: unknown): void;
  /**
   * Keyed operators: restores from the states of several old subtasks (a
   * snapshot taken at another parallelism, or several repackaged), keeping
   * the keys `owns` says this subtask now owns (its key-group range), as
   * Flink redistributes keyed state by key group.
   */
  rescaleState?(states: unknown[], owns: (key: string) => boolean): void;
  notifyCheckpointComplete?(id: number): void;
  /** End of all input: flush. */
  endInput?(): void;
  /** A source operator's driver: called once the task is running. */
  run?(): void;
  /** Releases timers, pending requests. */
  close?(): void;
  /** Its pending timers, keyed state and counters, for a test harness (read-only; leaves out what it does not have). */
  inspect?(): Partial<OperatorView>;
}

/** State entries in a stable order: by name, key, then namespace (windows by start, then end). */
export function sortEntries(entries: StateEntryView[]): StateEntryView[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const WINDOW = /^(-?\d+):(-?\d+)$/;
  const namespaces = (a: string, b: string): number => {
    const x = WINDOW.exec(a);
    const y = WINDOW.exec(b);
    if (!x || !y) return cmp(a, b);
    return Number(x[1]) - Number(y[1]) || Number(x[2]) - Number(y[2]);
  };
  return entries.sort((a, b) => cmp(a.name, b.name) || cmp(a.key, b.key) || namespaces(a.namespace, b.namespace));
}
