/** Messages between the Spark driver and its executors. */
import type { Row } from './dsl.ts';

/**
 * One (key, window) after partial aggregation in a map task: the unit of the late filter (part S5).
 * For session windows, one per input row: the row's own session `[ts, ts + gap)`.
 */
export interface PartialRow {
  key: string;
  start: number;
  end: number;
  count: number;
  sum: number;
  /** Lineage: the input record ids aggregated into it, ascending. */
  ids: number[];
}

/** A row shuffled by key to a stateful operator that keeps rows (deduplication, groups with state, join). */
export interface KeyedRow {
  key: string;
  /** The row's event time (the watermark column; 0 without one). */
  ts: number;
  row: Row;
  /** Join: 0 for the left side, 1 for the right. */
  side: 0 | 1;
  /** Lineage: the input record it came from. */
  id: number;
}

export type ShuffleRow = PartialRow | KeyedRow;

export interface MapTask {
  kind: 'spark.map';
  reqId: number;
  batch: number;
  partition: number;
  start: number;
  end: number;
}

export interface ReduceTask {
  kind: 'spark.reduce';
  reqId: number;
  batch: number;
  partition: number;
  /** `eventTimeWatermarkForLateEvents`: batch N−1's watermark. */
  wmLate: number;
  /** `eventTimeWatermarkForEviction`: batch N's watermark. */
  wmEvict: number;
  /** The batch's timestamp (batchTimestampMs), the same on every run of the batch. */
  timestampMs: number;
  rows: ShuffleRow[];
}

/** Event-time statistics one watermark operator collected in a map task (count 0: it saw no row). */
export interface EventTimeStats {
  max: number;
  count: number;
}

export interface MapDone {
  kind: 'spark.mapped';
  reqId: number;
  /** A query without a stateful operator: the rows the task wrote to the sink itself. */
  emitted?: number;
  /** A query without a stateful operator whose sink is on the driver (foreachBatch, memory): its result rows. */
  rows?: unknown[];
  /** A query without a stateful operator whose sink is the file sink: the files this task attempt wrote. */
  files?: string[];
  /** Per watermark operator of the plan, in `watermarkOps` order. */
  stats: EventTimeStats[];
  /** Per shuffle partition. */
  shuffle: ShuffleRow[][];
}

export interface ReduceDone {
  kind: 'spark.reduced';
  reqId: number;
  emitted: number;
  dropped: number;
  /** (flat)MapGroupsWithState: keys of the partition left holding a timeout. */
  timeouts?: number;
  /** foreachBatch: the partition's result rows, for the driver to hand to the function. */
  rows?: unknown[];
  /** File sink: the files this task attempt wrote (its commit message, ManifestFileCommitProtocol). */
  files?: string[];
}

/** Continuous processing (part S11): run the long-running task of input `partition` from `offset`, in epoch `epoch` of run `run`. */
export interface ContinuousStart {
  kind: 'spark.cont.start';
  reqId: number;
  /** The query run (a restart is a new run); a task of an older run on the executor stops. */
  run: number;
  partition: number;
  offset: number;
  epoch: number;
}

/** The executor took the task. */
export interface ContinuousStarted {
  kind: 'spark.cont.started';
  reqId: number;
}

export type TaskReply = MapDone | ReduceDone | ContinuousStarted;

export function isTaskReply(m: unknown): m is TaskReply {
  const k = (m as { kind?: unknown } | null)?.kind;
  return (k === 'spark.mapped' || k === 'spark.reduced' || k === 'spark.cont.started') && typeof (m as { reqId?: unknown }).reqId === 'number';
}

/** The epoch coordinator's new epoch (IncrementAndGetEpoch), sent to every executor; and, with `stop`, the end of the run. */
export interface ContinuousEpoch {
  kind: 'spark.cont.epoch';
  run: number;
  epoch: number;
  stop?: boolean;
}

/**
 * A task to the epoch coordinator. `offset`: the reader's ReportPartitionOffset — at the marker of
 * `epoch`, the next offset to read (`atEnd`: the partition is sealed and read up to it). `commit`:
 * the writer's CommitPartitionEpoch — everything it wrote for `epoch` is acknowledged.
 */
export interface ContinuousReport {
  kind: 'spark.cont.report';
  reqId: number;
  run: number;
  partition: number;
  epoch: number;
  what: 'offset' | 'commit';
  offset?: number;
  atEnd?: boolean;
}

export interface ContinuousAck {
  kind: 'spark.cont.ack';
  reqId: number;
}

export function isContinuousAck(m: unknown): m is ContinuousAck {
  return (m as { kind?: unknown } | null)?.kind === 'spark.cont.ack' && typeof (m as { reqId?: unknown }).reqId === 'number';
}
