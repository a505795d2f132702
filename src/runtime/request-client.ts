/**
 * Request/response over the network, with retries, for a client living
 * inside a process (the log client, the checkpoint-store client). It loses
 * everything on a crash, like its owner.
 *
 * A request without a reply after `requestTimeoutMs` of virtual time is sent
 * again with the SAME reqId, up to `maxRetries` times, then fails through its
 * `onTimeout`. The first reply wins; later duplicates are recognised and
 * swallowed. Servers must therefore treat a retried request idempotently.
 *
 * reqIds are unique per process incarnation across all clients of that
 * process (one counter per context, offset by the incarnation): a reply sent
 * to an earlier incarnation of the process can never be mistaken for the
 * reply to a new request after a restart.
 */
import type { ProcessContext, ProcessId, TimerHandle } from './types.ts';

export interface RequestClientOptions {
  /** Virtual time to wait for a reply before resending (default 200). */
  requestTimeoutMs?: number;
  /** Resends before a request fails (default 1000). */
  maxRetries?: number;
}

export interface Reply {
  kind: string;
  reqId: number;
}

interface Pending<R extends Reply> {
  req: { kind: string; reqId: number };
  retriesLeft: number;
  timer: TimerHandle;
  onReply: (reply: R) => void;
  onTimeout: () => void;
}

/** Replies remembered after completion, so late duplicates are recognised as this client's. */
const DONE_KEPT = 1024;
const REQ_IDS_PER_INCARNATION = 2 ** 32;

const reqCounters = new WeakMap<ProcessContext, { next: number }>();

function nextReqId(ctx: ProcessContext): number {
  let c = reqCounters.get(ctx);
  if (c === undefined) reqCounters.set(ctx, (c = { next: 1 }));
  return ctx.incarnation * REQ_IDS_PER_INCARNATION + c.next++;
}

export class RequestClient<R extends Reply> {
  private readonly pending = new Map<number, Pending<R>>();
  private readonly done = new Set<number>();
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;

  constructor(
    private readonly ctx: ProcessContext,
    readonly peer: ProcessId,
    private readonly isReply: (msg: unknown) => msg is R,
    opts: RequestClientOptions = {},
  ) {
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
    if (from !== this.peer || !this.isReply(msg)) return false;
    const p = this.pending.get(msg.reqId);
    if (p === undefined) return this.done.has(msg.reqId);
    p.timer.cancel();
    this.pending.delete(msg.reqId);
    this.done.add(msg.reqId);
    if (this.done.size > DONE_KEPT) this.done.delete(this.done.values().next().value as number);
    p.onReply(msg);
    return true;
  }

  /** Sends `body` (given a fresh reqId) until a reply comes or the retries run out. */
  request(body: { kind: string; [field: string]: unknown }, onReply: (reply: R) => void, onTimeout: () => void = () => {}): void {
    const reqId = nextReqId(this.ctx);
    const p: Pending<R> = { req: { ...body, reqId }, retriesLeft: this.maxRetries, timer: { cancel() {} }, onReply, onTimeout };
    this.pending.set(reqId, p);
    this.send(p);
  }

  /** Forgets every pending request without calling its callback. */
  cancelAll(): void {
    for (const p of this.pending.values()) p.timer.cancel();
    this.pending.clear();
  }

  private send(p: Pending<R>): void {
    this.ctx.net.send(this.peer, p.req);
    p.timer = this.ctx.timers.after(this.requestTimeoutMs, () => {
      if (this.pending.get(p.req.reqId) !== p) return;
      if (p.retriesLeft-- > 0) return this.send(p);
      this.pending.delete(p.req.reqId);
      p.onTimeout();
    });
  }
}
