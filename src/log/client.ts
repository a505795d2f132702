/**
 * The client side of the log protocol, used by the engine's sources and
 * sinks and by the workload producer. It lives inside its owner process
 * (which routes every incoming message to `handle` first) and, like the
 * owner, loses everything on a crash.
 *
 * Retries come from the shared `RequestClient`: a request without a reply
 * is resent with the same reqId, then fails with code `timeout`. Retrying is
 * safe for every request: fetch, list and endOffsets only read; a produce with
 * `producer: {id, seq}` is deduplicated by the broker; `txn.end` is
 * idempotent; `txn.init` is deduplicated by (sender, reqId). A produce
 * WITHOUT a producer seq may be appended twice when a reply is lost and the
 * retry goes through: that is at-least-once delivery. Group requests are safe
 * to retry too (see protocol.ts).
 *
 * A transactional request answered `concurrent-transactions` (its id's last
 * transaction is still being ended) is sent again after a pause, as Kafka's
 * `TransactionManager` re-enqueues it: InitProducerId, EndTxn and an offsets
 * commit after `retry.backoff.ms` (100 ms), a produce joining the next
 * transaction after 20 ms (Kafka's AddPartitionsToTxn backoff for that case,
 * `ADD_PARTITIONS_RETRY_BACKOFF_MS`), for up to `max.block.ms` (60 s), after
 * which the answer is handed to the caller as it is.
 */
import {
  DEFAULT_TXN_TIMEOUT_MS, isLogReply,
  type ErrorCode, type FetchedOffset, type ListedTxn, type FetchedRecord, type FetchRequest, type Isolation, type LogReply, type LogRequest,
  type OffsetAndMetadata, type ProduceRequest, type ProducerRef, type StreamsSubscription, type StreamsTasks, type TopicPartition, type TxnRef,
} from './protocol.ts';
import type { ProcessContext, ProcessId } from '../runtime/types.ts';
import { RequestClient, type RequestClientOptions } from '../runtime/request-client.ts';

export type LogClientOptions = RequestClientOptions;

export interface LogFailure {
  ok: false;
  code: ErrorCode | 'timeout' | 'bad-reply';
  message: string;
}

export type ProduceResult = { ok: true; baseOffset: number } | LogFailure;
export type FetchResult =
  | { ok: true; records: FetchedRecord[]; nextOffset: number; endOfPartition: boolean; highWatermark: number; lastStableOffset: number }
  | LogFailure;
export type AckResult = { ok: true } | LogFailure;
export type InitTxnResult = { ok: true; epoch: number } | LogFailure;
export type ListTxnsResult = { ok: true; open: ListedTxn[] } | LogFailure;
export type EndOffsetsResult = { ok: true; offsets: number[] } | LogFailure;
export type DeleteRecordsResult = { ok: true; lowWatermark: number } | LogFailure;
export type JoinGroupResult = {
  ok: true; generation: number; assignment: TopicPartition[]; members: string[]; assignments: Record<string, TopicPartition[]>; tasks?: StreamsTasks; nextRebalanceMs?: number;
} | LogFailure;
export type FetchOffsetsResult = { ok: true; offsets: FetchedOffset[] } | LogFailure;

/** Who commits offsets: Kafka's ConsumerGroupMetadata (`generation: -1`, `memberId: ''` for a consumer outside group management). */
export interface GroupMetadata {
  groupId: string;
  memberId: string;
  generation: number;
}

export interface JoinOptions {
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** A Kafka Streams member's subscription (see `JoinGroupRequest.streams`). */
  streams?: StreamsSubscription;
  /** Why it joins (see `JoinGroupRequest.reason`). */
  reason?: string;
}

export interface FetchOffsetsOptions {
  /** Ask for stable offsets; partitions with a transactional commit pending are retried (Kafka's consumer always does). */
  requireStable?: boolean;
  /** Pause between retries of unstable partitions (Kafka's retry.backoff.ms, default 100). */
  retryBackoffMs?: number;
  /** Retries before the unstable answer is returned as it is (default 100). */
  maxRetries?: number;
}

export interface ProduceOptions {
  producer?: ProducerRef;
  txn?: TxnRef;
}

type RequestBody<R> = R extends LogRequest ? Omit<R, 'reqId'> : never;

