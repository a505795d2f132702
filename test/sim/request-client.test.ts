/**
 * The request client. Proves, on a world with a client process and a server
 * that answers only some requests: an unanswered request is resent with the
 * same reqId exactly every `requestTimeoutMs` of virtual time, and fails
 * through `onTimeout` after `maxRetries` resends; an answered one is never
 * resent; late duplicate replies are swallowed; and the client's single timer
 * serves many overlapping requests (each resend is due exactly one timeout
 * after its previous send, whatever the others do).
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../src/sim/world.ts';
import { RequestClient, type Reply } from '../../src/runtime/request-client.ts';
import type { ProcessContext } from '../../src/runtime/types.ts';

interface Req {
  kind: 'q';
  reqId: number;
  n: number;
}
const isReply = (m: unknown): m is Reply => typeof m === 'object' && m !== null && (m as Reply).kind === 'a';

/** The server answers request n on its `answerOn[n]`-th arrival (1-based), twice (a duplicate), or never when absent. */
function setup(answerOn: Record<number, number>, requests: { atMs: number; n: number }[]) {
  const world = new World({ seed: 1, network: { latencyMsMin: 1, latencyMsMax: 1 }, traceIo: false });
  const sends: { n: number; reqId: number; atMs: number }[] = [];
  const outcomes: { n: number; how: 'reply' | 'timeout'; atMs: number }[] = [];
  const arrivals = new Map<number, number>();
  world.addProcess('server', (ctx: ProcessContext) => ({
    onMessage(from, msg) {
      const r = msg as Req;
      sends.push({ n: r.n, reqId: r.reqId, atMs: ctx.clock.now() - 1 });
      const k = (arrivals.get(r.n) ?? 0) + 1;
      arrivals.set(r.n, k);
      if (answerOn[r.n] === k) {
        ctx.net.send(from, { kind: 'a', reqId: r.reqId });
        ctx.net.send(from, { kind: 'a', reqId: r.reqId });
      }
      // A reply to a request nobody sent: not this client's.
      if (k === 1) ctx.net.send(from, { kind: 'a', reqId: r.reqId + 0.5 });
    },
  }));
  world.addProcess('client', (ctx: ProcessContext) => {
    const client = new RequestClient(ctx, 'server', isReply, { requestTimeoutMs: 50, maxRetries: 2 });
    for (const { atMs, n } of requests) {
      ctx.timers.after(atMs, () =>
        client.request({ kind: 'q', n }, () => outcomes.push({ n, how: 'reply', atMs: ctx.clock.now() }), () => outcomes.push({ n, how: 'timeout', atMs: ctx.clock.now() })),
      );
    }
    return {
      onMessage(from, msg) {
        expect(client.handle(from, msg)).toBe(Number.isInteger((msg as Reply).reqId));
      },
    };
  });
  world.run();
  return { sends, outcomes };
}

describe('RequestClient', () => {
  it('resends every timeout with the same reqId, then fails; answered requests are not resent; duplicates are taken, strangers are not', () => {
    const { sends, outcomes } = setup({ 1: 1, 2: 3 }, [
      { atMs: 0, n: 0 },
      { atMs: 10, n: 1 },
      { atMs: 20, n: 2 },
    ]);
    const of = (n: number) => sends.filter((s) => s.n === n);
    // Request 0 is never answered: sent at 0, resent at 50 and 100, fails at 150.
    expect(of(0).map((s) => s.atMs)).toEqual([0, 50, 100]);
    expect(new Set(of(0).map((s) => s.reqId)).size).toBe(1);
    // Request 1 is answered at once: sent once.
    expect(of(1).map((s) => s.atMs)).toEqual([10]);
    // Request 2 is answered on its third arrival: sent at 20, 70, 120.
    expect(of(2).map((s) => s.atMs)).toEqual([20, 70, 120]);
    expect(new Set(of(2).map((s) => s.reqId)).size).toBe(1);
    expect(outcomes).toEqual([
      { n: 1, how: 'reply', atMs: 12 },
      { n: 2, how: 'reply', atMs: 122 },
      { n: 0, how: 'timeout', atMs: 150 },
    ]);
  });

  it('a request sent after the others were answered gets its own full timeout', () => {
    const { sends, outcomes } = setup({ 0: 1 }, [
      { atMs: 0, n: 0 },
      { atMs: 30, n: 1 },
    ]);
    expect(sends.filter((s) => s.n === 1).map((s) => s.atMs)).toEqual([30, 80, 130]);
    expect(outcomes).toEqual([
      { n: 0, how: 'reply', atMs: 2 },
      { n: 1, how: 'timeout', atMs: 180 },
    ]);
  });
});
