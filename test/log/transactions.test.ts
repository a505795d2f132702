/**
 * Producer transactions on the broker (Kafka semantics, see SEMANTICS.md A3):
 * read_committed visibility and the Last Stable Offset, commit and abort
 * markers, zombie fencing by epoch, idempotent commit (also across a broker
 * crash between the durable decision and the markers), and txn.list.
 */
import { describe, expect, it } from 'vitest';
import { addApp, call, logWorld, ok, bounce, settle, type LogWorld } from './helpers.ts';
import { readTopic } from '../../src/log/reader.ts';
import { isSegmentEntry, readFile, segmentPath } from '../../src/log/codec.ts';
import { LogClient, partitionLag, type AckResult, type EndOffsetsResult, type FetchResult, type InitTxnResult, type ListTxnsResult, type ProduceResult } from '../../src/log/client.ts';
import type { Isolation } from '../../src/log/protocol.ts';
import { World } from '../../src/sim/index.ts';

function init(w: LogWorld, id: string): number {
  return ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn(id, cb))).epoch;
}
function produce(w: LogWorld, partition: number, records: unknown[], txn?: { id: string; epoch: number }): ProduceResult {
  return call<ProduceResult>(w.world, (cb) => w.client().produce('t', partition, records, txn === undefined ? {} : { txn }, cb));
}
function end(w: LogWorld, id: string, epoch: number, commit: boolean): AckResult {
  return call<AckResult>(w.world, (cb) => w.client().endTxn(id, epoch, commit, cb));
}
function values(w: LogWorld, partition: number, isolation: Isolation = 'read_committed'): unknown[] {
  return ok(call<FetchResult>(w.world, (cb) => w.client().fetch('t', partition, 0, 1000, isolation, cb))).records.map((r) => r.value);
}