/**
 * A consumer's lag on a partition after fetch reply `r`, as Kafka's `SubscriptionState.partitionLag`
 * computes it from the reply's fields: what the broker holds beyond the position the fetch left
 * (`nextOffset`), counted to the last stable offset under read_committed and to the high watermark
 * otherwise; never below 0.
 */
export function partitionLag(r: { nextOffset: number; highWatermark: number; lastStableOffset: number }, isolation: Isolation): number {
  return Math.max(0, (isolation === 'read_committed' ? r.lastStableOffset : r.highWatermark) - r.nextOffset);
}

/** Forgets a request in flight (its callback is never called; it is not sent again). */
export type Cancel = () => void;

/** Kafka's producer `retry.backoff.ms`: the pause before a transactional request answered `concurrent-transactions` is sent again. */
export const TXN_RETRY_BACKOFF_MS = 100;
/** Kafka's `ADD_PARTITIONS_RETRY_BACKOFF_MS`: a produce that would begin the next transaction while the last is being ended waits this long. */
export const ADD_PARTITIONS_RETRY_BACKOFF_MS = 20;
/** Kafka's producer `max.block.ms`: how long a `concurrent-transactions` answer is retried before it is handed back. */
const CONCURRENT_RETRY_LIMIT_MS = 60_000;

export class LogClient {
  private readonly rpc: RequestClient<LogReply>;
  /** Bumped by cancelAll, so a retry pause that ends afterwards sends nothing. */
  private cancels = 0;

  constructor(private readonly ctx: ProcessContext, readonly brokerId: ProcessId, opts: LogClientOptions = {}) {
    this.rpc = new RequestClient(ctx, brokerId, isLogReply, opts);
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.rpc.inFlight;
  }

  /** Takes `msg` if it is a reply to one of this client's requests (also a late duplicate); true if taken. */
  handle(from: ProcessId, msg: unknown): boolean {
    return this.rpc.handle(from, msg);
  }

  produce(topic: string, partition: number, records: unknown[], opts: ProduceOptions, cb: (r: ProduceResult) => void): void {
    // Optional keys are added in place of a spread: the same keys in the same order, without the temporary objects.
    const body: RequestBody<ProduceRequest> = {
      kind: 'log.produce', topic, partition, records,
    };
    if (opts.producer !== undefined) body.producer = opts.producer;
    if (opts.txn === undefined) {
      this.request(body, cb, decodeProduced);
      return;
    }
    body.txn = opts.txn;
    // The request client stamps its reqId on the body it sends, so an attempt after the first sends a copy.
    let sent = false;
    this.whileConcurrent(ADD_PARTITIONS_RETRY_BACKOFF_MS, (answer) => this.request(sent ? { ...body } : ((sent = true), body), answer, decodeProduced), cb);
  }

  fetch(topic: string, partition: number, offset: number, maxRecords: number, isolation: Isolation, cb: (r: FetchResult) => void, maxWaitMs = 0): void {
    const body: RequestBody<FetchRequest> = {
      kind: 'log.fetch', topic, partition, offset, maxRecords, isolation,
    };
    if (maxWaitMs > 0) body.maxWaitMs = maxWaitMs;
    this.request(body, cb, decodeFetched);
  }

  seal(topic: string, partition: number, cb: (r: AckResult) => void): void {
    this.request({ kind: 'log.seal', topic, partition }, cb, (r) => (r.kind === 'log.sealed' ? { ok: true } : undefined));
  }

  /** Kafka's ListOffsets for the latest offsets: the high watermarks, or under read_committed the last stable offsets. */
  endOffsets(topic: string, cb: (r: EndOffsetsResult) => void, isolation?: Isolation): void {
    this.request({ kind: 'log.endOffsets', topic, ...(isolation !== undefined ? { isolation } : {}) }, cb, (r) => (r.kind === 'log.endOffsets.ok' ? { ok: true, offsets: r.offsets } : undefined));
  }

