/**
 * The request client. Proves, on a world with a client process and a server
 * that answers only some requests: an unanswered request is resent with the
 * same reqId exactly every `requestTimeoutMs` of virtual time, and fails
 * through `onTimeout` after `maxRetries` resends; an answered one is never
 * resent; late duplicate replies are swallowed; and the client's single timer
 * serves many overlapping requests (each resend is due exactly one timeout
 * after its previous send, whatever the others do). Re-arming its cancelled
 * timer (the world's timers can) changes nothing observable against timers
 * that cannot re-arm, and a client sending one request at a time keeps a
 * single timer in the queue instead of one per request. A body handed over
 * with `requestOwned` is the very message sent, and gives the same messages
 * (keys in the same order), sends and outcomes as one `request` copies. A
 * cancelled request is not sent again and its late reply calls nothing,
 * while the others are resent on time.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
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
function setup(answerOn: Record<number, number>, requests: { atMs: number; n: number }[], opts: { plainTimers?: boolean; owned?: boolean; cancel?: { n: number; atMs: number } } = {}) {
  const world = new World({ seed: 1, network: { latencyMsMin: 1, latencyMsMax: 1 }, traceIo: false });
  const sends: { n: number; reqId: number; atMs: number }[] = [];
  /** Every request as the server received it, and every body as the client handed it over. */
  const received: unknown[] = [];
  const bodies: unknown[] = [];
  const outcomes: { n: number; how: 'reply' | 'timeout'; atMs: number }[] = [];
  const arrivals = new Map<number, number>();
  world.addProcess('server', (ctx: ProcessContext) => ({
    onMessage(from, msg) {
      const r = msg as Req;
      received.push(msg);
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
  const queued: number[] = [];
  const cancelled: number[] = [];
  world.addProcess('client', (worldCtx: ProcessContext) => {
    // Handles that can only cancel, as a runtime other than the simulator's may give.
    const ctx: ProcessContext = opts.plainTimers
      ? { ...worldCtx, timers: { after: (delayMs, fn) => { const h = worldCtx.timers.after(delayMs, fn); return { cancel: () => h.cancel() }; } } }
      : worldCtx;
    const client = new RequestClient(ctx, 'server', isReply, { requestTimeoutMs: 50, maxRetries: 2 });
    for (const { atMs, n } of requests) {
      ctx.timers.after(atMs, () => {
        const body = { kind: 'q', n };
        bodies.push(body);
        const onReply = () => outcomes.push({ n, how: 'reply', atMs: ctx.clock.now() });
        const onTimeout = () => outcomes.push({ n, how: 'timeout', atMs: ctx.clock.now() });
        if (opts.owned || opts.cancel?.n === n) {
          const reqId = client.requestOwned(body, onReply, onTimeout);
          if (opts.cancel?.n === n) ctx.timers.after(opts.cancel.atMs - atMs, () => { client.cancel(reqId); cancelled.push(reqId); });
        } else client.request(body, onReply, onTimeout);
      });
    }
    return {
      onMessage(from, msg) {
        expect(client.handle(from, msg)).toBe(Number.isInteger((msg as Reply).reqId));
        queued.push(world.pendingEvents());
      },
    };
  });
  world.run();
  return { sends, outcomes, queued, received, bodies, steps: world.stats.steps, timersFired: world.stats.timersFired, cancelled };
}

/** Requests at drawn times, each answered on its drawn arrival (0: never). */
const drawnRequests = fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 300 }), answerOn: fc.integer({ min: 0, max: 4 }) }), { maxLength: 12 });

function plan(reqs: { atMs: number; answerOn: number }[]): { requests: { atMs: number; n: number }[]; answerOn: Record<number, number> } {
  const answerOn: Record<number, number> = {};
  reqs.forEach((r, n) => {
    if (r.answerOn > 0) answerOn[n] = r.answerOn;
  });
  return { requests: reqs.map((r, n) => ({ atMs: r.atMs, n })), answerOn };
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

  test.prop([drawnRequests])('re-arming the cancelled timer is invisible: the same sends, outcomes and steps as fresh timers', (reqs) => {
    const { requests, answerOn } = plan(reqs);
    const rearmed = setup(answerOn, requests);
    const plain = setup(answerOn, requests, { plainTimers: true });
    expect(rearmed.sends).toEqual(plain.sends);
    expect(rearmed.outcomes).toEqual(plain.outcomes);
    expect(rearmed.steps).toBe(plain.steps);
    expect(rearmed.timersFired).toBe(plain.timersFired);
  });

  it('one request at a time keeps one timer in the queue, not one per request', () => {
    const n = 40;
    const answerOn = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, 1]));
    // A request every 3 ms, each answered in 2 ms: the timer is cancelled and armed again 40 times.
    const requests = Array.from({ length: n }, (_, i) => ({ atMs: 3 * i, n: i }));
    const rearmed = setup(answerOn, requests);
    const plain = setup(answerOn, requests, { plainTimers: true });
    expect(rearmed.outcomes).toEqual(plain.outcomes);
    // Fresh timers leave each cancelled one queued until its time (50 ms, some 16 requests later); re-arming leaves none.
    const extra = plain.queued.map((q, i) => q - rearmed.queued[i]!);
    expect(Math.min(...extra)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...extra)).toBeGreaterThanOrEqual(15);
  });

  test.prop([drawnRequests])('an owned body is sent as it is: the same messages, keys in the same order, sends and outcomes as a copied one', (reqs) => {
    const { requests, answerOn } = plan(reqs);
    const copied = setup(answerOn, requests);
    const owned = setup(answerOn, requests, { owned: true });
    expect(owned.sends).toEqual(copied.sends);
    expect(owned.outcomes).toEqual(copied.outcomes);
    expect(owned.steps).toBe(copied.steps);
    expect(owned.received.map((m) => JSON.stringify(m))).toEqual(copied.received.map((m) => JSON.stringify(m)));
    // The copying client never sends the caller's object; the owning one sends nothing else.
    for (const m of copied.received) expect(copied.bodies).not.toContain(m);
    for (const m of owned.received) expect(owned.bodies).toContain(m);
  });

  it('a cancelled request is not sent again and its reply calls nothing; the others go on', () => {
    // Request 0 is answered on its second arrival (its resend at 50 ms), request 1 never.
    const requests = [{ atMs: 0, n: 0 }, { atMs: 10, n: 1 }];
    const kept = setup({ 0: 2 }, requests);
    expect(kept.outcomes).toEqual([{ n: 0, how: 'reply', atMs: 52 }, { n: 1, how: 'timeout', atMs: 160 }]);
    // Cancelled at 20 ms: never resent, so never answered.
    const cut = setup({ 0: 2 }, requests, { cancel: { n: 0, atMs: 20 } });
    expect(cut.cancelled).toHaveLength(1);
    expect(cut.sends.filter((s) => s.n === 0).map((s) => s.atMs)).toEqual([0]);
    expect(cut.sends.filter((s) => s.n === 1).map((s) => s.atMs)).toEqual([10, 60, 110]);
    expect(cut.outcomes).toEqual([{ n: 1, how: 'timeout', atMs: 160 }]);
    // Answered on its first arrival, its reply landing at 2 ms, after the cancel at 1 ms: taken as this
    // client's (the harness checks `handle` says so) and calls nothing.
    const late = setup({ 0: 1 }, requests, { cancel: { n: 0, atMs: 1 } });
    expect(late.sends.filter((s) => s.n === 0).map((s) => s.atMs)).toEqual([0]);
    expect(late.outcomes).toEqual([{ n: 1, how: 'timeout', atMs: 160 }]);
  });
});
