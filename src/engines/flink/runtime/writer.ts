/**
 * The sending side of one network edge in one task (Flink's RecordWriter
 * with its StreamPartitioner and network buffers).
 *
 * Records are appended to a per-channel buffer and sent when the buffer is
 * full or when the task's buffer timeout flushes it (Flink's
 * `execution.buffer-timeout`). A timeout of 0 sends each buffer as soon as
 * anything is written to it, record or marker, as Flink's `flushAlways`
 * (`RecordWriter.emit` and `broadcastEmit` flushing after every write). Watermarks, idleness, barriers, cancellation
 * markers and end of input are broadcast to every channel behind the records already buffered,
 * so nothing overtakes what came before it; a barrier, a cancellation marker and end of input
 * also send the buffer at once. Each buffer sent is told to `onSent` with why it went (full,
 * the buffer timeout, or the marker that flushed it), which the task traces.
 */
import type { GraphEdge, KeySelector } from '../graph.ts';
import { hashKey } from '../../../stream/partition.ts';
import { BARRIER, CANCEL, END, IDLE, WATERMARK, taskKey, type DataMessage } from './items.ts';

/** Max parallelism: the number of key groups (Flink's default is 128). */
export const KEY_GROUPS = 128;

/** Flink's KeyGroupRangeAssignment.assignToKeyGroup: the key group of `key` among `maxParallelism`. */
export function keyGroupForKey(key: string, maxParallelism: number = KEY_GROUPS): number {
  return hashKey(key) % maxParallelism;
}

/**
 * Flink's KeyGroupRangeAssignment: key → key group → operator subtask
 * (`keyGroup * parallelism / maxParallelism`, rounded down), so subtask i
 * owns a contiguous range of key groups.
 */
export function subtaskForKey(key: string, parallelism: number, maxParallelism: number = KEY_GROUPS): number {
  const group = keyGroupForKey(key, maxParallelism);
  return Math.floor((group * parallelism) / maxParallelism);
}

/** The key groups subtask `subtask` of `parallelism` owns: `[first, last]` (Flink's KeyGroupRange). */
export function keyGroupRange(subtask: number, parallelism: number, maxParallelism: number = KEY_GROUPS): { first: number; last: number } {
  return { first: Math.ceil((subtask * maxParallelism) / parallelism), last: Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1 };
}

export interface ChannelTarget {
  task: string;
  ch: number;
  /** The receiving task's name, `vertex[subtask]`, as its trace events give it. */
  name: string;
}

/**
 * Why a buffer was sent: it was full, the buffer timeout ran out, the timeout is 0 and so every
 * write flushes (`always`), or a barrier, cancellation marker or end of input flushed it.
 */
export type SendReason = 'full' | 'timeout' | 'always' | 'barrier' | 'cancel' | 'end';

/** Told of each buffer sent: to whom, how many records it held (markers aside), why, and the flushing marker's checkpoint. */
export type OnSent = (to: ChannelTarget, records: number, reason: SendReason, checkpoint: number | undefined) => void;

export class EdgeWriter {
  private readonly buffers: unknown[][];
  private readonly seqs: number[];
  private next = 0;
  private readonly key: KeySelector | undefined;
  private readonly keyGroups: number;
  /** The one receiver of a forward edge. */
  private readonly forwardTo: number;

  constructor(
    readonly edge: GraphEdge,
    /** Receivers, indexed by downstream subtask (undefined where this sender has no channel). */
    private readonly targets: (ChannelTarget | undefined)[],
    private readonly attempt: number,
    private readonly bufferRecords: number,
    private readonly send: (msg: DataMessage) => void,
    private readonly onFirstBuffered: () => void,
    private readonly onSent?: OnSent,
    /** The buffer timeout is 0: every write sends its buffer, and no timeout is started. */
    private readonly flushAlways = false,
  ) {
    this.buffers = targets.map(() => []);
    this.seqs = targets.map(() => 0);
    this.key = edge.key;
    this.keyGroups = edge.keyGroups ?? KEY_GROUPS;
    this.forwardTo = targets.findIndex((t) => t !== undefined);
  }