  /**
   * Kafka's InitProducerId; `timeoutMs` is the producer's transaction.timeout.ms (the producer's
   * default, 60 s, when absent). The epoch the producer got is traced as `producer.init`, with the
   * timeout it asked for, so a judge can hold the broker's transactions to what their producer asked.
   */
  initTxn(transactionalId: string, cb: (r: InitTxnResult) => void, timeoutMs?: number): Cancel {
    const asked = timeoutMs ?? DEFAULT_TXN_TIMEOUT_MS;
    return this.whileConcurrent(TXN_RETRY_BACKOFF_MS, (answer) => this.request<Extract<InitTxnResult, { ok: true }>>(
      { kind: 'txn.init', transactionalId, ...(timeoutMs !== undefined ? { transactionTimeoutMs: timeoutMs } : {}) },
      answer,
      (r) => (r.kind === 'txn.inited' ? { ok: true, epoch: r.epoch } : undefined),
    ), (r: InitTxnResult) => {
      if (r.ok) this.ctx.trace.emit('producer.init', { transactionalId, epoch: r.epoch, timeoutMs: asked });
      cb(r);
    });
  }

  endTxn(transactionalId: string, epoch: number, commit: boolean, cb: (r: AckResult) => void): void {
    this.whileConcurrent(TXN_RETRY_BACKOFF_MS, (answer) => this.request({ kind: 'txn.end', transactionalId, epoch, commit }, answer, (r) => (r.kind === 'txn.ended' ? { ok: true } : undefined)), cb);
  }

  /** Open transactions under `prefix`; with `idle`, also producers whose current epoch has no transaction yet, and transactions being ended. */
  listTxns(prefix: string, cb: (r: ListTxnsResult) => void, idle = false): void {
    this.request({ kind: 'txn.list', prefix, ...(idle ? { idle } : {}) }, cb, (r) => (r.kind === 'txn.listed' ? { ok: true, open: r.open } : undefined));
  }

  /** Kafka's DeleteRecords: moves the partition's log start offset to `beforeOffset`; answers the new low watermark. */
  deleteRecords(topic: string, partition: number, beforeOffset: number, cb: (r: DeleteRecordsResult) => void): void {
    this.request({ kind: 'log.deleteRecords', topic, partition, beforeOffset }, cb, (r) =>
      r.kind === 'log.recordsDeleted' ? { ok: true, lowWatermark: r.lowWatermark } : undefined,
    );
  }

  /** The log start offset of every partition of `topic` (Kafka's ListOffsets, EARLIEST). */
  startOffsets(topic: string, cb: (r: EndOffsetsResult) => void): void {
    this.request({ kind: 'log.startOffsets', topic }, cb, (r) => (r.kind === 'log.startOffsets.ok' ? { ok: true, offsets: r.offsets } : undefined));
  }

  /** Joins `groupId` as `memberId`; answers when the rebalance completes (group-member.ts keeps a member in a group). */
  joinGroup(groupId: string, memberId: string, topics: string[], opts: JoinOptions, cb: (r: JoinGroupResult) => void): void {
    this.request({ kind: 'group.join', groupId, memberId, topics, ...opts }, cb, (r) =>
      r.kind === 'group.joined'
        ? {
          ok: true, generation: r.generation, assignment: r.assignment, members: r.members, assignments: r.assignments,
          ...(r.tasks === undefined ? {} : { tasks: r.tasks }), ...(r.nextRebalanceMs === undefined ? {} : { nextRebalanceMs: r.nextRebalanceMs }),
        }
        : undefined,
    );
  }

  heartbeat(groupId: string, memberId: string, generation: number, cb: (r: AckResult) => void): void {
    this.request({ kind: 'group.heartbeat', groupId, memberId, generation }, cb, (r) => (r.kind === 'group.ok' ? { ok: true } : undefined));
  }

  leaveGroup(groupId: string, memberId: string, cb: (r: AckResult) => void): void {
    this.request({ kind: 'group.leave', groupId, memberId }, cb, (r) => (r.kind === 'group.ok' ? { ok: true } : undefined));
  }

  /** Kafka's commitSync: fenced with `unknown-member` / `illegal-generation` when `group` is stale. */
  commitOffsets(group: GroupMetadata, offsets: OffsetAndMetadata[], cb: (r: AckResult) => void): void {
    this.request({ kind: 'group.commit', ...group, offsets }, cb, (r) => (r.kind === 'group.ok' ? { ok: true } : undefined));
  }

