/**
 * The client side of the log protocol, used by the engine's sources and
 * sinks and by the workload producer. It lives inside its owner process
 * (which routes every incoming message to `handle` first) and, like the
 * owner, loses everything on a crash.
 *
 * Retries: a request without a reply after `requestTimeoutMs` of virtual time
 * is sent again with the SAME reqId, up to `maxRetries` times, then fails
 * with code `timeout`. The first reply wins; later duplicates are swallowed.
 * Retrying is safe for every request: fetch, list and endOffsets only read;
 * a produce with `producer: {id, seq}` is deduplicated by the broker;
 * `txn.end` is idempotent; `txn.init` is deduplicated by (sender, reqId).
 * A produce WITHOUT a producer seq may be appended twice when a reply is
 * lost and the retry goes through: that is at-least-once delivery.
 *
 * reqIds are unique per process incarnation across all clients of that
 * process (a counter per context, offset by the incarnation), so several
 * clients can share one process and one broker.
 */
import { isLogReply, type ErrorCode, type FetchedRecord, type Isolation, type LogReply, type LogRequest, type ProducerRef, type TxnRef } from './protocol.ts';
import type { ProcessContext, ProcessId, TimerHandle } from '../runtime/types.ts';

export interface LogClientOptions {
  /** Virtual time to wait for a reply before resending (default 200). */
  requestTimeoutMs?: number;
  /** Resends before a request fails with `timeout` (default 1000). */
  maxRetries?: number;
}

export interface LogFailure {
  ok: false;
  code: ErrorCode | 'timeout' | 'bad-reply';
  message: string;
}

export type ProduceResult = { ok: true; baseOffset: number } | LogFailure;
export type FetchResult = { ok: true; records: FetchedRecord[]; nextOffset: number; endOfPartition: boolean } | LogFailure;
export type AckResult = { ok: true } | LogFailure;
export type InitTxnResult = { ok: true; epoch: number } | LogFailure;
export type ListTxnsResult = { ok: true; open: { transactionalId: string; epoch: number }[] } | LogFailure;
export type EndOffsetsResult = { ok: true; offsets: number[] } | LogFailure;

export interface ProduceOptions {
  producer?: ProducerRef;
  txn?: TxnRef;
}

interface Pending {
  req: LogRequest;
  retriesLeft: number;
  timer: TimerHandle;
  onReply: (reply: LogReply) => void;
  onTimeout: () => void;
}

type RequestBody<R> = R extends LogRequest ? Omit<R, 'reqId'> : never;

/** Replies remembered after completion, so late duplicates are recognised as this client's. */
const DONE_KEPT = 1024;
const REQ_IDS_PER_INCARNATION = 2 ** 32;

const reqCounters = new WeakMap<ProcessContext, { next: number }>();

function nextReqId(ctx: ProcessContext): number {
  let c = reqCounters.get(ctx);
  if (c === undefined) reqCounters.set(ctx, (c = { next: 1 }));
  return ctx.incarnation * REQ_IDS_PER_INCARNATION + c.next++;
}

export class LogClient {
  private readonly pending = new Map<number, Pending>();
  private readonly done = new Set<number>();
  private readonly requestTimeoutMs: number;
  private readonly maxRetries: number;