describe('read_committed', () => {
  it('hides open and aborted transactions and shows committed ones after the marker', () => {
    const w = logWorld(30);
    const a = init(w, 'A');
    const b = init(w, 'B');
    ok(produce(w, 0, ['a1', 'a2'], { id: 'A', epoch: a }));
    ok(produce(w, 1, ['a3'], { id: 'A', epoch: a }));
    ok(produce(w, 0, ['b1'], { id: 'B', epoch: b }));
    expect(values(w, 0)).toEqual([]);
    expect(values(w, 0, 'read_uncommitted')).toEqual(['a1', 'a2', 'b1']);
    ok(end(w, 'B', b, false));
    // A is still open and first: the LSO stays at A's first offset.
    expect(values(w, 0)).toEqual([]);
    ok(end(w, 'A', a, true));
    expect(values(w, 0)).toEqual(['a1', 'a2']);
    expect(values(w, 1)).toEqual(['a3']);
    // Aborted records stay visible to read_uncommitted; markers never are.
    expect(values(w, 0, 'read_uncommitted')).toEqual(['a1', 'a2', 'b1']);
    expect(readTopic(w.world.disk('broker'), 't', 'read_committed').map((p) => p.map((r) => r.value))).toEqual([['a1', 'a2'], ['a3']]);
  });

  it('answers end offsets at the last stable offset under read_committed, the high watermark otherwise (ListOffsets)', () => {
    const w = logWorld(32);
    const endOffsets = (isolation?: Isolation) => ok(call<EndOffsetsResult>(w.world, (cb) => w.client().endOffsets('t', cb, isolation))).offsets;
    ok(produce(w, 0, ['before']));
    const a = init(w, 'A');
    ok(produce(w, 0, ['a1', 'a2'], { id: 'A', epoch: a }));
    ok(produce(w, 0, ['after']));
    expect(endOffsets()).toEqual([4, 0]);
    expect(endOffsets('read_uncommitted')).toEqual([4, 0]);
    expect(endOffsets('read_committed')).toEqual([1, 0]);
    ok(end(w, 'A', a, true));
    // The commit marker takes an offset of its own.
    expect(endOffsets('read_committed')).toEqual([5, 0]);
    const bad = call<EndOffsetsResult>(w.world, (cb) => w.client().endOffsets('t', cb, 'dirty' as Isolation));
    expect(bad).toMatchObject({ ok: false, code: 'bad-request' });
  });

  it("tells each fetch the high watermark and last stable offset, so a consumer knows its lag even from a full page (Kafka's FetchResponse)", () => {
    const w = logWorld(33);
    const fetch = (offset: number, max: number, isolation: Isolation) => ok(call<FetchResult>(w.world, (cb) => w.client().fetch('t', 0, offset, max, isolation, cb)));
    ok(produce(w, 0, ['x', 'y']));
    // A page that fills maxRecords and reaches the end: nothing left, and the reply says so.
    const full = fetch(0, 2, 'read_committed');
    expect(full.records).toHaveLength(2);
    expect([full.highWatermark, full.lastStableOffset, partitionLag(full, 'read_committed')]).toEqual([2, 2, 0]);
    const a = init(w, 'A');
    ok(produce(w, 0, ['a1', 'a2'], { id: 'A', epoch: a }));
    ok(produce(w, 0, ['z']));
    // Read committed stops at the open transaction: no lag to the LSO, three records to the high watermark.
    const committed = fetch(2, 10, 'read_committed');
    expect([committed.nextOffset, committed.highWatermark, committed.lastStableOffset]).toEqual([2, 5, 2]);
    expect(partitionLag(committed, 'read_committed')).toBe(0);
    expect(partitionLag(committed, 'read_uncommitted')).toBe(3);
    // A page of one from offset 2 under read_uncommitted: two records beyond it.
    const page = fetch(2, 1, 'read_uncommitted');
    expect(partitionLag(page, 'read_uncommitted')).toBe(2);
    ok(end(w, 'A', a, true));
    // The marker takes offset 5: the LSO passes it, and a consumer at 2 is three records and the marker behind.
    const after = fetch(2, 1, 'read_committed');
    expect([after.highWatermark, after.lastStableOffset, partitionLag(after, 'read_committed')]).toEqual([6, 6, 3]);
  });

  it('blocks later non-transactional records behind an open transaction (LSO)', () => {
    const w = logWorld(31);
    ok(produce(w, 0, ['before']));
    const a = init(w, 'A');
    ok(produce(w, 0, ['txn'], { id: 'A', epoch: a }));
    ok(produce(w, 0, ['after']));
    const r = ok(call<FetchResult>(w.world, (cb) => w.client().fetch('t', 0, 0, 100, 'read_committed', cb)));
    expect(r.records.map((x) => x.value)).toEqual(['before']);
    expect(r.nextOffset).toBe(1);
    ok(end(w, 'A', a, false));
    const r2 = ok(call<FetchResult>(w.world, (cb) => w.client().fetch('t', 0, r.nextOffset, 100, 'read_committed', cb)));
    // 'txn' (offset 1) is aborted; its marker was appended after 'after', at offset 3.
    expect(r2.records.map((x) => x.value)).toEqual(['after']);
    expect(r2.records[0].offset).toBe(2);
    expect(r2.nextOffset).toBe(4);
  });
});

describe('fencing', () => {
  it('txn.init fences the old epoch and aborts its open transaction, bumping the epoch twice (Kafka\'s prepareFenceProducerEpoch, then the retry)', () => {
    const w = logWorld(32);
    const e1 = init(w, 'S');
    ok(produce(w, 0, ['zombie'], { id: 'S', epoch: e1 }));
    const aborts: number[] = [];
    w.world.trace.subscribe((e) => void (e.kind === 'txn.abort' && aborts.push(e.epoch as number)));
    const e2 = init(w, 'S');
    // The fencing epoch (e1 + 1) aborts the transaction and is never returned; the init asked again gets e1 + 2.
    expect(aborts).toEqual([e1]);
    expect(e2).toBe(e1 + 2);
    expect(produce(w, 0, ['late'], { id: 'S', epoch: e1 })).toMatchObject({ ok: false, code: 'fenced' });
    expect(end(w, 'S', e1, true)).toMatchObject({ ok: false, code: 'fenced' });
    ok(produce(w, 0, ['fresh'], { id: 'S', epoch: e2 }));
    ok(end(w, 'S', e2, true));
    expect(values(w, 0)).toEqual(['fresh']);
  });

  it('a retried txn.init whose reply was lost does not bump the epoch twice', () => {
    const w = logWorld(38);
    let epoch: number | undefined;
    w.client().initTxn('I', (r) => (epoch = ok(r).epoch));
    w.world.run({ stopWhen: () => (w.world.disk('broker').readFrames('log/txn.log') ?? []).length > 0 });
    w.world.partition('app', 'broker', 120);
    w.world.run({ stopWhen: () => epoch !== undefined, untilMs: w.world.now() + 10_000 });
    expect(w.world.stats.messagesDropped).toBeGreaterThan(0);
    expect(epoch).toBe(1);
    ok(produce(w, 0, ['i'], { id: 'I', epoch: 1 }));
  });

  it('a txn.init racing a commit is answered concurrent-transactions until it has ended: the commit holds, the epoch moves on', () => {
    const w = logWorld(39);
    const e = init(w, 'Q');
    ok(produce(w, 0, ['q'], { id: 'Q', epoch: e }));
    const results: string[] = [];
    w.client().endTxn('Q', e, true, (r) => results.push(`end:${r.ok}`));
    w.client().initTxn('Q', (r) => results.push(`init:${ok(r).epoch}`));
    w.world.run({ stopWhen: () => results.length === 2, untilMs: w.world.now() + 10_000 });
    expect(results).toEqual(['end:true', `init:${e + 1}`]);
    expect(values(w, 0)).toEqual(['q']);
  });

  it('refuses a produce with an epoch never granted', () => {
    const w = logWorld(33);
    expect(produce(w, 0, ['x'], { id: 'nobody', epoch: 1 })).toMatchObject({ ok: false, code: 'bad-request' });
  });
});

