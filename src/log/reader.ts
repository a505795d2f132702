/**
 * Reads a broker's topics offline, from its disk, after a simulation: what a
 * consumer would see from a broker restarted on that disk. It runs the
 * broker's own recovery (recovery.ts), so decisions the broker made durable
 * but had not yet marked on every partition count as made.
 *
 * It reads the files' current content: call it when the broker has synced
 * (the end of a run that converged), or after crashing the broker to read
 * only what is durable. read_committed stops at the Last Stable Offset, as a
 * consumer would: records behind a transaction still open are not shown
 * (`inspectTopic` tells why).
 */
import { recover } from './recovery.ts';
import type { PartitionLog } from './partition-log.ts';
import type { FetchedRecord, Isolation } from './protocol.ts';
import type { Disk } from '../runtime/types.ts';

/** A record as read: its offset and value (the partition is its list's index). */
export type TopicRecord = FetchedRecord;

export interface PartitionSummary {
  partition: number;
  endOffset: number;
  lastStableOffset: number;
  sealed: boolean;
  openTxns: { transactionalId: string; epoch: number; firstOffset: number }[];
}

/** The broker's disk recovered once, offline, to read and inspect several topics without decoding it again. */
export class OfflineLog {
  private readonly logs: Map<string, PartitionLog[]>;

  /** `topics`: the topics to read (default all); others are decoded only when they may take part in transactions. */
  constructor(disk: Disk, topics?: readonly string[]) {
    this.logs = recover(disk, {}, topics === undefined ? {} : { only: new Set(topics) }).logs;
    // Offline, everything on disk counts as durable, including rolled-forward markers.
    for (const logs of this.logs.values()) for (const log of logs) log.durableEnd = log.endOffset;
  }

  /** The records of `topic` a consumer with `isolation` would read, per partition in order. */
  read(topic: string, isolation: Isolation): TopicRecord[][] {
    // The log's read builds a fresh record per offset: handed on as they are, not copied again.
    return (this.logs.get(topic) ?? []).map((log) => log.read(0, Number.MAX_SAFE_INTEGER, isolation).records);
  }

  /** Per partition of `topic`: end offset, Last Stable Offset, seal and the transactions still open. */
  inspect(topic: string): PartitionSummary[] {
    return (this.logs.get(topic) ?? []).map((log) => ({
      partition: log.partition,
      endOffset: log.endOffset,
      lastStableOffset: log.lastStableOffset(),
      sealed: log.sealed,
      openTxns: [...log.openTxns.values()].map((t) => ({ transactionalId: t.id, epoch: t.epoch, firstOffset: t.firstOffset })),
    }));
  }
}

/** The records of `topic` a consumer with `isolation` would read, per partition in order. */
export function readTopic(disk: Disk, topic: string, isolation: Isolation): TopicRecord[][] {
  return new OfflineLog(disk).read(topic, isolation);
}

/** Per partition of `topic`: end offset, Last Stable Offset, seal and the transactions still open. */
export function inspectTopic(disk: Disk, topic: string): PartitionSummary[] {
  return new OfflineLog(disk).inspect(topic);
}
