/** Messages between the Spark driver and its executors. */

/** One (key, window) after partial aggregation in a map task: the unit of the late filter (part S5). */
export interface PartialRow {
  key: string;
  start: number;
  end: number;
  count: number;
  sum: number;
  /** Lineage: the input record ids aggregated into it, ascending. */
  ids: number[];
}

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
  rows: PartialRow[];
}

export interface MapDone {
  kind: 'spark.mapped';
  reqId: number;
  /** Event-time statistics of the rows the watermark operator saw (count 0: none). */
  maxTs: number;
  count: number;
  /** Per shuffle partition. */
  shuffle: PartialRow[][];
}

export interface ReduceDone {
  kind: 'spark.reduced';
  reqId: number;
  emitted: number;
  dropped: number;
}

export type TaskReply = MapDone | ReduceDone;

export function isTaskReply(m: unknown): m is TaskReply {
  const k = (m as { kind?: unknown } | null)?.kind;
  return (k === 'spark.mapped' || k === 'spark.reduced') && typeof (m as { reqId?: unknown }).reqId === 'number';
}