describe('ending transactions', () => {
  it('commit is idempotent; commit after abort answers aborted, abort after commit is refused', () => {
    const w = logWorld(34);
    const e = init(w, 'C');
    ok(produce(w, 0, ['c'], { id: 'C', epoch: e }));
    ok(end(w, 'C', e, true));
    ok(end(w, 'C', e, true));
    // Kafka's INVALID_TXN_STATE: the transaction stays committed.
    expect(end(w, 'C', e, false)).toMatchObject({ ok: false, code: 'bad-request' });
    expect(values(w, 0)).toEqual(['c']);
    ok(produce(w, 1, ['d'], { id: 'C', epoch: e }));
    ok(end(w, 'C', e, false));
    ok(end(w, 'C', e, false));
    expect(end(w, 'C', e, true)).toMatchObject({ ok: false, code: 'aborted' });
    expect(values(w, 1)).toEqual([]);
    // An epoch later, the old epoch's outcome is still answered idempotently.
    const e2 = init(w, 'C');
    expect(end(w, 'C', e, false)).toEqual({ ok: true });
    expect(end(w, 'C', e, true)).toMatchObject({ ok: false, code: 'fenced' });
    expect(e2).toBe(e + 1);
  });

  it("answers EndTxn once the decision is durable, before the markers (Kafka's PrepareCommit, then CompleteCommit)", () => {
    const w = logWorld(40);
    const e = init(w, 'P');
    ok(produce(w, 0, ['p'], { id: 'P', epoch: e }));
    ok(produce(w, 1, ['p1'], { id: 'P', epoch: e }));
    w.world.setDiskFault('broker', { slowFsyncExtraMs: 500 });
    ok(end(w, 'P', e, true));
    // The producer heard the commit, but the markers are still being written: the id is ending.
    expect(ok(call<ListTxnsResult>(w.world, (cb) => w.client().listTxns('P', cb, true))).open).toEqual([{ transactionalId: 'P', epoch: e, state: 'ending' }]);
    w.world.setDiskFault('broker', {});
    settle(w.world, 2_000);
    expect(ok(call<ListTxnsResult>(w.world, (cb) => w.client().listTxns('P', cb, true))).open).toEqual([]);
    expect(values(w, 0)).toEqual(['p']);
    expect(values(w, 1)).toEqual(['p1']);
  });

  it('while the markers are written, the next transaction\'s produce and an EndTxn sent again are answered concurrent-transactions and sent again after their backoffs (20 and 100 ms)', () => {
    const w = logWorld(41);
    // A client whose process notes when the broker answers it concurrent-transactions.
    let refusedAt: number[] = [];
    let client: LogClient | undefined;
    w.world.addProcess('watched', (ctx) => {
      // Requests are not sent again within the slow fsyncs (a produce without a producer seq would be appended twice).
      const c = new LogClient(ctx, 'broker', { requestTimeoutMs: 2_000 });
      client = c;
      return {
        onMessage: (from, msg) => {
          const m = msg as { kind: string; code?: string };
          if (m.kind === 'log.error' && m.code === 'concurrent-transactions') refusedAt.push(ctx.clock.now());
          c.handle(from, msg);
        },
      };
    });
    settle(w.world, 10);
    const c = client as LogClient;
    const gaps = (): number[] => refusedAt.slice(1).map((t, i) => t - refusedAt[i]);
    const commitSlowly = (epoch: number): void => {
      w.world.setDiskFault('broker', { slowFsyncExtraMs: 300 });
      ok(call<AckResult>(w.world, (cb) => c.endTxn('Q', epoch, true, cb)));
      refusedAt = [];
    };
    const e = ok(call<InitTxnResult>(w.world, (cb) => c.initTxn('Q', cb))).epoch;
    ok(call<ProduceResult>(w.world, (cb) => c.produce('t', 0, ['q1'], { txn: { id: 'Q', epoch: e } }, cb)));

    commitSlowly(e);
    ok(call<ProduceResult>(w.world, (cb) => c.produce('t', 1, ['q2'], { txn: { id: 'Q', epoch: e } }, cb)));
    expect(refusedAt.length).toBeGreaterThanOrEqual(5);
    expect(Math.min(...gaps())).toBeGreaterThanOrEqual(20);
    expect(Math.max(...gaps())).toBeLessThan(40);
    // q2 went into the next transaction, still open: a read-committed reader sees q1 only.
    w.world.setDiskFault('broker', {});
    expect(values(w, 0)).toEqual(['q1']);
    expect(values(w, 1)).toEqual([]);

    commitSlowly(e);
    ok(call<AckResult>(w.world, (cb) => c.endTxn('Q', e, true, cb)));
    expect(refusedAt.length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...gaps())).toBeGreaterThanOrEqual(100);
    w.world.setDiskFault('broker', {});
    settle(w.world, 100);
    expect(values(w, 1)).toEqual(['q2']);
  });

  it('hands concurrent-transactions back to the caller after max.block.ms (60 s) of asking again', () => {
    const world = new World({ seed: 42, detailedTrace: false, traceIo: false, traceRing: 0 });
    let asked = 0;
    world.addProcess('broker', (ctx) => ({
      onMessage: (from, msg) => {
        asked++;
        ctx.net.send(from, { kind: 'log.error', reqId: (msg as { reqId: number }).reqId, code: 'concurrent-transactions', message: 'busy' });
      },
    }));
    let client: LogClient | undefined;
    world.addProcess('app', (ctx) => {
      client = new LogClient(ctx, 'broker');
      return { onMessage: (from, msg) => void client?.handle(from, msg) };
    });
    world.run({ untilMs: 10 });
    const start = world.now();
    const r = call<AckResult>(world, (cb) => (client as LogClient).endTxn('Z', 1, true, cb), 120_000);
    expect(r).toMatchObject({ ok: false, code: 'concurrent-transactions' });
    expect(world.now() - start).toBeGreaterThanOrEqual(59_900);
    expect(world.now() - start).toBeLessThanOrEqual(60_000 + 1_000);
    expect(asked).toBeGreaterThan(550);
    expect(asked).toBeLessThanOrEqual(601);
  });

  it('a commit decided before a broker crash is rolled forward on restart', () => {
    const w = logWorld(35);
    const e = init(w, 'R');
    ok(produce(w, 0, ['r0'], { id: 'R', epoch: e }));
    ok(produce(w, 1, ['r1'], { id: 'R', epoch: e }));
    let decided = false;
    w.world.trace.subscribe((ev) => {
      if (ev.kind === 'txn.commit') decided = true;
    });
    w.client().endTxn('R', e, true, () => {});
    w.world.run({ stopWhen: () => decided });
    // Crash right at the commit point: markers are appended but not yet durable.
    w.world.crash('broker');
    const disk = w.world.disk('broker');
    const markers = (path: string): number => readFile(disk, path, isSegmentEntry).items.filter((x) => x.t === 'm').length;
    expect(markers(segmentPath('t', 0)) + markers(segmentPath('t', 1))).toBe(0);
    expect(readTopic(disk, 't', 'read_committed').map((p) => p.map((r) => r.value))).toEqual([['r0'], ['r1']]);
    w.world.restart('broker');
    ok(end(w, 'R', e, true));
    expect(values(w, 0)).toEqual(['r0']);
    expect(values(w, 1)).toEqual(['r1']);
  });

  it('an open transaction survives a broker crash and can still be committed', () => {
    const w = logWorld(36);
    const e = init(w, 'O');
    ok(produce(w, 0, ['o'], { id: 'O', epoch: e }));
    bounce(w.world, 'broker');
    expect(values(w, 0)).toEqual([]);
    const listed = ok(call<ListTxnsResult>(w.world, (cb) => w.client().listTxns('O', cb)));
    expect(listed.open).toEqual([{ transactionalId: 'O', epoch: e, state: 'open' }]);
    ok(end(w, 'O', e, true));
    expect(values(w, 0)).toEqual(['o']);
  });
});

