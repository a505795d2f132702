/**
 * The wire protocol between log clients and the broker.
 *
 * Every request carries a `reqId` chosen by the client; the broker sends
 * exactly one reply per request it processes, to the sender, echoing the
 * `reqId`. A client retries a request with the same `reqId` when no reply
 * comes, so the broker may see a request more than once: produce is made safe
 * by producer sequence numbers, `txn.end` by being idempotent, `txn.init` by a
 * reply cache keyed by (sender, reqId); fetch, list and endOffsets are reads.
 * Consumer groups (group-coordinator.ts): a retried join replaces the member's
 * waiting join, heartbeat / leave / offset fetch are safe to repeat, and an
 * offset commit written twice holds the same value twice (the last one counts).
 * `log.deleteRecords` only ever moves the log start offset forward.
 */

export type Isolation = 'read_committed' | 'read_uncommitted';

export interface ProducerRef {
  /** Stable across the producer's restarts. */
  id: string;
  /** Per (producer id, topic, partition); a seq already applied is never appended again. */
  seq: number;
}

export interface TxnRef {
  id: string;
  epoch: number;
}

/**
 * A record with a key: what a compacted topic holds (every record produced to
 * one must have this shape), and what any topic may hold. Compaction keeps the
 * latest value per key; `value: null` is a tombstone, which deletes the key.
 */
export interface KeyedRecord {
  key: string;
  value: unknown;
}

