/**
 * What travels on a data channel between two tasks: a flat array of pairs.
 * A pair `(value, ts)` is a record; a pair whose first element is one of the
 * markers below is a stream event with an integer argument. Keeping records
 * as bare pairs in one array means a network buffer of 500 records is one
 * allocation, not 500.
 *
 * Order on a channel is the order of this array, then the order of the
 * messages (channels are FIFO): a watermark or barrier is never overtaken by
 * the records before it.
 */
export const WATERMARK = Symbol('watermark');
/** Argument: 1 = the sender became idle, 0 = active again. */
export const IDLE = Symbol('idle');
/** Argument: the checkpoint id. */
export const BARRIER = Symbol('barrier');
/** Argument unused: the sender has no more data. */
export const END = Symbol('end');
/** Argument: the checkpoint id the sender aborted (Flink's CancelCheckpointMarker): do not wait for its barrier. */
export const CANCEL = Symbol('cancel');

export type Marker = typeof WATERMARK | typeof IDLE | typeof BARRIER | typeof END | typeof CANCEL;

export function isMarker(x: unknown): x is Marker {
  return x === WATERMARK || x === IDLE || x === BARRIER || x === END || x === CANCEL;
}

/** A batch of items for one channel of one task of one job attempt. */
export interface DataMessage {
  kind: 'data';
  attempt: number;
  /** Receiving task, `${vertexId}.${subtask}`. */
  task: string;
  /** Channel index at the receiver. */
  ch: number;
  /**
   * Per-channel sequence number. Data travels on connections (`net.sendReliable`, as Flink's
   * TCP connections between task managers), which a partition delays but does not thin out, so a
   * gap means a broken connection, which fails the task.
   */
  seq: number;
  items: unknown[];
}

export function taskKey(vertexId: number, subtask: number): string {
  return `${vertexId}.${subtask}`;
}
