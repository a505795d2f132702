/**
 * A stream task: one sub-topology on one partition (part K1). It owns
 * partition p of each of its source topics, its processors, and its stores
 * with changelog partition p. It picks records with its PartitionGroup,
 * pushes each through the processors depth first (as Kafka's
 * `ProcessorNode.process` → `forward` does), runs punctuations, and at a
 * commit flushes its stores' caches and names the offsets to commit with
 * their metadata (partition time, part K4).
 */
import { canonical } from '../../stream/content-hash.ts';
import { PartitionGroup, UNKNOWN_TIME, type InputRecord } from './partition-group.ts';
import { PunctuationQueue, type Cancellable, type Punctuator, type PunctuationType } from './punctuation.ts';
import type { KRecord, Processor, ProcessorContext } from './processor.ts';
import { StateStore } from './stores.ts';
import { NO_BUGS, type KStreamsBugs } from './bugs.ts';
import { changelogTopic, type SinkNode, type SourceNode, type SubTopology, type Topology } from './topology.ts';

/** What a task needs from its thread. */
export interface TaskEnv {
  applicationId: string;
  /** Sends a record to a topic: to `partition`, or by key hash when undefined (the thread's record collector). */
  send(topic: string, partition: number | undefined, key: string | null, value: unknown, onOffset?: (offset: number) => void): void;
  nowMs(): number;
  trace(kind: string, fields: Record<string, unknown>): void;
  readonly detailedTrace: boolean;
  maxTaskIdleMs: number;
  /** The record cache (`statestore.cache.max.bytes` > 0). */
  caching: boolean;
  /** Planted bugs (none when absent). */
  bugs?: KStreamsBugs;
}

type Route = { sink: SinkNode } | { processor: string };

export interface CommittableOffset {
  topic: string;
  partition: number;
  /** The next offset to process. */
  offset: number;
  /** Kafka Streams keeps the partition time in the committed offset's metadata, and its processors' metadata (`encodeCommitMetadata`). */
  metadata: string;
}

/**
 * The metadata string of a committed offset (Kafka's TopicPartitionMetadata): the partition time,
 * and, when the task's processors keep any, their metadata (`ProcessorMetadata`, name → long).
 * Kafka writes both in a versioned binary form; here the partition time alone is its decimal
 * text, as before processors kept metadata, and with metadata it is followed by a space and a
 * JSON object whose keys are sorted.
 */
export function encodeCommitMetadata(partitionTime: number, processorMetadata: ReadonlyMap<string, number>): string {
  if (processorMetadata.size === 0) return String(partitionTime);
  return `${partitionTime} ${canonical(Object.fromEntries(processorMetadata))}`;
}

/** `encodeCommitMetadata` read back; a part that does not parse is left out (undefined time, no metadata). */
export function decodeCommitMetadata(text: string): { partitionTime: number | undefined; processorMetadata: Map<string, number> } {
  const space = text.indexOf(' ');
  const timeText = space < 0 ? text : text.slice(0, space);
  const t = Number(timeText);
  const partitionTime = timeText !== '' && Number.isSafeInteger(t) ? t : undefined;
  const processorMetadata = new Map<string, number>();
  if (space >= 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.slice(space + 1));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      for (const [k, v] of Object.entries(parsed)) if (Number.isSafeInteger(v)) processorMetadata.set(k, v as number);
    }
  }
  return { partitionTime, processorMetadata };
}

/** Where a repartition partition may be purged: the records below `offset`. */
export interface PurgeableOffset {
  topic: string;
  partition: number;
  offset: number;
}

