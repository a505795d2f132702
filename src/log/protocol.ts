/**
 * The wire protocol between log clients and the broker.
 *
 * Every request carries a `reqId` chosen by the client; the broker sends
 * exactly one reply per request it processes, to the sender, echoing the
 * `reqId`. A client retries a request with the same `reqId` when no reply
 * comes, so the broker may see a request more than once: produce is made safe
 * by producer sequence numbers, `txn.end` by being idempotent, `txn.init` by a
 * reply cache keyed by (sender, reqId); fetch, list and endOffsets are reads.
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
}

export interface TxnInitRequest {
  kind: 'txn.init';
  reqId: number;
  transactionalId: string;
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
  /** Also list idle producers: ids whose current epoch was initialised and has no transaction yet (a zombie may still open one). */
  idle?: boolean;
}

export type LogRequest =
  | ProduceRequest
  | FetchRequest
  | SealRequest
  | EndOffsetsRequest
  | TxnInitRequest
  | TxnEndRequest
  | TxnListRequest;

export type ErrorCode = 'fenced' | 'aborted' | 'unknown-topic' | 'bad-request';

export interface ProducedReply { kind: 'log.produced'; reqId: number; baseOffset: number }
export interface FetchedReply {
  kind: 'log.fetched';
  reqId: number;
  records: FetchedRecord[];
  nextOffset: number;
  endOfPartition: boolean;
}
export interface SealedReply { kind: 'log.sealed'; reqId: number }
export interface EndOffsetsReply { kind: 'log.endOffsets.ok'; reqId: number; offsets: number[] }
export interface TxnInitedReply { kind: 'txn.inited'; reqId: number; epoch: number }
export interface TxnEndedReply { kind: 'txn.ended'; reqId: number }
export interface TxnListedReply { kind: 'txn.listed'; reqId: number; open: { transactionalId: string; epoch: number }[] }
export interface ErrorReply { kind: 'log.error'; reqId: number; code: ErrorCode; message: string }

export type LogReply =
  | ProducedReply
  | FetchedReply
  | SealedReply
  | EndOffsetsReply
  | TxnInitedReply
  | TxnEndedReply
  | TxnListedReply
  | ErrorReply;

const REQUEST_KINDS: ReadonlySet<string> = new Set([
  'log.produce', 'log.fetch', 'log.seal', 'log.endOffsets', 'txn.init', 'txn.end', 'txn.list',
]);

const REPLY_KINDS: ReadonlySet<string> = new Set([
  'log.produced', 'log.fetched', 'log.sealed', 'log.endOffsets.ok', 'txn.inited', 'txn.ended', 'txn.listed', 'log.error',
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