  record(value: unknown, ts: number): void {
    let i: number;
    switch (this.edge.partitioning) {
      case 'hash':
        i = subtaskForKey(this.key!(value), this.targets.length, this.keyGroups);
        break;
      case 'forward':
        i = this.forwardTo;
        break;
      case 'rebalance':
        i = this.next;
        this.next = (this.next + 1) % this.targets.length;
        break;
      case 'broadcast':
        for (let j = 0; j < this.targets.length; j++) this.push(j, value, ts);
        return;
    }
    this.push(i, value, ts);
  }

  /**
   * Appends a pair to channel `i`'s buffer; `flush` (a marker that flushes) sends it at once, full
   * or not, else a full buffer goes, and under `flushAlways` any buffer.
   */
  private push(i: number, a: unknown, b: number, flush?: SendReason): void {
    const buf = this.buffers[i]!;
    if (buf.length === 0 && !this.flushAlways) this.onFirstBuffered();
    buf.push(a, b);
    if (flush !== undefined) this.flushOne(i, flush);
    else if (buf.length >= this.bufferRecords * 2) this.flushOne(i, 'full');
    else if (this.flushAlways) this.flushOne(i, 'always');
  }

  private event(marker: symbol, arg: number, flush: SendReason | undefined): void {
    for (let i = 0; i < this.targets.length; i++) {
      if (this.targets[i]) this.push(i, marker, arg, flush);
    }
  }

  watermark(wm: number): void {
    this.event(WATERMARK, wm, undefined);
  }

  idle(idle: boolean): void {
    this.event(IDLE, idle ? 1 : 0, undefined);
  }

  barrier(id: number): void {
    this.event(BARRIER, id, 'barrier');
  }

  /** Tells every receiver not to wait for barrier `id` from this sender. */
  cancel(id: number): void {
    this.event(CANCEL, id, 'cancel');
  }

  end(): void {
    this.event(END, 0, 'end');
  }

  /** Sends every buffer that holds something: the task's buffer timeout ran out. */
  flush(): void {
    for (let i = 0; i < this.buffers.length; i++) this.flushOne(i, 'timeout');
  }

  private flushOne(i: number, reason: SendReason): void {
    const items = this.buffers[i]!;
    const t = this.targets[i];
    if (items.length === 0 || !t) return;
    this.buffers[i] = [];
    this.send({ kind: 'data', attempt: this.attempt, task: t.task, ch: t.ch, seq: this.seqs[i]!++, items });
    if (this.onSent === undefined) return;
    // Items are pairs: a record and its timestamp, or a marker and its argument.
    let markers = 0;
    for (let j = 0; j < items.length; j += 2) if (typeof items[j] === 'symbol') markers++;
    const flushedBy = reason === 'barrier' || reason === 'cancel' ? (items[items.length - 1] as number) : undefined;
    this.onSent(t, items.length / 2 - markers, reason, flushedBy);
  }
}

/**
 * The receiving channels of one task: for each network input edge, one
 * channel per upstream subtask that sends to it. Both sides compute this the
 * same way, so a sender knows its channel index at the receiver.
 */
export interface InputChannel {
  edge: GraphEdge;
  upstream: number;
}

export function inputChannels(edges: readonly GraphEdge[], upstreamParallelism: (e: GraphEdge) => number, subtask: number, parallelism: number): InputChannel[] {
  const out: InputChannel[] = [];
  for (const e of edges) {
    const up = upstreamParallelism(e);
    if (e.partitioning === 'forward' && up === parallelism) out.push({ edge: e, upstream: subtask });
    else for (let u = 0; u < up; u++) out.push({ edge: e, upstream: u });
  }
  return out;
}

export function channelTargets(edge: GraphEdge, downVertex: number, downName: string, downParallelism: number, channelsOf: (subtask: number) => InputChannel[], fromSubtask: number): (ChannelTarget | undefined)[] {
  const targets: (ChannelTarget | undefined)[] = [];
  for (let s = 0; s < downParallelism; s++) {
    const ch = channelsOf(s).findIndex((c) => c.edge === edge && c.upstream === fromSubtask);
    targets.push(ch >= 0 ? { task: taskKey(downVertex, s), ch, name: `${downName}[${s}]` } : undefined);
  }
  return targets;
}