export class StreamTask {
  readonly id: string;
  readonly group: PartitionGroup;
  readonly stores = new Map<string, StateStore>();
  private readonly processors = new Map<string, Processor>();
  private readonly sourcesByTopic = new Map<string, SourceNode>();
  private readonly streamPunctuation = new PunctuationQueue();
  private readonly wallPunctuation = new PunctuationQueue();
  /** Next offset to process per source topic, once a record of it was processed (`consumedOffsets`). */
  private readonly consumed = new Map<string, number>();
  /**
   * Per repartition source topic, the offset this task's last successful commit committed (Kafka's
   * `committedOffsets`): what a purge may delete below. Empty until the task commits, also after a
   * restart (Kafka starts it at -1: no purge before a commit).
   */
  private readonly committedRepartition = new Map<string, number>();
  /** Sources on which the position check (`commitNeededAt`) asked for the pending commit: it steps over markers there. Cleared by `postCommit`. */
  private overMarkers: string[] = [];
  /** The processors' metadata (Kafka's ProcessorMetadata): committed with every source offset of the task. */
  private readonly processorMetadata = new Map<string, number>();
  commitNeeded = false;
  commitRequested = false;
  /** Records skipped by processors (`dropped-records`), by reason. */
  readonly droppedCounts = new Map<string, number>();
  private current: InputRecord | undefined;
  /** Per node, where its records go: the processors of this task and the sinks, in topology order. */
  private readonly routes = new Map<string, Route[]>();

  /** `kept`: stores of an earlier incarnation of this task to use instead of new ones (planted bug `no-wipe-on-dirty-close`). */
  constructor(readonly topology: Topology, readonly sub: SubTopology, readonly partition: number, private readonly env: TaskEnv, kept?: ReadonlyMap<string, StateStore>) {
    this.id = `${sub.id}_${partition}`;
    const inTask = new Set(sub.nodes);
    for (const name of sub.nodes) {
      const n = topology.node(name);
      if (n.kind === 'source') this.sourcesByTopic.set(n.topic, n);
      this.routes.set(name, topology.children(name).flatMap((c): Route[] =>
        c.kind === 'sink' ? [{ sink: c }] : inTask.has(c.name) ? [{ processor: c.name }] : []));
    }
    this.group = new PartitionGroup(sub.sourceTopics.map((topic) => ({ topic, partition })), env.maxTaskIdleMs);
    for (const s of sub.stores) {
      const spec = topology.stores.get(s)!;
      const changelog = spec.logged
        ? (store: string, key: string, value: unknown, ts: number, ackKey = key) =>
          env.send(changelogTopic(env.applicationId, store), partition, key, { key, value, ts }, (offset) => this.stores.get(store)?.logged(ackKey, offset))
        : undefined;
      this.stores.set(s, kept?.get(s) ?? new StateStore(s, spec.kind, changelog, spec.caching && env.caching, spec.retention, spec.logOnFlush ?? false, spec.duplicates === true, spec.inMemory !== true));
    }
  }

  /**
   * `initializeTopology`, after restoration with the stores complete: calls each processor's
   * `init`, creating the processors the first time. A resumed task keeps its processors, so what
   * they hold that is no store (an aggregate's observed stream time) carries over.
   */
  initProcessors(): void {
    for (const name of this.sub.nodes) {
      const n = this.topology.node(name);
      if (n.kind !== 'processor') continue;
      let p = this.processors.get(name);
      if (p === undefined) this.processors.set(name, (p = n.supplier()));
      p.init?.(this.contextFor(name));
    }
  }

  get sourceTopics(): readonly string[] {
    return this.sub.sourceTopics;
  }

  /** Queues fetched records of a source partition (offset order). */
  addRecords(topic: string, records: readonly { offset: number; value: unknown }[]): void {
    const src = this.sourcesByTopic.get(topic)!;
    this.group.addRecords(topic, this.partition, records.map((r) => ({
      topic, partition: this.partition, offset: r.offset, ts: src.tsOf(r.value), key: src.keyOf(r.value), value: r.value,
    })));
  }

  /** Processes one record when the task is ready; false when it is not (nothing buffered, or waiting on max.task.idle.ms). */
  process(lag: (topic: string, partition: number) => number | undefined): boolean {
    if (!this.group.readyToProcess(this.env.nowMs(), lag)) return false;
    const r = this.group.nextRecord();
    if (r === undefined) return false;
    this.current = r;
    const src = this.sourcesByTopic.get(r.topic)!;
    this.consumed.set(r.topic, r.offset + 1);
    this.commitNeeded = true;
    this.forwardFrom(src.name, { key: r.key, value: src === undefined ? r.value : unwrap(src, r.value), ts: r.ts, ids: src.idsOf(r.value) });
    this.current = undefined;
    return true;
  }

