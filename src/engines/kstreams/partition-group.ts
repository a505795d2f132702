/**
 * The records a task has fetched but not processed, one FIFO queue per input
 * partition, and the rule that picks the next one (Kafka Streams'
 * `PartitionGroup` and `RecordQueue`, part K3 of the semantics):
 *
 * - within a partition, offset order, always, even when timestamps go down;
 * - across partitions, the queue whose head has the smallest timestamp, from
 *   a priority queue of the non-empty queues ordered by head timestamp, kept
 *   as Java's `PriorityQueue` keeps it (a binary heap whose sifts move an
 *   entry only past a strictly larger one): a queue enters it when it gets
 *   records while empty, and goes back in after each record taken from it
 *   while it still holds some. Ties are not first-come: two partitions whose
 *   heads share a timestamp take turns (A, B, A, B…);
 * - a record with a negative timestamp is skipped and counted, never queued;
 * - partition time is the max timestamp taken from a partition, task stream
 *   time the max over the task; both start unknown (-1) and never go down;
 * - `readyToProcess` holds the task back while a partition is empty and the
 *   broker has data for it not fetched yet, or, when it has none, until
 *   `max.task.idle.ms` has passed since that was first seen (-1: never wait).
 */

export interface InputRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Event time, ms. */
  ts: number;
  key: string | null;
  value: unknown;
}

/** `topic-partition`, the name Kafka prints. */
export function tpName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export const UNKNOWN_TIME = -1;

class RecordQueue {
  readonly records: InputRecord[] = [];
  private head = 0;
  partitionTime = UNKNOWN_TIME;
  /** When the partition was first seen empty with nothing left on the broker (for max.task.idle.ms). */
  idleSince: number | undefined;

  constructor(readonly topic: string, readonly partition: number) {}

  get size(): number {
    return this.records.length - this.head;
  }

  peek(): InputRecord | undefined {
    return this.records[this.head];
  }

  poll(): InputRecord {
    const r = this.records[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records.splice(0, this.head);
      this.head = 0;
    }
    this.partitionTime = Math.max(this.partitionTime, r.ts);
    return r;
  }

  clear(): void {
    this.records.length = 0;
    this.head = 0;
  }
}

/**
 * `java.util.PriorityQueue<RecordQueue>` by head timestamp: the same array, the same sifts, so equal
 * heads come out in the order Java's gives.
 */
class QueuesByTime {
  private readonly heap: RecordQueue[] = [];

  get size(): number {
    return this.heap.length;
  }

  offer(q: RecordQueue): void {
    const heap = this.heap;
    let k = heap.length;
    const t = q.peek()!.ts;
    while (k > 0) {
      const parent = (k - 1) >>> 1;
      const e = heap[parent]!;
      if (t >= e.peek()!.ts) break;
      heap[k] = e;
      k = parent;
    }
    heap[k] = q;
  }

  poll(): RecordQueue | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const x = heap.pop()!;
    const n = heap.length;
    if (n === 0) return top;
    const t = x.peek()!.ts;
    const half = n >>> 1;
    let k = 0;
    while (k < half) {
      let child = 2 * k + 1;
      let c = heap[child]!;
      const right = child + 1;
      if (right < n && c.peek()!.ts > heap[right]!.peek()!.ts) c = heap[(child = right)]!;
      if (t <= c.peek()!.ts) break;
      heap[k] = c;
      k = child;
    }
    heap[k] = x;
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}

export class PartitionGroup {
  private readonly queues: RecordQueue[];
  private readonly nonEmpty = new QueuesByTime();
  private streamTimeMs = UNKNOWN_TIME;
  /** Records skipped for a negative timestamp (the task's `dropped-records`). */
  skipped = 0;

  /** The task's input `partitions`. */
  constructor(partitions: readonly { topic: string; partition: number }[], private readonly maxTaskIdleMs: number) {
    this.queues = partitions.map((p) => new RecordQueue(p.topic, p.partition));
  }

  private queue(topic: string, partition: number): RecordQueue {
    const q = this.queues.find((x) => x.topic === topic && x.partition === partition);
    if (!q) throw new Error(`partition group: ${tpName(topic, partition)} is not an input of this task`);
    return q;
  }

  /** Appends fetched records (in offset order) to their partition's queue; returns how many were queued. */
  addRecords(topic: string, partition: number, records: readonly InputRecord[]): number {
    const q = this.queue(topic, partition);
    const wasEmpty = q.size === 0;
    let added = 0;
    for (const r of records) {
      if (r.ts < 0) {
        this.skipped++;
        continue;
      }
      q.records.push(r);
      added++;
    }
    if (added > 0) q.idleSince = undefined;
    if (wasEmpty && added > 0) this.nonEmpty.offer(q);
    return added;
  }

  /** The next record to process, or undefined when every queue is empty. */
  nextRecord(): InputRecord | undefined {
    const q = this.nonEmpty.poll();
    if (q === undefined) return undefined;
    const r = q.poll();
    if (q.size > 0) this.nonEmpty.offer(q);
    this.streamTimeMs = Math.max(this.streamTimeMs, r.ts);
    return r;
  }

  /**
   * Whether the task may process now (`PartitionGroup.readyToProcess`). `lag(topic, partition)` is
   * how many records the broker holds beyond what was fetched (undefined: not known yet).
   */
  readyToProcess(nowMs: number, lag: (topic: string, partition: number) => number | undefined): boolean {
    let buffered = false;
    let blocked = false;
    for (const q of this.queues) {
      if (q.size > 0) {
        buffered = true;
        continue;
      }
      if (this.maxTaskIdleMs < 0) continue;
      const l = lag(q.topic, q.partition);
      if (l === undefined || l > 0) {
        q.idleSince = undefined;
        blocked = true;
        continue;
      }
      q.idleSince ??= nowMs;
      if (nowMs < q.idleSince + this.maxTaskIdleMs) blocked = true;
    }
    return buffered && !blocked;
  }

  get streamTime(): number {
    return this.streamTimeMs;
  }

  /** Restores a partition's time from committed offset metadata; task stream time rises with it. */
  setPartitionTime(topic: string, partition: number, time: number): void {
    const q = this.queue(topic, partition);
    q.partitionTime = Math.max(q.partitionTime, time);
    this.streamTimeMs = Math.max(this.streamTimeMs, time);
  }

  partitionTime(topic: string, partition: number): number {
    return this.queue(topic, partition).partitionTime;
  }

  /** The offset of the head record, the next to process (undefined when the queue is empty). */
  headOffset(topic: string, partition: number): number | undefined {
    return this.queue(topic, partition).peek()?.offset;
  }

  buffered(topic: string, partition: number): number {
    return this.queue(topic, partition).size;
  }

  get totalBuffered(): number {
    return this.queues.reduce((n, q) => n + q.size, 0);
  }

  /**
   * `PartitionGroup.clear`, as a task is suspended: drops everything buffered (the consumer fetches
   * it again from the committed offsets) and forgets every partition time and the stream time, which
   * the task's committed metadata gives back when it resumes.
   */
  clear(): void {
    for (const q of this.queues) {
      q.clear();
      q.partitionTime = UNKNOWN_TIME;
      q.idleSince = undefined;
    }
    this.nonEmpty.clear();
    this.streamTimeMs = UNKNOWN_TIME;
  }
}
