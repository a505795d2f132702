/**
 * What Spark's sinks that write to the log share.
 *
 * - `groupByPartition` / `rowsByPartition`: rows to the partition Kafka's
 *   default partitioner gives their key (partitions as they first come, or
 *   ascending).
 * - `plainWrites`: Spark's Kafka sink as it is, each partition's rows
 *   produced in turn by the process's idempotent producer (Kafka's
 *   `enable.idempotence` default: each batch keeps its sequence number, so
 *   one sent again — by the client after a lost reply, or after 50 ms when
 *   it failed — is written once); a batch run again writes its rows again
 *   with new numbers: at-least-once.
 * - `markedTransaction`: the idempotent write of one batch (the pattern of
 *   FileStreamSink's batch log, on the log): one transaction of a
 *   transactional id holding the rows and, as an offset of a group, the
 *   marker "version N written"; a write whose version the group already
 *   holds is skipped. Re-initialising the transactional id fences an older
 *   attempt. A step refused as fenced ends the attempt when the writer gives
 *   `onFenced` (Kafka's ProducerFencedException is fatal to its producer);
 *   every other failed step starts it again after 50 ms.
 */
import type { LogClient, LogFailure } from '../../log/client.ts';
import type { ProducerRef, TopicPartition } from '../../log/protocol.ts';
import type { TimerHandle } from '../../runtime/types.ts';
import { partitionForKey } from '../../stream/partition.ts';
import type { Row } from './dsl.ts';

/** Rows by the partition of their key, partitions in the order their first row came. */
export function groupByPartition(rows: readonly Row[], partitions: number): Map<number, Row[]> {
  const by = new Map<number, Row[]>();
  for (const row of rows) {
    const p = partitionForKey(String(row.key ?? ''), partitions);
    const list = by.get(p);
    if (list) list.push(row);
    else by.set(p, [row]);
  }
  return by;
}

export function rowsByPartition(rows: readonly Row[], partitions: number): [number, Row[]][] {
  return [...groupByPartition(rows, partitions).entries()].sort((a, b) => a[0] - b[0]);
}

type Timers = { after(ms: number, fn: () => void): TimerHandle };

/** A process's idempotent producer: its id (new at every start of the process) and its next sequence number. */
export class IdempotentProducer {
  private seq = 0;
  constructor(readonly id: string) {}

  next(): ProducerRef {
    return { id: this.id, seq: this.seq++ };
  }
}

export function plainWrites(log: LogClient, timers: Timers, producer: IdempotentProducer, topic: string, writes: readonly [number, readonly unknown[]][], done: () => void): void {
  const write = (i: number, ref = producer.next()): void => {
    if (i >= writes.length) return done();
    log.produce(topic, writes[i]![0], writes[i]![1] as unknown[], { producer: ref }, (r) => (r.ok ? write(i + 1) : timers.after(50, () => write(i, ref))));
  };
  write(0);
}

export interface MarkedTransaction {
  topic: string;
  /** The transactional id; the marker group is `group` (default: the same name). */
  id: string;
  group?: string;
  /** Where the marker is kept: a partition of the output topic. */
  marker: TopicPartition;
  /** The batch's version: written as marker offset `version + 1`. */
  version: number;
  writes: readonly [number, readonly unknown[]][];
  /** The idempotent producer id of a write to `partition` at `epoch`. */
  producerId(epoch: number, partition: number): string;
  /** Whether a version the marker holds skips the write (false: the planted bug that never looks). */
  honourMarker?: boolean;
  /** The write was skipped: the marker held version `committed`. */
  onSkip(committed: number): void;
  /**
   * A step was refused as fenced: a newer attempt initialised the transactional id. The attempt
   * ends here, without `done`: starting again would re-initialise the id and fence the newer
   * attempt in turn, and two attempts doing that fence each other without end while neither
   * commits. Without it, a fenced step starts again like any other failed one (for a writer that
   * is the only live holder of its id).
   */
  onFenced?(): void;
}

/**
 * The version a marker records (-1: none), read stably; undefined when it cannot be read now (an
 * error, or still pending in an open transaction after the client's retries: never "none").
 */
export function markedVersion(log: LogClient, group: string, marker: TopicPartition, cb: (version: number | undefined) => void): void {
  log.fetchOffsets(group, [marker], { requireStable: true }, (m) => {
    if (!m.ok || m.offsets[0]?.error !== undefined) return cb(undefined);
    cb((m.offsets[0]?.offset ?? -1) - 1);
  });
}

export function markedTransaction(log: LogClient, timers: Timers, t: MarkedTransaction, done: () => void): void {
  const retry = (): void => {
    timers.after(50, () => markedTransaction(log, timers, t, done));
  };
  const failed = (r: LogFailure): void => (r.code === 'fenced' && t.onFenced ? t.onFenced() : retry());
  const group = t.group ?? t.id;
  log.initTxn(t.id, (init) => {
    if (!init.ok) return retry();
    const txn = { id: t.id, epoch: init.epoch };
    markedVersion(log, group, t.marker, (committed) => {
      if (committed === undefined) return retry();
      if (committed >= t.version && t.honourMarker !== false) {
        t.onSkip(committed);
        return done();
      }
      const produce = (i: number): void => {
        if (i < t.writes.length) {
          const [p, rows] = t.writes[i]!;
          return log.produce(t.topic, p, rows as unknown[], { txn, producer: { id: t.producerId(init.epoch, p), seq: 0 } }, (r) => (r.ok ? produce(i + 1) : failed(r)));
        }
        const meta = { groupId: group, memberId: '', generation: -1 };
        log.sendOffsetsToTransaction(txn, meta, [{ ...t.marker, offset: t.version + 1, metadata: '' }], (o) => {
          if (!o.ok) return failed(o);
          log.endTxn(t.id, init.epoch, true, (c) => (c.ok ? done() : failed(c)));
        });
      };
      produce(0);
    });
  });
}