  /**
   * Stream-time punctuation: only once stream time is known. The thread calls it in its punctuate
   * phase, after a round of processing (`TaskExecutor.punctuate`), never from `process`: so a round
   * that takes stream time past a due time punctuates once, at the round's end, and a task whose
   * stream time came back from its committed offsets punctuates before it processes a new record.
   */
  maybePunctuateStreamTime(): number {
    const t = this.group.streamTime;
    if (t === UNKNOWN_TIME) return 0;
    const n = this.streamPunctuation.mayPunctuate(t);
    if (n > 0) this.commitNeeded = true;
    return n;
  }

  maybePunctuateSystemTime(): number {
    const n = this.wallPunctuation.mayPunctuate(this.env.nowMs());
    if (n > 0) this.commitNeeded = true;
    return n;
  }

  /**
   * Kafka's `StreamTask.commitNeeded()`, asked when the thread commits: the flag, or else whether the
   * consumer's position on a source the task has consumed from is past the next offset to process.
   * A fetch moves the position over transaction markers silently, so after a transaction's last
   * record the task is one commit short of stepping over its marker: the consumed offset moves up
   * to the position and the flag is set, and that commit names the position (`prepareCommit`).
   * (Records fetched and not processed yet move the position too; the commit still names the
   * first of them, the head of the partition's queue.)
   */
  commitNeededAt(position: (topic: string) => number | undefined): boolean {
    return this.positionsAhead(position, true);
  }

  /** The sources on which the pending commit steps over transaction markers only (see `commitNeededAt`). */
  get steppingOver(): readonly string[] {
    return this.overMarkers;
  }

  /** Whether `commitNeededAt` would answer true now, without moving anything (the instance's quiet test). */
  wouldNeedCommit(position: (topic: string) => number | undefined): boolean {
    return this.positionsAhead(position, false);
  }

  /** The flag, or whether a position is past the next offset to process; `move`: `commitNeededAt`'s effect too. */
  private positionsAhead(position: (topic: string) => number | undefined, move: boolean): boolean {
    if (this.commitNeeded) return true;
    for (const [topic, next] of this.consumed) {
      const p = position(topic);
      if (p === undefined || p <= next) continue;
      if (!move) return true;
      this.consumed.set(topic, p);
      this.commitNeeded = true;
      this.overMarkers.push(topic);
    }
    return this.commitNeeded;
  }

  /** The stores' caches flushed: their latest values forwarded and logged (the first half of `prepareCommit`). */
  flushCaches(): void {
    for (const s of this.stores.values()) s.flush();
  }

  /**
   * `prepareCommit`: flushes the stores' caches (forwarding and logging their latest values) and
   * names the offsets to commit, each the next to process: the head of the partition's queue, or,
   * when the queue is empty, the consumer's position (`position`: the next offset to fetch, past a
   * transaction marker a fetch skipped; StreamTask.findOffset), else what was consumed.
   */
  prepareCommit(position: (topic: string) => number | undefined = () => undefined): CommittableOffset[] {
    this.flushCaches();
    const out: CommittableOffset[] = [];
    for (const topic of this.sub.sourceTopics) {
      const consumed = this.consumed.get(topic);
      if (consumed === undefined) continue;
      const offset = this.group.headOffset(topic, this.partition) ?? Math.max(consumed, position(topic) ?? consumed);
      out.push({ topic, partition: this.partition, offset, metadata: encodeCommitMetadata(this.group.partitionTime(topic, this.partition), this.processorMetadata) });
    }
    return out;
  }

  /**
   * A commit that named `offsets` succeeded: the task keeps the offsets of its own repartition
   * sources among them (Kafka's `committedOffsets`, updated once the commit returns).
   */
  noteCommitted(offsets: readonly { topic: string; partition: number; offset: number }[]): void {
    for (const o of offsets) {
      if (o.partition === this.partition && this.sourcesByTopic.has(o.topic) && this.topology.repartitionTopics.includes(o.topic)) this.committedRepartition.set(o.topic, o.offset);
    }
  }

