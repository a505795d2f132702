/**
 * Request/response over the simulated network with retries: a request is
 * resent with the same id every `timeoutMs` until a reply comes (the peer
 * may be down or cut off), at most `maxAttempts` times. Replies to requests
 * no longer pending are ignored. Retried requests must be idempotent on the
 * server side.
 */
import type { ProcessContext, ProcessId } from '../../runtime/index.ts';

interface Pending {
  msg: { reqId: number };
  cb: (reply: unknown) => void;
  attempts: number;
}

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly ctx: ProcessContext,
    private readonly peer: ProcessId,
    private readonly replyKinds: ReadonlySet<string>,
    private readonly timeoutMs = 200,
    private readonly maxAttempts = 10_000,
  ) {}

  request<R>(body: Record<string, unknown> & { kind: string }, cb: (reply: R) => void): void {
    const reqId = this.nextId++;
    const p: Pending = { msg: { ...body, reqId }, cb: cb as (r: unknown) => void, attempts: 0 };
    this.pending.set(reqId, p);
    this.sendAttempt(reqId);
  }

  private sendAttempt(reqId: number): void {
    const p = this.pending.get(reqId);
    if (!p) return;
    if (p.attempts++ >= this.maxAttempts) {
      this.pending.delete(reqId);
      return;
    }
    this.ctx.net.send(this.peer, p.msg);
    this.ctx.timers.after(this.timeoutMs, () => this.sendAttempt(reqId));
  }

  /** Returns true if `msg` was a reply for this client. */
  handle(from: ProcessId, msg: unknown): boolean {
    if (from !== this.peer) return false;
    const m = msg as { kind?: string; reqId?: number };
    if (typeof m.kind !== 'string' || !this.replyKinds.has(m.kind) || typeof m.reqId !== 'number') return false;
    const p = this.pending.get(m.reqId);
    if (p) {
      this.pending.delete(m.reqId);
      p.cb(msg);
    }
    return true;
  }
}
