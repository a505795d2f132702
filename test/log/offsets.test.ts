/**
 * Committed offsets (OffsetCommit / OffsetFetch) and transactional offset
 * commits (sendOffsetsToTransaction), kept in `__consumer_offsets`. Proves:
 * commits are fenced by generation and member as in Kafka's
 * ClassicGroup.validateOffsetCommit; an acknowledged commit survives broker
 * crashes at any moment (property over seeded crash times, with torn writes);
 * transactional offsets become committed only when their transaction commits,
 * and are discarded when it aborts, is fenced by a new epoch, or is aborted by
 * recovery; while they are pending, OffsetFetch with requireStable answers
 * `unstable-offset-commit` and the client retries until the outcome is known;
 * a plain commit written after a transactional one wins over it (record offset).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addApp, bounce, call, logWorld, ok, settle, type LogWorld } from './helpers.ts';
import type { AckResult, FetchOffsetsResult, GroupMetadata, InitTxnResult, JoinGroupResult, ProduceResult } from '../../src/log/client.ts';
import type { FetchedOffset, OffsetAndMetadata } from '../../src/log/protocol.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

const TIMEOUTS = { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 2_000 };
const at = (partition: number, offset: number, metadata = ''): OffsetAndMetadata => ({ topic: 't', partition, offset, metadata });

function join(w: LogWorld, member = 'a'): GroupMetadata {
  const j = ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', member, ['t'], TIMEOUTS, cb)));
  return { groupId: 'g', memberId: member, generation: j.generation };
}
function commit(w: LogWorld, group: GroupMetadata, offsets: OffsetAndMetadata[]): AckResult {
  return call<AckResult>(w.world, (cb) => w.client().commitOffsets(group, offsets, cb));
}
function fetched(w: LogWorld, requireStable: boolean, maxRetries = 0): FetchedOffset[] {
  const tps = [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }];
  return ok(call<FetchOffsetsResult>(w.world, (cb) => w.client().fetchOffsets('g', tps, { requireStable, maxRetries }, cb))).offsets;
}
const offsetsOf = (f: FetchedOffset[]): (number | string)[] => f.map((o) => o.error ?? o.offset);

describe('OffsetCommit and OffsetFetch', () => {
  it('stores an offset and its metadata per partition', () => {
    const w = logWorld(60);
    const g = join(w);
    expect(fetched(w, true)).toEqual([
      { topic: 't', partition: 0, offset: -1, metadata: '' },
      { topic: 't', partition: 1, offset: -1, metadata: '' },
    ]);
    ok(commit(w, g, [at(0, 5, 'pt=100')]));
    ok(commit(w, g, [at(0, 7, 'pt=130'), at(1, 2, 'pt=90')]));
    expect(fetched(w, true)).toEqual([
      { topic: 't', partition: 0, offset: 7, metadata: 'pt=130' },
      { topic: 't', partition: 1, offset: 2, metadata: 'pt=90' },
    ]);
  });

  it('is fenced by generation and member', () => {
    const w = logWorld(61);
    const fenced: TraceEvent[] = [];
    w.world.trace.subscribe((e) => void (e.kind === 'group.fenced' && fenced.push(e)));
    // A group without members takes a standalone commit.
    ok(commit(w, { groupId: 'g', memberId: '', generation: -1 }, [at(0, 1)]));
    const g = join(w);
    expect(commit(w, { groupId: 'g', memberId: '', generation: -1 }, [at(0, 2)])).toMatchObject({ ok: false, code: 'unknown-member' });
    expect(commit(w, { ...g, memberId: 'zombie' }, [at(0, 2)])).toMatchObject({ ok: false, code: 'unknown-member' });
    expect(commit(w, { ...g, generation: g.generation - 1 }, [at(0, 2)])).toMatchObject({ ok: false, code: 'illegal-generation' });
    expect(commit(w, g, [{ topic: 'nope', partition: 0, offset: 1, metadata: '' }])).toMatchObject({ ok: false, code: 'unknown-topic' });
    expect(offsetsOf(fetched(w, true))).toEqual([1, -1]);
    expect(fenced.map((e) => e.code)).toEqual(['unknown-member', 'unknown-member', 'illegal-generation']);
    // While a rebalance waits for members, the current generation may still commit (eager consumers commit on revocation).
    w.client().joinGroup('g', 'b', ['t'], TIMEOUTS, () => {});
    settle(w.world, 20);
    expect(call<AckResult>(w.world, (cb) => w.client().heartbeat('g', 'a', g.generation, cb))).toMatchObject({ code: 'rebalance-in-progress' });
    ok(commit(w, g, [at(0, 3)]));
    expect(offsetsOf(fetched(w, true))).toEqual([3, -1]);
  });

  it('an acknowledged commit survives broker crashes at any moment', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1 << 30 }), fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 5 }), (seed, crashAtMs) => {
      const w = logWorld(seed);
      const g = join(w);
      for (const ms of crashAtMs) {
        w.world.schedule(ms, () => {
          w.world.crash('broker');
          w.world.schedule(7, () => w.world.restart('broker'));
        });
      }
      const acked: number[] = [];
      const next = (k: number): void => {
        if (k === 30) return;
        w.client().commitOffsets(g, [at(k % 2, k, `m${k}`)], (r) => {
          ok(r);
          acked.push(k);
          next(k + 1);
        });
      };
      next(0);
      w.world.run({ stopWhen: () => acked.length === 30, untilMs: w.world.now() + 200_000 });
      expect(acked).toHaveLength(30);
      bounce(w.world, 'broker');
      expect(fetched(w, true)).toEqual([
        { topic: 't', partition: 0, offset: 28, metadata: 'm28' },
        { topic: 't', partition: 1, offset: 29, metadata: 'm29' },
      ]);
    }), { numRuns: 40 });
  });
});

describe('sendOffsetsToTransaction', () => {
  function setup(seed: number): { w: LogWorld; g: GroupMetadata; epoch: number } {
    const w = logWorld(seed);
    const g = join(w);
    ok(commit(w, g, [at(0, 1), at(1, 1)]));
    const epoch = ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn('tx', cb))).epoch;
    return { w, g, epoch };
  }
  const send = (w: LogWorld, epoch: number, g: GroupMetadata, offsets: OffsetAndMetadata[]): AckResult =>
    call<AckResult>(w.world, (cb) => w.client().sendOffsetsToTransaction({ id: 'tx', epoch }, g, offsets, cb));
  const end = (w: LogWorld, epoch: number, commit: boolean): AckResult => call<AckResult>(w.world, (cb) => w.client().endTxn('tx', epoch, commit, cb));

  it('commits the offsets with the transaction, and is unstable until then', () => {
    const { w, g, epoch } = setup(62);
    ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', 0, ['out'], { txn: { id: 'tx', epoch } }, cb)));
    ok(send(w, epoch, g, [at(0, 9, 'pt=9')]));
    expect(offsetsOf(fetched(w, false))).toEqual([1, 1]);
    expect(offsetsOf(fetched(w, true))).toEqual(['unstable-offset-commit', 1]);
    ok(end(w, epoch, true));
    expect(fetched(w, true)[0]).toEqual({ topic: 't', partition: 0, offset: 9, metadata: 'pt=9' });
  });

  it('discards the offsets when the transaction aborts', () => {
    const { w, g, epoch } = setup(63);
    ok(send(w, epoch, g, [at(0, 9), at(1, 9)]));
    ok(end(w, epoch, false));
    expect(offsetsOf(fetched(w, true))).toEqual([1, 1]);
  });

  it('discards a zombie\'s offsets when a new epoch fences it, and refuses its later ones', () => {
    const { w, g, epoch } = setup(64);
    ok(send(w, epoch, g, [at(0, 9)]));
    const next = ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn('tx', cb))).epoch;
    expect(send(w, epoch, g, [at(0, 10)])).toMatchObject({ ok: false, code: 'fenced' });
    expect(offsetsOf(fetched(w, true))).toEqual([1, 1]);
    ok(send(w, next, g, [at(0, 11)]));
    ok(end(w, next, true));
    expect(offsetsOf(fetched(w, true))).toEqual([11, 1]);
  });

  it('is fenced by a stale generation or an unknown member', () => {
    const { w, g, epoch } = setup(65);
    expect(send(w, epoch, { ...g, generation: g.generation + 1 }, [at(0, 9)])).toMatchObject({ ok: false, code: 'illegal-generation' });
    expect(send(w, epoch, { ...g, memberId: 'gone' }, [at(0, 9)])).toMatchObject({ ok: false, code: 'unknown-member' });
    ok(end(w, epoch, true));
    expect(offsetsOf(fetched(w, true))).toEqual([1, 1]);
  });

  it('the client retries an unstable fetch until the transaction ends', () => {
    const { w, g, epoch } = setup(66);
    ok(send(w, epoch, g, [at(1, 4)]));
    let result: FetchedOffset[] | undefined;
    w.client().fetchOffsets('g', [{ topic: 't', partition: 1 }], { requireStable: true, retryBackoffMs: 50 }, (r) => (result = ok(r).offsets));
    settle(w.world, 300);
    expect(result).toBeUndefined();
    ok(end(w, epoch, true));
    w.world.run({ stopWhen: () => result !== undefined, untilMs: w.world.now() + 1_000 });
    expect(offsetsOf(result!)).toEqual([4]);
  });

  it('a plain commit written after a pending transactional one wins, whatever the transaction does', () => {
    const { w, g, epoch } = setup(67);
    ok(send(w, epoch, g, [at(0, 20)]));
    ok(commit(w, g, [at(0, 15)]));
    ok(end(w, epoch, true));
    expect(offsetsOf(fetched(w, true))).toEqual([15, 1]);
  });

  it('pending offsets survive a broker crash, and recovery finishes a decided commit', () => {
    const { w, g, epoch } = setup(68);
    ok(send(w, epoch, g, [at(0, 30)]));
    bounce(w.world, 'broker');
    expect(offsetsOf(fetched(w, true))).toEqual(['unstable-offset-commit', 1]);
    // Crash right at the commit point: the decision is durable, the marker is not.
    let decided = false;
    w.world.trace.subscribe((e) => void (e.kind === 'txn.commit' && (decided = true)));
    w.client().endTxn('tx', epoch, true, () => {});
    w.world.run({ stopWhen: () => decided });
    w.world.crash('app');
    w.world.crash('broker');
    w.world.restart('broker');
    w.world.restart('app');
    settle(w.world, 50);
    expect(offsetsOf(fetched(w, true))).toEqual([30, 1]);
  });

  it('recovery aborts pending offsets of a superseded epoch', () => {
    const { w, g, epoch } = setup(69);
    ok(send(w, epoch, g, [at(1, 40)]));
    // A new epoch whose abort markers the crash cuts off: the epoch bump is durable, so recovery aborts.
    let fenced = false;
    w.world.trace.subscribe((e) => void (e.kind === 'txn.abort' && (fenced = true)));
    w.client().initTxn('tx', () => {});
    w.world.run({ stopWhen: () => fenced });
    w.world.crash('broker');
    w.world.restart('broker');
    settle(w.world, 50);
    expect(offsetsOf(fetched(w, true))).toEqual([1, 1]);
  });

  it('fences a zombie whose partitions moved on, and the new owner waits for its pending offsets (KIP-447)', () => {
    const w = logWorld(90, { t: 1 });
    const other = addApp(w.world, 'app2');
    settle(w.world, 10);
    const short = { sessionTimeoutMs: 500, rebalanceTimeoutMs: 500 };
    const zombie = ok(call<JoinGroupResult>(w.world, (cb) => w.client().joinGroup('g', 'a', ['t'], short, cb)));
    const za: GroupMetadata = { groupId: 'g', memberId: 'a', generation: zombie.generation };
    ok(commit(w, za, [at(0, 1)]));
    const epoch = ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn('a-tx', cb))).epoch;
    const zsend = (offset: number): AckResult =>
      call<AckResult>(w.world, (cb) => w.client().sendOffsetsToTransaction({ id: 'a-tx', epoch }, za, [at(0, offset)], cb));
    ok(zsend(5));
    // a stops heartbeating; b joins and gets t/0 once a's session has expired.
    const b = ok(call<JoinGroupResult>(w.world, (cb) => other().joinGroup('g', 'b', ['t'], short, cb)));
    expect(b).toMatchObject({ generation: zombie.generation + 1, members: ['b'] });
    expect(zsend(6)).toMatchObject({ ok: false, code: 'unknown-member' });
    let stable: FetchedOffset[] | undefined;
    other().fetchOffsets('g', [{ topic: 't', partition: 0 }], { retryBackoffMs: 50 }, (r) => (stable = ok(r).offsets));
    settle(w.world, 300);
    expect(stable).toBeUndefined();
    // Told it is fenced, the zombie aborts: the new owner reads the offset committed before.
    ok(call<AckResult>(w.world, (cb) => w.client().endTxn('a-tx', epoch, false, cb)));
    w.world.run({ stopWhen: () => stable !== undefined, untilMs: w.world.now() + 1_000 });
    expect(offsetsOf(stable!)).toEqual([1]);
  });
});
