/**
 * Property: under any interleaving of transactional and plain produces,
 * commits, aborts and epoch bumps (txn.init) across two partitions, with the
 * broker crashing at random moments (also in the middle of a request, so
 * retries meet half-done work and torn writes), a read_committed consumer
 * sees exactly the non-transactional records plus the records of committed
 * transactions, each once, in the order they were appended — both through
 * fetch (paged) and through the offline reader on the crashed broker's disk.
 * read_uncommitted sees every acknowledged record exactly once.
 *
 * Method: fast-check draws the operations and crash delays; a model tracks,
 * per transactional id, which acknowledged records belong to its open
 * transaction, and marks them committed or aborted on txn.end / txn.init.
 * The oracle is the model's list per partition, in acknowledgement order
 * (operations run one at a time, so that is append order).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { call, logWorld, ok, type LogWorld } from './helpers.ts';
import { readTopic } from '../../src/log/reader.ts';
import type { AckResult, FetchResult, InitTxnResult, ProduceResult } from '../../src/log/client.ts';
import type { Isolation } from '../../src/log/protocol.ts';

type Op =
  | { op: 'produce'; partition: number; txn: number | null; crashInMs: number | null }
  | { op: 'end'; txn: number; commit: boolean; crashInMs: number | null; bothCrashAtDecision?: boolean }
  | { op: 'init'; txn: number; crashInMs: number | null };

const crashIn = fc.option(fc.integer({ min: 0, max: 12 }), { freq: 4 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('produce' as const), partition: fc.integer({ min: 0, max: 1 }), txn: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 3 }), crashInMs: crashIn }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('end' as const), txn: fc.integer({ min: 0, max: 2 }), commit: fc.boolean(), crashInMs: crashIn, bothCrashAtDecision: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('init' as const), txn: fc.integer({ min: 0, max: 2 }), crashInMs: crashIn }) },
);

interface Appended {
  partition: number;
  value: string;
  /** Non-transactional records are always visible. */
  state: 'plain' | 'open' | 'committed' | 'aborted';
}

class Model {
  readonly appended: Appended[] = [];
  readonly open = new Map<number, Appended[]>();
  readonly epochs = new Map<number, number>();

  resolve(txn: number, commit: boolean): void {
    for (const a of this.open.get(txn) ?? []) a.state = commit ? 'committed' : 'aborted';
    this.open.delete(txn);
  }

  visible(partition: number): string[] {
    return this.appended.filter((a) => a.partition === partition && (a.state === 'plain' || a.state === 'committed')).map((a) => a.value);
  }

  /** What read_committed shows while transactions are open: nothing from the first open record on. */
  stable(partition: number): string[] {
    const mine = this.appended.filter((a) => a.partition === partition);
    const firstOpen = mine.findIndex((a) => a.state === 'open');
    const below = firstOpen < 0 ? mine : mine.slice(0, firstOpen);
    return below.filter((a) => a.state === 'plain' || a.state === 'committed').map((a) => a.value);
  }
}

function scheduleCrash(w: LogWorld, crashInMs: number | null): void {
  if (crashInMs === null) return;
  w.world.schedule(crashInMs, () => {
    w.world.crash('broker');
    w.world.schedule(5, () => w.world.restart('broker'));
  });
}

function run(w: LogWorld, m: Model, o: Op, seq: number): void {
  const id = `tx${o.txn}`;
  scheduleCrash(w, o.crashInMs);
  if (o.op === 'init' || (o.txn !== null && !m.epochs.has(o.txn))) {
    const txn = o.txn as number;
    const epoch = ok(call<InitTxnResult>(w.world, (cb) => w.client().initTxn(`tx${txn}`, cb))).epoch;
    m.resolve(txn, false);
    m.epochs.set(txn, epoch);
    if (o.op === 'init') return;
  }
  if (o.op === 'produce') {
    const value = `v${seq}`;
    const txn = o.txn === null ? undefined : { id, epoch: m.epochs.get(o.txn) as number };
    const producer = { id: 'p', seq };
    ok(call<ProduceResult>(w.world, (cb) => w.client().produce('t', o.partition, [value], { producer, ...(txn ? { txn } : {}) }, cb)));
    const a: Appended = { partition: o.partition, value, state: o.txn === null ? 'plain' : 'open' };
    m.appended.push(a);
    if (o.txn !== null) m.open.set(o.txn, [...(m.open.get(o.txn) ?? []), a]);
  } else if (o.op === 'end') {
    // Ending with nothing open is covered by the unit tests; here only real transactions end.
    if (!m.open.has(o.txn)) return;
    if (o.bothCrashAtDecision === true) return endAndCrashAtDecision(w, m, o.txn, o.commit);
    ok(call<AckResult>(w.world, (cb) => w.client().endTxn(id, m.epochs.get(o.txn) as number, o.commit, cb)));
    m.resolve(o.txn, o.commit);
  }
}

/**
 * The committer and the broker both crash right when the decision is durable,
 * before the markers are: nobody retries, so only the broker's roll-forward
 * can finish the transaction.
 */
function endAndCrashAtDecision(w: LogWorld, m: Model, txn: number, commit: boolean): void {
  let decided = false;
  const unsubscribe = w.world.trace.subscribe((e) => {
    if (e.kind === 'txn.commit' || e.kind === 'txn.abort') decided = true;
  });
  w.client().endTxn(`tx${txn}`, m.epochs.get(txn) as number, commit, () => {});
  w.world.run({ stopWhen: () => decided, untilMs: w.world.now() + 60_000 });
  unsubscribe();
  expect(decided).toBe(true);
  w.world.crash('app');
  w.world.crash('broker');
  w.world.restart('broker');
  w.world.restart('app');
  m.resolve(txn, commit);
}

function fetchAll(w: LogWorld, partition: number, isolation: Isolation): string[] {
  const out: string[] = [];
  let offset = 0;
  for (let i = 0; i < 1000; i++) {
    const r = ok(call<FetchResult>(w.world, (cb) => w.client().fetch('t', partition, offset, 3, isolation, cb)));
    out.push(...r.records.map((x) => x.value as string));
    if (r.nextOffset === offset) break;
    offset = r.nextOffset;
  }
  return out;
}

describe('transactions under crashes', () => {
  it('read_committed = plain + committed records, in order, via fetch and readTopic', () => {
    const args = [fc.integer({ min: 0, max: 1 << 30 }), fc.array(opArb, { maxLength: 30 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 })] as const;
    fc.assert(fc.property(...args, (seed, ops, finalCommit) => {
      const w = logWorld(seed);
      const m = new Model();
      ops.forEach((o, i) => run(w, m, o, i));
      w.world.run({ untilMs: w.world.now() + 100 });
      for (const p of [0, 1]) {
        // With transactions still open, read_committed stops at the Last Stable Offset.
        expect(fetchAll(w, p, 'read_committed')).toEqual(m.stable(p));
        const all = fetchAll(w, p, 'read_uncommitted');
        expect([...all].sort()).toEqual(m.appended.filter((a) => a.partition === p).map((a) => a.value).sort());
      }
      for (const txn of [...m.open.keys()]) run(w, m, { op: 'end', txn, commit: finalCommit[txn], crashInMs: null }, -1);
      for (const p of [0, 1]) expect(fetchAll(w, p, 'read_committed')).toEqual(m.visible(p));
      // Offline, on what survives one more crash.
      w.world.crash('broker');
      const offline = readTopic(w.world.disk('broker'), 't', 'read_committed').map((part) => part.map((r) => r.value));
      expect(offline).toEqual([m.visible(0), m.visible(1)]);
    }), { numRuns: 120 });
  });
});