  constructor(private readonly ctx: ProcessContext, readonly brokerId: ProcessId, opts: LogClientOptions = {}) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 200;
    this.maxRetries = opts.maxRetries ?? 1000;
    if (!Number.isInteger(this.requestTimeoutMs) || this.requestTimeoutMs < 1) throw new RangeError('requestTimeoutMs must be a positive integer');
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) throw new RangeError('maxRetries must be an integer ≥ 0');
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Takes `msg` if it is a reply to one of this client's requests (also a late duplicate); true if taken. */
  handle(from: ProcessId, msg: unknown): boolean {
    if (from !== this.brokerId || !isLogReply(msg)) return false;
    const p = this.pending.get(msg.reqId);
    if (p === undefined) return this.done.has(msg.reqId);
    p.timer.cancel();
    this.pending.delete(msg.reqId);
    this.done.add(msg.reqId);
    if (this.done.size > DONE_KEPT) this.done.delete(this.done.values().next().value as number);
    p.onReply(msg);
    return true;
  }

  produce(topic: string, partition: number, records: unknown[], opts: ProduceOptions, cb: (r: ProduceResult) => void): void {
    const body: RequestBody<LogRequest> = {
      kind: 'log.produce', topic, partition, records,
      ...(opts.producer === undefined ? {} : { producer: opts.producer }),
      ...(opts.txn === undefined ? {} : { txn: opts.txn }),
    };
    this.request(body, cb, (r) => (r.kind === 'log.produced' ? { ok: true, baseOffset: r.baseOffset } : undefined));
  }

  fetch(topic: string, partition: number, offset: number, maxRecords: number, isolation: Isolation, cb: (r: FetchResult) => void): void {
    this.request({ kind: 'log.fetch', topic, partition, offset, maxRecords, isolation }, cb, (r) =>
      r.kind === 'log.fetched' ? { ok: true, records: r.records, nextOffset: r.nextOffset, endOfPartition: r.endOfPartition } : undefined,
    );
  }

  seal(topic: string, partition: number, cb: (r: AckResult) => void): void {
    this.request({ kind: 'log.seal', topic, partition }, cb, (r) => (r.kind === 'log.sealed' ? { ok: true } : undefined));
  }

  endOffsets(topic: string, cb: (r: EndOffsetsResult) => void): void {
    this.request({ kind: 'log.endOffsets', topic }, cb, (r) => (r.kind === 'log.endOffsets.ok' ? { ok: true, offsets: r.offsets } : undefined));
  }

  initTxn(transactionalId: string, cb: (r: InitTxnResult) => void): void {
    this.request({ kind: 'txn.init', transactionalId }, cb, (r) => (r.kind === 'txn.inited' ? { ok: true, epoch: r.epoch } : undefined));
  }

  endTxn(transactionalId: string, epoch: number, commit: boolean, cb: (r: AckResult) => void): void {
    this.request({ kind: 'txn.end', transactionalId, epoch, commit }, cb, (r) => (r.kind === 'txn.ended' ? { ok: true } : undefined));
  }

  listTxns(prefix: string, cb: (r: ListTxnsResult) => void): void {
    this.request({ kind: 'txn.list', prefix }, cb, (r) => (r.kind === 'txn.listed' ? { ok: true, open: r.open } : undefined));
  }

  /** Forgets every pending request without calling its callback (the owner is shutting a component down). */
  cancelAll(): void {
    for (const p of this.pending.values()) p.timer.cancel();
    this.pending.clear();
  }

  private request<T extends { ok: true }>(
    body: RequestBody<LogRequest>,
    cb: (r: T | LogFailure) => void,
    decode: (reply: LogReply) => T | undefined,
  ): void {
    const reqId = nextReqId(this.ctx);
    const req = { ...body, reqId } as LogRequest;
    const p: Pending = {
      req,
      retriesLeft: this.maxRetries,
      timer: { cancel() {} },
      onReply: (reply) => {
        if (reply.kind === 'log.error') return cb({ ok: false, code: reply.code, message: reply.message });
        const r = decode(reply);
        cb(r ?? { ok: false, code: 'bad-reply', message: `unexpected reply '${reply.kind}' to '${req.kind}'` });
      },
      onTimeout: () => cb({ ok: false, code: 'timeout', message: `no reply to '${req.kind}' after ${this.maxRetries} retries` }),
    };
    this.pending.set(reqId, p);
    this.send(p);
  }

  private send(p: Pending): void {
    this.ctx.net.send(this.brokerId, p.req);
    p.timer = this.ctx.timers.after(this.requestTimeoutMs, () => {
      if (this.pending.get(p.req.reqId) !== p) return;
      if (p.retriesLeft-- > 0) return this.send(p);
      this.pending.delete(p.req.reqId);
      p.onTimeout();
    });
  }
}