  /**
   * `purgeableOffsets`: per repartition source, the offset the task last committed; everything below
   * it may be deleted. Committed, not consumed (KAFKA-17635): the consumed offset can run ahead of
   * what was committed (`commitNeededAt` moves it to the consumer's position), and a purge past the
   * committed offset would delete records a restart has to read again.
   */
  purgeableOffsets(): PurgeableOffset[] {
    const out: PurgeableOffset[] = [];
    for (const [topic, offset] of this.committedRepartition) out.push({ topic, partition: this.partition, offset });
    return out;
  }

  postCommit(): void {
    this.commitNeeded = false;
    this.commitRequested = false;
    if (this.overMarkers.length > 0) this.overMarkers = [];
  }

  /**
   * `suspend` of a running task, after its last commit: each processor's `close` (`closeTopology`),
   * then the buffered records and the task's times dropped (`PartitionGroup.clear`). The processors
   * and the stores stay, for a `resume`; a task closed for good is suspended first too.
   */
  suspend(): void {
    for (const p of this.processors.values()) p.close?.();
    this.group.clear();
  }

  /**
   * Restores partition times from committed metadata (KAFKA-7994), and the processors' metadata:
   * per key the largest value any partition's commit holds (`ProcessorMetadata.update`).
   */
  initializeTaskTime(committed: readonly { topic: string; metadata: string }[]): void {
    for (const c of committed) {
      const { partitionTime, processorMetadata } = decodeCommitMetadata(c.metadata);
      if (partitionTime !== undefined) this.group.setPartitionTime(c.topic, this.partition, partitionTime);
      for (const [k, v] of processorMetadata) {
        const had = this.processorMetadata.get(k);
        if (had === undefined || had < v) this.processorMetadata.set(k, v);
      }
    }
  }

  get streamTime(): number {
    return this.group.streamTime;
  }

  private forwardFrom(node: string, record: KRecord, only?: string): void {
    for (const route of this.routes.get(node)!) {
      if ('sink' in route) {
        if (only === undefined || route.sink.name === only) this.env.send(route.sink.topic, undefined, record.key, route.sink.valueOf(record));
      } else if (only === undefined || route.processor === only) {
        this.processors.get(route.processor)!.process(record);
      }
    }
  }

  private contextFor(node: string): ProcessorContext {
    const task = this;
    return {
      forward: (record, child) => task.forwardFrom(node, record, child),
      getStateStore: (name) => {
        const s = task.stores.get(name);
        if (!s) throw new Error(`processor ${node} asked for store ${name}, which is not in task ${task.id}`);
        return s;
      },
      schedule: (intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable =>
        type === 'STREAM_TIME'
          ? task.streamPunctuation.schedule(0, intervalMs, punctuator)
          : task.wallPunctuation.schedule(task.env.nowMs() + intervalMs, intervalMs, punctuator),
      get streamTime() {
        return task.group.streamTime;
      },
      currentSystemTimeMs: () => task.env.nowMs(),
      taskId: task.id,
      dropped: (reason, record, detail) => {
        task.droppedCounts.set(reason, (task.droppedCounts.get(reason) ?? 0) + 1);
        task.env.trace('record.dropped', { task: task.id, node, reason, ids: record.ids.join(','), ts: record.ts, key: record.key, ...(detail ?? {}) });
      },
      decided: (kind, record, detail) => {
        task.env.trace(kind, { task: task.id, node, ids: record.ids.join(','), ts: record.ts, key: record.key, ...detail });
      },
      bugs: task.env.bugs ?? NO_BUGS,
      trace: (kind, fields) => {
        if (task.env.detailedTrace) task.env.trace(kind, { task: task.id, node, ...fields });
      },
      commit: () => {
        task.commitRequested = true;
      },
      processorMetadataForKey: (key) => task.processorMetadata.get(key),
      addProcessorMetadataKeyValue: (key, value) => {
        task.processorMetadata.set(key, value);
        task.commitNeeded = true;
      },
    };
  }

  /** The record being processed (its origin), if any. */
  get currentRecord(): InputRecord | undefined {
    return this.current;
  }
}

/** A repartition source holds whole records; their value is the record's value. */
function unwrap(src: SourceNode, value: unknown): unknown {
  return src.topic.endsWith('-repartition') ? (value as KRecord).value : value;
}