describe('txn.list', () => {
  it('lists open transactions of a prefix, by id', () => {
    const w = logWorld(37);
    const ids = ['sink-2', 'sink-1', 'other-1', 'sink-3'];
    const epochs = new Map(ids.map((id) => [id, init(w, id)]));
    for (const id of ids.slice(0, 3)) ok(produce(w, 0, [id], { id, epoch: epochs.get(id) as number }));
    const listed = ok(call<ListTxnsResult>(w.world, (cb) => w.client().listTxns('sink-', cb)));
    expect(listed.open).toEqual([
      { transactionalId: 'sink-1', epoch: 1, state: 'open' },
      { transactionalId: 'sink-2', epoch: 1, state: 'open' },
    ]);
    ok(end(w, 'sink-1', 1, false));
    const after = ok(call<ListTxnsResult>(w.world, (cb) => w.client().listTxns('sink-', cb)));
    expect(after.open.map((t) => t.transactionalId)).toEqual(['sink-2']);
  });

  it('with idle, also lists ids initialised but not written to in their current epoch', () => {
    const w = logWorld(38);
    const list = (idle: boolean): string[] =>
      ok(call<ListTxnsResult>(w.world, (cb) => w.client().listTxns('sink-', cb, idle))).open.map((t) => `${t.transactionalId}@${t.epoch}${t.state === 'open' ? '' : ` ${t.state}`}`);
    const a = init(w, 'sink-a');
    init(w, 'sink-b');
    ok(produce(w, 0, ['a'], { id: 'sink-a', epoch: a }));
    expect(list(false)).toEqual(['sink-a@1']);
    expect(list(true)).toEqual(['sink-a@1', 'sink-b@1 idle']);
    ok(end(w, 'sink-a', a, true));
    // Re-initialising the idle id fences its epoch; the new epoch is idle until written to.
    expect(init(w, 'sink-b')).toBe(2);
    expect(list(true)).toEqual(['sink-b@2 idle']);
    expect(list(false)).toEqual([]);
  });

  it('with idle, also lists a transaction being ended; a broker crash before its decision is durable brings it back open, and init then aborts and fences it', () => {
    const w = logWorld(39);
    const other = addApp(w.world, 'closing-sink');
    const list = (idle: boolean): string[] =>
      ok(call<ListTxnsResult>(w.world, (cb) => w.client().listTxns('sink-', cb, idle))).open.map((t) => `${t.transactionalId}@${t.epoch}${t.state === 'open' ? '' : ` ${t.state}`}`);
    const e = init(w, 'sink-x');
    ok(produce(w, 0, ['x'], { id: 'sink-x', epoch: e }));
    // A closing sink asks for the abort and is gone; the broker's fsync is slow, so the decision is not durable yet.
    w.world.setDiskFault('broker', { slowFsyncExtraMs: 1_000 });
    other().endTxn('sink-x', e, false, () => {});
    w.world.run({ untilMs: w.world.now() + 20 });
    w.world.crash('closing-sink');
    expect(list(false)).toEqual([]);
    expect(list(true)).toEqual(['sink-x@1 ending']);
    bounce(w.world, 'broker');
    expect(list(false)).toEqual(['sink-x@1']);
    expect(init(w, 'sink-x')).toBe(3);
    expect(list(false)).toEqual([]);
    expect(values(w, 0, 'read_uncommitted')).toEqual(['x']);
    expect(values(w, 0)).toEqual([]);
  });
});