export function isKeyedRecord(v: unknown): v is KeyedRecord {
  return typeof v === 'object' && v !== null && typeof (v as { key?: unknown }).key === 'string' && 'value' in v;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** One partition's committed position: the next offset to read, and a metadata string (Kafka Streams keeps partition time there). */
export interface OffsetAndMetadata extends TopicPartition {
  offset: number;
  metadata: string;
}

export interface FetchedRecord {
  offset: number;
  value: unknown;
}

export interface ProduceRequest {
  kind: 'log.produce';
  reqId: number;
  topic: string;
  partition: number;
  records: unknown[];
  producer?: ProducerRef;
  txn?: TxnRef;
}

export interface FetchRequest {
  kind: 'log.fetch';
  reqId: number;
  topic: string;
  partition: number;
  offset: number;
  maxRecords: number;
  isolation: Isolation;
  /**
   * Kafka's fetch.max.wait.ms: when nothing new is visible, the broker holds the
   * fetch up to this long and answers as soon as something is (0 or absent: at once).
   * Must stay below the client's request timeout, or the client resends meanwhile.
   */
  maxWaitMs?: number;
}

export interface SealRequest {
  kind: 'log.seal';
  reqId: number;
  topic: string;
  partition: number;
}

export interface EndOffsetsRequest {
  kind: 'log.endOffsets';
  reqId: number;
  topic: string;
  /** ListOffsets' isolation level: read_committed answers each partition's last stable offset (default: the high watermark). */
  isolation?: Isolation;
}

/** The Kafka producer's default transaction.timeout.ms (what a producer that gives none asks for). */
export const DEFAULT_TXN_TIMEOUT_MS = 60_000;

export interface TxnInitRequest {
  kind: 'txn.init';
  reqId: number;
  transactionalId: string;
  /** The producer's transaction.timeout.ms (default the Kafka producer's, 60 s). */
  transactionTimeoutMs?: number;
}

export interface TxnEndRequest {
  kind: 'txn.end';
  reqId: number;
  transactionalId: string;
  epoch: number;
  commit: boolean;
}

export interface TxnListRequest {
  kind: 'txn.list';
  reqId: number;
  prefix: string;
  /**
   * Also list idle producers (ids whose current epoch was initialised and has no transaction yet: a
   * zombie may still open one) and transactions being ended (a broker crash before the decision is
   * durable brings one back open): what a new attempt must initialise to have every id settled.
   */
  idle?: boolean;
}

/** Kafka's DeleteRecords: moves the partition's log start offset up to `beforeOffset` (at most the high watermark). */
export interface DeleteRecordsRequest {
  kind: 'log.deleteRecords';
  reqId: number;
  topic: string;
  partition: number;
  beforeOffset: number;
}

/** Kafka's ListOffsets(EARLIEST): the log start offset of every partition of `topic`. */
export interface StartOffsetsRequest {
  kind: 'log.startOffsets';
  reqId: number;
  topic: string;
}

/** Kafka's `Task.LATEST_OFFSET`: the offset sum a member reports for a task it is running. */
export const LATEST_OFFSET = -2;

/** A sub-topology as a member describes it: its source topics and its stores' changelog topics. */
export interface StreamsSubtopology {
  id: number;
  sourceTopics: string[];
  changelogTopics: string[];
}

/** What a Kafka Streams member's join carries (Kafka's `SubscriptionInfo` with the assignment configs). */
export interface StreamsSubscription {
  processId: string;
  subtopologies: StreamsSubtopology[];
  /** Per task id (`<sub-topology>_<partition>`): Kafka's `taskOffsetSums` (the sum of its stores' next changelog offsets; -2 running). */
  taskOffsetSums: Record<string, number>;
  standbyReplicas: number;
  acceptableRecoveryLag: number;
  /** Kafka's `max.warmup.replicas` (at least 1); absent: its default, 2. */
  maxWarmupReplicas?: number;
  /**
   * Kafka's `probing.rebalance.interval.ms`: how long after an assignment that moved tasks (and so
   * left warm-ups) the group rebalances again to see whether they caught up; absent: never.
   */
  probingRebalanceIntervalMs?: number;
}

/** Kafka's default `max.warmup.replicas`. */
export const DEFAULT_MAX_WARMUP_REPLICAS = 2;

/** One Kafka Streams member's active and standby tasks (task ids `<sub-topology>_<partition>`). */
export interface StreamsTasks {
  active: string[];
  standby: string[];
}

/** Joins (or rejoins) a consumer group; answered once the rebalance it takes part in completes. */
export interface JoinGroupRequest {
  kind: 'group.join';
  reqId: number;
  groupId: string;
  /** Chosen by the client, fresh per client incarnation (Kafka generates `clientId-UUID`). */
  memberId: string;
  topics: string[];
  sessionTimeoutMs: number;
  /** How long a rebalance waits for this member to rejoin (Kafka: max.poll.interval.ms). */
  rebalanceTimeoutMs: number;
  /**
   * A Kafka Streams member's subscription (Kafka's `SubscriptionInfo`): its process, the
   * application's sub-topologies and the offset sums of the task state it holds. A group whose
   * members all carry one is assigned tasks (task-assignor.ts), not partitions.
   */
  streams?: StreamsSubscription;
  /** Why the member joins (Kafka's JoinGroup reason, KIP-800), traced with the rebalance it starts. */
  reason?: string;
}

export interface HeartbeatRequest {
  kind: 'group.heartbeat';
  reqId: number;
  groupId: string;
  memberId: string;
  generation: number;
}

export interface LeaveGroupRequest {
  kind: 'group.leave';
  reqId: number;
  groupId: string;
  memberId: string;
}

/** Kafka's OffsetCommit. `generation: -1` and `memberId: ''` commit for a group without members (a standalone consumer). */
export interface OffsetCommitRequest {
  kind: 'group.commit';
  reqId: number;
  groupId: string;
  memberId: string;
  generation: number;
  offsets: OffsetAndMetadata[];
}

export interface OffsetFetchRequest {
  kind: 'group.fetchOffsets';
  reqId: number;
  groupId: string;
  partitions: TopicPartition[];
  /** Answer `unstable-offset-commit` for a partition with offsets pending in an open transaction (KIP-447). */
  requireStable: boolean;
}

/** Kafka's AddOffsetsToTxn + TxnOffsetCommit in one request (the producer's sendOffsetsToTransaction). */
export interface TxnOffsetCommitRequest {
  kind: 'txn.offsets';
  reqId: number;
  transactionalId: string;
  epoch: number;
  groupId: string;
  memberId: string;
  generation: number;
  offsets: OffsetAndMetadata[];
}

export type LogRequest =
  | ProduceRequest
  | FetchRequest
  | SealRequest
  | EndOffsetsRequest
  | TxnInitRequest
  | TxnEndRequest
  | TxnListRequest
  | DeleteRecordsRequest
  | StartOffsetsRequest
  | JoinGroupRequest
  | HeartbeatRequest
  | LeaveGroupRequest
  | OffsetCommitRequest
  | OffsetFetchRequest
  | TxnOffsetCommitRequest;

/**
 * `unknown-member`, `illegal-generation`, `rebalance-in-progress`: Kafka's
 * UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS (the member
 * rejoins; a commit with them is fenced). `offset-out-of-range`: a fetch
 * below the log start offset, or a delete beyond the high watermark.
 * `policy-violation`: deleting records of a compacted topic.
 * `concurrent-transactions`: Kafka's CONCURRENT_TRANSACTIONS, answered while
 * the id's previous transaction is being ended (to an InitProducerId, to a
 * produce or offsets commit joining the next transaction, to an EndTxn sent
 * again); the client waits and asks again (see client.ts).
 */
export type ErrorCode =
  | 'fenced' | 'aborted' | 'unknown-topic' | 'bad-request'
  | 'unknown-member' | 'illegal-generation' | 'rebalance-in-progress'
  | 'offset-out-of-range' | 'policy-violation' | 'concurrent-transactions';

export interface ProducedReply { kind: 'log.produced'; reqId: number; baseOffset: number }
export interface FetchedReply {
  kind: 'log.fetched';
  reqId: number;
  records: FetchedRecord[];
  nextOffset: number;
  endOfPartition: boolean;
  /**
   * Kafka's FetchResponse fields: the partition's high watermark (here its durable end) and last
   * stable offset when the fetch was answered, from which a consumer knows its lag.
   */
  highWatermark: number;
  lastStableOffset: number;
}
export interface SealedReply { kind: 'log.sealed'; reqId: number }
export interface EndOffsetsReply { kind: 'log.endOffsets.ok'; reqId: number; offsets: number[] }
export interface TxnInitedReply { kind: 'txn.inited'; reqId: number; epoch: number }
export interface TxnEndedReply { kind: 'txn.ended'; reqId: number }
/** A transactional id `txn.list` names: its transaction open or being ended, or (asked for idle ones) a producer with none yet in its epoch. */
export interface ListedTxn { transactionalId: string; epoch: number; state: 'open' | 'ending' | 'idle' }

export interface TxnListedReply { kind: 'txn.listed'; reqId: number; open: ListedTxn[] }
export interface ErrorReply { kind: 'log.error'; reqId: number; code: ErrorCode; message: string }
export interface RecordsDeletedReply { kind: 'log.recordsDeleted'; reqId: number; lowWatermark: number }
export interface StartOffsetsReply { kind: 'log.startOffsets.ok'; reqId: number; offsets: number[] }
export interface GroupJoinedReply {
  kind: 'group.joined';
  reqId: number;
  generation: number;
  /** This member's partitions, sorted by topic then partition. */
  assignment: TopicPartition[];
  /** Every member of the generation, sorted. */
  members: string[];
  /** Every member's partitions (what the group leader sees of the whole assignment). */
  assignments: Record<string, TopicPartition[]>;
  /** A Kafka Streams group: this member's active and standby tasks. */
  tasks?: StreamsTasks;
  /**
   * When this member should join again to probe warm-up replicas (Kafka's
   * `AssignmentInfo.nextRebalanceMs`, virtual ms): set for the group leader's member only, when
   * the assignment moved tasks.
   */
  nextRebalanceMs?: number;
}
/** Heartbeat, leave, commit and transactional commit succeeded. */
export interface GroupOkReply { kind: 'group.ok'; reqId: number }
/** Per partition asked: the committed offset (-1: none), or `error: 'unstable-offset-commit'` (Kafka's UNSTABLE_OFFSET_COMMIT; retry). */
export interface FetchedOffset extends TopicPartition {
  offset: number;
  metadata: string;
  error?: 'unstable-offset-commit';
}
export interface OffsetsFetchedReply { kind: 'group.offsets'; reqId: number; offsets: FetchedOffset[] }

export type LogReply =
  | ProducedReply
  | FetchedReply
  | SealedReply
  | EndOffsetsReply
  | TxnInitedReply
  | TxnEndedReply
  | TxnListedReply
  | ErrorReply
  | RecordsDeletedReply
  | StartOffsetsReply
  | GroupJoinedReply
  | GroupOkReply
  | OffsetsFetchedReply;

const REQUEST_KINDS: ReadonlySet<string> = new Set([
  'log.produce', 'log.fetch', 'log.seal', 'log.endOffsets', 'txn.init', 'txn.end', 'txn.list',
  'log.deleteRecords', 'log.startOffsets', 'group.join', 'group.heartbeat', 'group.leave', 'group.commit', 'group.fetchOffsets', 'txn.offsets',
]);

const REPLY_KINDS: ReadonlySet<string> = new Set([
  'log.produced', 'log.fetched', 'log.sealed', 'log.endOffsets.ok', 'txn.inited', 'txn.ended', 'txn.listed', 'log.error',
  'log.recordsDeleted', 'log.startOffsets.ok', 'group.joined', 'group.ok', 'group.offsets',
]);

function hasKindAndReqId(msg: unknown): msg is { kind: string; reqId: number } {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as { kind?: unknown; reqId?: unknown };
  return typeof m.kind === 'string' && typeof m.reqId === 'number';
}

/** True when `msg` has the shape of a request (kind and reqId; fields are checked by the broker). */
export function isLogRequest(msg: unknown): msg is LogRequest {
  return hasKindAndReqId(msg) && REQUEST_KINDS.has(msg.kind);
}

export function isLogReply(msg: unknown): msg is LogReply {
  return hasKindAndReqId(msg) && REPLY_KINDS.has(msg.kind);
}
