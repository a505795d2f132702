/**
 * What the internal `__consumer_offsets` topic holds and how it is read, as
 * in Kafka's `GroupMetadataManager` / `OffsetMetadataManager`: keyed records,
 * compacted like any compacted topic.
 *
 * - Offset commit: key `["o", group, topic, partition]`, value `{offset, metadata}`.
 * - Group metadata: key `["g", group]`, value `GroupRecord` (the generation,
 *   its members with their assignment, and its leader), written when a
 *   rebalance completes.
 *
 * A plain OffsetCommit appends a plain batch; a transactional one
 * (TxnOffsetCommit) appends a batch of the producer's open transaction, so the
 * transaction markers, roll-forward and fencing of the partition logs decide
 * it too. The committed value of a key is the one with the highest record
 * offset among the durable records that are plain or of committed
 * transactions — Kafka materialises a transactional commit only when its
 * record offset is above the current one's (OffsetMetadataManager
 * `replayEndTransactionMarker`), which is the same rule — and compaction keeps
 * exactly that record. Records of open transactions are pending: OffsetFetch
 * with requireStable answers UNSTABLE_OFFSET_COMMIT for their partitions.
 */
import type { PartitionLog } from './partition-log.ts';
import { isKeyedRecord, type FetchedOffset, type KeyedRecord, type OffsetAndMetadata, type StreamsTasks, type TopicPartition } from './protocol.ts';

export interface GroupRecordMember {
  id: string;
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  assignment: TopicPartition[];
  /** A Kafka Streams member's tasks. */
  tasks?: StreamsTasks;
}

export interface GroupRecord {
  generation: number;
  /** Sorted by id; empty when the group is empty. */
  members: GroupRecordMember[];
  /** The group leader's member id (Kafka's `GroupMetadataValue.leader`); absent when the group is empty. */
  leader?: string;
}

export function offsetKey(group: string, topic: string, partition: number): string {
  return JSON.stringify(['o', group, topic, partition]);
}

export function groupKey(group: string): string {
  return JSON.stringify(['g', group]);
}

export function offsetRecord(group: string, o: OffsetAndMetadata): KeyedRecord {
  return { key: offsetKey(group, o.topic, o.partition), value: { offset: o.offset, metadata: o.metadata } };
}

export function groupRecord(group: string, value: GroupRecord): KeyedRecord {
  return { key: groupKey(group), value };
}

/** The committed value of every key of the offsets log (see the module comment). */
function committedValues(log: PartitionLog, wanted: (key: string) => boolean): Map<string, unknown> {
  const out = new Map<string, unknown>();
  log.forEachRecord((offset, record, status) => {
    if (offset >= log.durableEnd || (status !== 'plain' && status !== 'committed')) return;
    if (isKeyedRecord(record) && wanted(record.key)) out.set(record.key, record.value);
  });
  return out;
}

/**
 * Kafka's OffsetFetch for `partitions` of `group` (offset -1: nothing committed). Each partition's
 * key is looked up by itself (the log keeps its records by key; Kafka's coordinator answers from
 * its cache of the same records): its committed value, and whether a transaction still open wrote it.
 */
export function fetchOffsets(log: PartitionLog, group: string, partitions: readonly TopicPartition[], requireStable: boolean): FetchedOffset[] {
  return partitions.map((tp) => {
    const key = offsetKey(group, tp.topic, tp.partition);
    let committed: unknown;
    let pending = false;
    log.forEachOfKey(key, (offset, record, status) => {
      if (status === 'open') pending = true;
      else if (offset < log.durableEnd && (status === 'plain' || status === 'committed')) committed = (record as KeyedRecord).value;
    });
    if (requireStable && pending) return { topic: tp.topic, partition: tp.partition, offset: -1, metadata: '', error: 'unstable-offset-commit' };
    const v = committed as { offset?: unknown; metadata?: unknown } | null | undefined;
    if (typeof v?.offset !== 'number') return { topic: tp.topic, partition: tp.partition, offset: -1, metadata: '' };
    return { topic: tp.topic, partition: tp.partition, offset: v.offset, metadata: typeof v.metadata === 'string' ? v.metadata : '' };
  });
}

/** Every group's last durable metadata record, by group id (sorted). */
export function loadGroups(log: PartitionLog): Map<string, GroupRecord> {
  const found = committedValues(log, (k) => k.startsWith('["g",'));
  const out = new Map<string, GroupRecord>();
  for (const key of [...found.keys()].sort()) {
    const group = (JSON.parse(key) as [string, string])[1];
    out.set(group, found.get(key) as GroupRecord);
  }
  return out;
}