describe('transaction timeout (Kafka transaction.timeout.ms)', () => {
  type Seen = { kind: string; t: number; [k: string]: unknown };
  function watch(w: LogWorld): Seen[] {
    const seen: Seen[] = [];
    w.world.trace.subscribe((e) => void (e.kind.startsWith('txn.') && seen.push({ ...e } as Seen)));
    return seen;
  }
  function initWithTimeout(w: LogWorld, id: string, timeoutMs?: number): number {
    return ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn(id, cb, timeoutMs))).epoch;
  }

  it('aborts an open transaction at the first sweep after its timeout, bumps the epoch and fences its producer', () => {
    const w = logWorld(40);
    const seen = watch(w);
    const e = initWithTimeout(w, 'T', 3_000);
    ok(produce(w, 0, ['t'], { id: 'T', epoch: e }));
    const begin = seen.find((x) => x.kind === 'txn.begin') as Seen;
    expect(begin.timeoutMs).toBe(3_000);
    // Nothing happens at the timeout itself: the sweep runs every 10 s from the broker's start.
    settle(w.world, 9_000);
    expect(seen.some((x) => x.kind === 'txn.timeout')).toBe(false);
    settle(w.world, 2_000);
    const timeout = seen.find((x) => x.kind === 'txn.timeout') as Seen;
    expect(timeout).toMatchObject({ txnId: 'T', epoch: e, n: 1, startMs: begin.t, timeoutMs: 3_000 });
    expect(timeout.t).toBe(10_000);
    const abort = seen.find((x) => x.kind === 'txn.abort') as Seen;
    expect(abort).toMatchObject({ txnId: 'T', epoch: e, reason: 'timeout', requestedMs: 10_000 });
    expect(values(w, 0)).toEqual([]);
    expect(produce(w, 0, ['late'], { id: 'T', epoch: e })).toMatchObject({ ok: false, code: 'fenced' });
    expect(end(w, 'T', e, true)).toMatchObject({ ok: false, code: 'fenced' });
    // The next init takes the epoch after the one the timeout took.
    expect(initWithTimeout(w, 'T', 3_000)).toBe(e + 2);
  });

  it('does not time out a transaction ended in time, and uses the producer default (60 s) when init gives none', () => {
    const w = logWorld(41);
    const seen = watch(w);
    const e = init(w, 'D');
    ok(produce(w, 0, ['d1'], { id: 'D', epoch: e }));
    settle(w.world, 55_000);
    ok(end(w, 'D', e, true));
    const f = initWithTimeout(w, 'F', 1_000);
    ok(produce(w, 1, ['f'], { id: 'F', epoch: f }));
    settle(w.world, 30_000);
    expect(seen.filter((x) => x.kind === 'txn.timeout').map((x) => x.txnId)).toEqual(['F']);
    expect(seen.find((x) => x.kind === 'txn.begin' && x.txnId === 'D')?.timeoutMs).toBe(60_000);
    expect(values(w, 0)).toEqual(['d1']);
    // With nothing active the broker arms no sweep: the world goes idle.
    expect(w.world.run({ untilMs: w.world.now() + 100_000 }).reason).toBe('idle');
  });

  it('a restarted broker keeps the id\'s timeout (from the init line) and starts a recovered transaction\'s clock at its own start', () => {
    const w = logWorld(42);
    const seen = watch(w);
    const e = initWithTimeout(w, 'R', 2_000);
    ok(produce(w, 0, ['r'], { id: 'R', epoch: e }));
    settle(w.world, 5_000);
    bounce(w.world, 'broker');
    const recovered = seen.find((x) => x.kind === 'txn.recovered') as Seen;
    expect(recovered).toMatchObject({ txnId: 'R', epoch: e, n: 1, timeoutMs: 2_000 });
    settle(w.world, 11_000);
    const timeout = seen.find((x) => x.kind === 'txn.timeout') as Seen;
    expect(timeout.startMs).toBe(recovered.t);
    expect(timeout.t).toBeGreaterThan(recovered.t + 2_000);
    expect(timeout.t).toBeLessThanOrEqual(recovered.t + 10_000);
  });

  it('with the planted bug txn-timeout-ignored, a transaction stays open for good', () => {
    const w = logWorld(43, { t: 2 }, {}, { ignoreTxnTimeouts: true });
    const seen = watch(w);
    const e = initWithTimeout(w, 'G', 1_000);
    ok(produce(w, 0, ['g'], { id: 'G', epoch: e }));
    expect(w.world.run({ untilMs: w.world.now() + 100_000 }).reason).toBe('idle');
    expect(seen.some((x) => x.kind === 'txn.timeout')).toBe(false);
    const listed = ok(call<ListTxnsResult>(w.world, (cb) => w.client().listTxns('G', cb)));
    expect(listed.open).toEqual([{ transactionalId: 'G', epoch: e, state: 'open' }]);
  });

  it('refuses a timeout that is not a positive integer', () => {
    const w = logWorld(44);
    expect(call<InitTxnResult>(w.world, (cb) => w.client().initTxn('B', cb, 0))).toMatchObject({ ok: false, code: 'bad-request' });
  });
});
