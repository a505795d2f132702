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
 * One timer per client, not one per request: every request waits the same
 * timeout, so deadlines fall in send order. Pending requests are kept in
 * that order in a plain list (a resend moves to the back; a reply is looked
 * up from the front, where the oldest requests, the likeliest answered, are:
 * a client has a few requests in flight, some fifty at most in any shipped
 * scenario), and the one timer is armed at the earliest deadline; when it
 * fires it resends or fails what is due and arms itself again. When no
 * request is pending the timer is cancelled, and the next request re-arms
 * that same timer if its handle can (`rearm`, as the simulator's timers
 * can), so that a client sending one request at a time does not queue one
 * timer per request.
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
  /** Virtual time at which it is resent (or fails) without a reply. */
  deadlineMs: number;
  onReply: (reply: R) => void;
  onTimeout: () => void;
}

/** Requests remembered after they were sent, so late duplicate replies are recognised as this client's. */
const DONE_KEPT = 1024;
const REQ_IDS_PER_INCARNATION = 2 ** 32;

/** A timer handle that may also re-arm (the simulator's do): fire after `delayMs` from now, as a new timer would; false if it cannot. */
interface Rearmable extends TimerHandle {
  rearm?(delayMs: number): boolean;
}

const reqCounters = new WeakMap<ProcessContext, { next: number }>();

/** The reqId counter shared by every client of a context. */
function counterOf(ctx: ProcessContext): { next: number } {
  let c = reqCounters.get(ctx);
  if (c === undefined) reqCounters.set(ctx, (c = { next: 1 }));
  return c;
}

export class RequestClient<R extends Reply> {
  /**
   * In deadline order (a resend goes to the back). A list, not a map by reqId: a map that
   * empties and fills again with every request reallocates its table each time.
   */
  private pending: Pending<R>[] = [];
  /**
   * The reqIds this client issued, ascending (a context's counter only grows), the last
   * `DONE_KEPT` at least: a reply to one of them that is no longer pending is a late duplicate.
   */
  private issued: number[] = [];
  /** The latest timer (cancelled when not `armed`, kept to be re-armed). */
  private timer: Rearmable | undefined;
  /** Whether the timer is set to fire at the earliest deadline. */
  private armed = false;
  /** True while `expire` runs: it arms the timer itself once done. */
  private expiring = false;
  private readonly onTimer = (): void => this.expire();
  private readonly counter: { next: number };
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
    this.counter = counterOf(ctx);
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Takes `msg` if it is a reply to one of this client's requests (also a late duplicate); true if taken. */
  handle(from: ProcessId, msg: unknown): boolean {
    if (from !== this.peer || !this.isReply(msg)) return false;
    const pending = this.pending;
    let i = 0;
    while (i < pending.length && pending[i]!.req.reqId !== msg.reqId) i++;
    if (i === pending.length) return this.wasIssued(msg.reqId);
    const p = pending[i]!;
    if (i === 0) pending.shift();
    else pending.splice(i, 1);
    if (pending.length === 0) this.disarm();
    p.onReply(msg);
    return true;
  }

  private wasIssued(reqId: number): boolean {
    const ids = this.issued;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < reqId) lo = mid + 1;
      else hi = mid;
    }
    return lo < ids.length && ids[lo] === reqId;
  }

  /** Sends `body` (given a fresh reqId) until a reply comes or the retries run out. */
  request(body: { kind: string; [field: string]: unknown }, onReply: (reply: R) => void, onTimeout: () => void = () => {}): void {
    const reqId = this.nextReqId();
    // A copy (a caller may send the same body again, e.g. to another peer), with the same keys in the
    // same order as `{ ...body, reqId }`; Object.assign stays fast on bodies of every shape, the spread does not.
    const req = Object.assign({}, body) as { kind: string; reqId: number };
    req.reqId = reqId;
    this.send({ req, retriesLeft: this.maxRetries, deadlineMs: 0, onReply, onTimeout });
  }

  /**
   * `request` for a body the caller built for this one request and never touches again: the body
   * itself is sent, with its `reqId` set last (the same keys, in the same order, as the copy
   * `request` makes), so nothing is copied.
   */
  requestOwned(body: { kind: string; [field: string]: unknown }, onReply: (reply: R) => void, onTimeout: () => void): number {
    const req = body as { kind: string; reqId: number };
    req.reqId = this.nextReqId();
    this.send({ req, retriesLeft: this.maxRetries, deadlineMs: 0, onReply, onTimeout });
    return req.reqId;
  }

  /**
   * Forgets the request `reqId` without calling its callback, as a closed client forgets what it
   * had in flight: it is not sent again, and a reply to it is swallowed as a late duplicate.
   */
  cancel(reqId: number): void {
    const i = this.pending.findIndex((p) => p.req.reqId === reqId);
    if (i < 0) return;
    this.pending.splice(i, 1);
    if (this.pending.length === 0) this.disarm();
  }

  /** A fresh reqId, remembered as issued. */
  private nextReqId(): number {
    const reqId = this.ctx.incarnation * REQ_IDS_PER_INCARNATION + this.counter.next++;
    this.issued.push(reqId);
    if (this.issued.length >= 2 * DONE_KEPT) this.issued = this.issued.slice(DONE_KEPT);
    return reqId;
  }

  /** Forgets every pending request without calling its callback. */
  cancelAll(): void {
    this.pending = [];
    this.disarm();
  }

  /** Sends `p` (not pending: new, or taken out for its resend) and puts it at the back of `pending`. */
  private send(p: Pending<R>): void {
    p.deadlineMs = this.ctx.clock.now() + this.requestTimeoutMs;
    this.pending.push(p);
    this.ctx.net.send(this.peer, p.req);
    if (!this.armed && !this.expiring) this.arm(p.deadlineMs);
  }

  /** Sets the timer for `atMs`: the cancelled one again where the timers allow it, else a new one. */
  private arm(atMs: number): void {
    const delayMs = Math.max(0, atMs - this.ctx.clock.now());
    this.armed = true;
    if (this.timer?.rearm?.(delayMs) === true) return;
    this.timer = this.ctx.timers.after(delayMs, this.onTimer);
  }

  private disarm(): void {
    if (!this.armed) return;
    this.timer?.cancel();
    this.armed = false;
  }

  /** Resends (or fails) every request whose deadline has come, then arms the timer for the next. */
  private expire(): void {
    this.timer = undefined;
    this.armed = false;
    const now = this.ctx.clock.now();
    this.expiring = true;
    try {
      // Due requests are at the front; a resend (or a request an onTimeout makes) goes to the back,
      // due later than now, and a cancelAll empties the list.
      while (this.pending.length > 0 && this.pending[0]!.deadlineMs <= now) {
        const p = this.pending.shift()!;
        if (p.retriesLeft-- > 0) this.send(p);
        else p.onTimeout();
      }
    } finally {
      this.expiring = false;
    }
    const first = this.pending[0];
    if (first !== undefined && !this.armed) this.arm(first.deadlineMs);
  }
}