  /** The producer's sendOffsetsToTransaction: the offsets commit with transaction (`transactionalId`, `epoch`), or not at all. */
  sendOffsetsToTransaction(txn: TxnRef, group: GroupMetadata, offsets: OffsetAndMetadata[], cb: (r: AckResult) => void): void {
    this.whileConcurrent(TXN_RETRY_BACKOFF_MS, (answer) => this.request({ kind: 'txn.offsets', transactionalId: txn.id, epoch: txn.epoch, ...group, offsets }, answer, (r) =>
      r.kind === 'group.ok' ? { ok: true } : undefined,
    ), cb);
  }

  /**
   * Kafka's OffsetFetch (offset -1: nothing committed). With `requireStable`,
   * a partition answered `unstable-offset-commit` is asked again after
   * `retryBackoffMs`, as Kafka's ConsumerCoordinator does, until every
   * partition is stable or the retries run out.
   */
  fetchOffsets(groupId: string, partitions: TopicPartition[], opts: FetchOffsetsOptions, cb: (r: FetchOffsetsResult) => void): void {
    const requireStable = opts.requireStable ?? true;
    const cancels = this.cancels;
    const attempt = (left: number): void => {
      if (this.cancels !== cancels) return;
      this.request({ kind: 'group.fetchOffsets', groupId, partitions, requireStable }, (r: FetchOffsetsResult) => {
        if (r.ok && left > 0 && r.offsets.some((o) => o.error !== undefined)) {
          this.ctx.timers.after(opts.retryBackoffMs ?? 100, () => attempt(left - 1));
          return;
        }
        cb(r);
      }, (r) => (r.kind === 'group.offsets' ? { ok: true, offsets: r.offsets } : undefined));
    };
    attempt(opts.maxRetries ?? 100);
  }

  /**
   * Sends with `send` and, while the answer is `concurrent-transactions`, again after `backoffMs`,
   * for up to CONCURRENT_RETRY_LIMIT_MS; `cb` gets the first other answer. Cancelling, or
   * `cancelAll`, stops it between two attempts as well.
   */
  private whileConcurrent<T extends { ok: true }>(backoffMs: number, send: (answer: (r: T | LogFailure) => void) => Cancel, cb: (r: T | LogFailure) => void): Cancel {
    const cancels = this.cancels;
    const deadline = this.ctx.clock.now() + CONCURRENT_RETRY_LIMIT_MS;
    let cancelled = false;
    let current: Cancel | undefined;
    const attempt = (): void => {
      if (cancelled || this.cancels !== cancels) return;
      current = send((r) => {
        if (!r.ok && r.code === 'concurrent-transactions' && this.ctx.clock.now() + backoffMs <= deadline) {
          current = undefined;
          this.ctx.timers.after(backoffMs, attempt);
          return;
        }
        cb(r);
      });
    };
    attempt();
    return () => {
      cancelled = true;
      current?.();
    };
  }

  /** Forgets every pending request without calling its callback (the owner is shutting a component down). */
  cancelAll(): void {
    this.cancels++;
    this.rpc.cancelAll();
  }

  private request<T extends { ok: true }>(
    body: RequestBody<LogRequest>,
    cb: (r: T | LogFailure) => void,
    decode: (reply: LogReply) => T | undefined,
  ): Cancel {
    // Every body is built afresh by the method that asks, so it is sent as it is.
    const reqId = this.rpc.requestOwned(
      body,
      (reply) => {
        if (reply.kind === 'log.error') return cb({ ok: false, code: reply.code, message: reply.message });
        const r = decode(reply);
        cb(r ?? { ok: false, code: 'bad-reply', message: `unexpected reply '${reply.kind}' to '${body.kind}'` });
      },
      () => cb({ ok: false, code: 'timeout', message: `no reply to '${body.kind}' after ${this.rpc.maxRetries} retries` }),
    );
    return () => this.rpc.cancel(reqId);
  }
}

function decodeProduced(r: LogReply): Extract<ProduceResult, { ok: true }> | undefined {
  return r.kind === 'log.produced' ? { ok: true, baseOffset: r.baseOffset } : undefined;
}

function decodeFetched(r: LogReply): Extract<FetchResult, { ok: true }> | undefined {
  return r.kind === 'log.fetched'
    ? { ok: true, records: r.records, nextOffset: r.nextOffset, endOfPartition: r.endOfPartition, highWatermark: r.highWatermark, lastStableOffset: r.lastStableOffset }
    : undefined;
}
