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

export type TaskReply = MapDone | ReduceDone;

export function isTaskReply(m: unknown): m is TaskReply {
  const k = (m as { kind?: unknown } | null)?.kind;
  return (k === 'spark.mapped' || k === 'spark.reduced') && typeof (m as { reqId?: unknown }).reqId === 'number';
}
