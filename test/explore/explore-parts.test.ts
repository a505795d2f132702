/**
 * What this proves, about the parts of `explore` that need no full run:
 * - shards partition a seed range: for any start, count and n, the n shards
 *   are disjoint, their union is the range, and shard k holds exactly the
 *   seeds with (seed - start) % n == k - 1;
 * - the shrink tree only ever offers smaller runs: every candidate, from any
 *   case (faults at absolute times or after anchors, with or without a keep
 *   list) and any walk context, is no larger in events, faults, parallelism
 *   or keys, strictly smaller by a well-founded measure (so shrinking
 *   terminates), and keeps planned outages of one process disjoint;
 * - record removal is delta debugging: halves, then finer chunks down to
 *   single records, resuming at its granularity after an accepted step; and
 *   what the walk found settled is tried last; past a dead end come random
 *   removals of 2–3 records, drawn the same way every time; before delta
 *   debugging, the records of one key only, then of one partition only,
 *   biggest first, until they all fail, and then not until the records
 *   halve; a lower parallelism comes with its plan fitted to it, or not at
 *   all;
 * - the coverage probe counts each edge exactly when its definition holds.
 * How: fast-check properties over ranges and generated fault plans; the
 * probe is fed hand-written trace events.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { seedsOf } from '../../src/explore/sweep.ts';
import { candidates, outagesDisjoint, ROOT_CONTEXT, towards, type Grouping, type ShrinkCase, type ShrinkContext } from '../../src/explore/shrink-tree.ts';
import { faultPlanArbitrary } from '../../src/explore/property.ts';
import { applicableEdges, CoverageProbe } from '../../src/explore/coverage.ts';
import { findScenario } from '../../scenarios/index.ts';
import type { Fault } from '../../src/sim/faults.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';

describe('shards', () => {
  test.prop([fc.nat(10_000), fc.nat(300), fc.integer({ min: 1, max: 9 })])('partition the seed range', (start, count, n) => {
    const all = seedsOf(start, count);
    expect(all).toEqual(Array.from({ length: count }, (_, i) => start + i));
    const shards = Array.from({ length: n }, (_, k) => seedsOf(start, count, { index: k + 1, count: n }));
    shards.forEach((seeds, k) => seeds.forEach((s) => expect((s - start) % n).toBe(k)));
    expect(shards.flat().sort((a, b) => a - b)).toEqual(all);
  });
});

/** Strictly decreases along every shrink step: sizes first (input records kept), then how early, short and mild the faults are. */
function measure(c: ShrinkCase): number {
  const faultCost = (f: Fault): number =>
    1e9 + (f.after === undefined ? f.atMs : f.after.n * 1e5 + f.delayMs) + ('durationMs' in f ? f.durationMs : 0) + ('restartAfterMs' in f ? f.restartAfterMs : 0) + ('extraMs' in f ? f.extraMs : 0);
  return (c.keep?.length ?? c.events) * 1e12 + c.parallelism * 1e11 + c.keys * 1e10 + (c.faults ?? []).reduce((a, f) => a + faultCost(f), 0);
}

const caseArb: fc.Arbitrary<ShrinkCase> = fc.record({
  events: fc.integer({ min: 1, max: 400 }),
  parallelism: fc.integer({ min: 1, max: 4 }),
  keys: fc.integer({ min: 1, max: 40 }),
  faults: fc.option(faultPlanArbitrary({ maxFaults: 5, anchors: true }).map((p) => p.faults), { nil: undefined }),
  keep: fc.option(fc.uniqueArray(fc.nat(500), { maxLength: 60 }).map((ids) => ids.sort((a, b) => a - b)), { nil: undefined }),
}).map(({ keep, ...c }) => (keep === undefined ? c : { ...c, keep }));

const contextArb: fc.Arbitrary<ShrinkContext> = fc.oneof(
  fc.constant(ROOT_CONTEXT),
  fc.record({
    eventsLow: fc.nat(300),
    chunks: fc.integer({ min: 2, max: 64 }),
    chunkFrom: fc.nat(63),
    faultsSettledAt: fc.oneof(fc.constant(Infinity), fc.nat(1_000)),
    recordsSettledAt: fc.oneof(fc.constant(Infinity), fc.nat(1_000)),
    groupsSettledAt: fc.oneof(fc.constant(Infinity), fc.nat(1_000)),
    shapeSettledAt: fc.oneof(fc.constant(Infinity), fc.nat(1_000)),
  }),
);

/** Like bank's workload: more record ids than events (deposits first). */
const idsOf = (c: ShrinkCase): number[] => Array.from({ length: c.events + 3 }, (_, i) => i);

/** Record i has key `k${i % 3}` and is on input partition i % 2. */
const groupingsOf = (c: ShrinkCase): Grouping[] => {
  const ids = idsOf(c);
  return [
    { name: 'key', of: new Map(ids.map((id) => [id, `k${id % 3}`])) },
    { name: 'partition', of: new Map(ids.map((id) => [id, String(id % 2)])) },
  ];
};

/** Moves faults on `ks-N` to `ks-(N mod parallelism)`. */
const fitPlan = (c: ShrinkCase): ShrinkCase => ({
  ...c,
  faults: c.faults?.map((f) => ('process' in f ? { ...f, process: f.process.replace(/\d+$/, (n) => String(Number(n) % c.parallelism)) } : f)),
});

describe('the shrink tree', () => {
  test.prop([caseArb, contextArb, fc.boolean()])('offers only candidates no larger and strictly simpler, with disjoint outages', (c, ctx, grouped) => {
    for (const [next] of candidates(c, ctx, grouped ? { idsOf, groupingsOf } : idsOf)) {
      expect(next.keep?.length ?? next.events).toBeLessThanOrEqual((c as ShrinkCase).keep?.length ?? c.events);
      expect(next.parallelism).toBeLessThanOrEqual(c.parallelism);
      expect(next.keys).toBeLessThanOrEqual(c.keys);
      expect(next.faults?.length ?? 0).toBeLessThanOrEqual(c.faults?.length ?? 0);
      expect(measure(next)).toBeLessThan(measure(c));
      if (next.faults) expect(outagesDisjoint(next.faults)).toBe(true);
      expect(next.faults === undefined).toBe(c.faults === undefined);
    }
  });

  it('leaves records out as delta debugging does, keeping its granularity across steps, down to single records', () => {
    const c: ShrinkCase = { events: 8, parallelism: 1, keys: 1, faults: [] };
    const removals = [...candidates(c, ROOT_CONTEXT, idsOf)].filter(([n]) => n.keep !== undefined);
    // 11 records (8 events + 3 more ids): halves first, then quarters (one quarter alone, then each left out), ...
    expect(removals[0]![0].keep).toEqual([5, 6, 7, 8, 9, 10]);
    expect(removals[0]![1]).toMatchObject({ chunks: 2, chunkFrom: 0 });
    expect(removals[2]![0].keep).toEqual([0, 1]);
    // ... down to every single record left out once (with a keep list: without one, the 11 ids outnumber the 8 events).
    const listed = [...candidates({ ...c, keep: idsOf(c) }, ROOT_CONTEXT, idsOf)].filter(([n]) => n.keep !== undefined);
    for (let id = 0; id < 11; id++) expect(listed.some(([n]) => n.keep!.length === 10 && !n.keep!.includes(id))).toBe(true);
    // An accepted removal at n chunks goes on at n - 1 chunks from the chunk it removed.
    const [, ctx] = listed.find(([n]) => n.keep!.length === 8 && !n.keep!.includes(5))!;
    expect(ctx).toMatchObject({ chunks: 3, chunkFrom: 2 });
    const next = candidates({ ...c, keep: [0, 1, 2, 3, 4, 8, 9, 10] }, ctx, idsOf).next().value as [ShrinkCase, ShrinkContext];
    expect(next[0].keep).toEqual([0, 1, 2, 3, 4]);
  });

  it('tries what it found settled last: fault drops and fresh draws until the records halve, single records until they change', () => {
    const anchored: Fault = { kind: 'crash', after: { on: 'checkpoint.complete', n: 3 }, delayMs: 40, process: 'tm-0', restartAfterMs: 10 };
    const c: ShrinkCase = { events: 100, parallelism: 1, keys: 1, faults: [anchored], keep: [5, 6, 7, 8] };
    const fresh = [...candidates(c, ROOT_CONTEXT, idsOf)].map(([n]) => n);
    expect(fresh[0]!.faults).toEqual([]);
    const settled = [...candidates(c, { ...ROOT_CONTEXT, faultsSettledAt: 6, recordsSettledAt: 4 }, idsOf)].map(([n]) => n);
    expect(settled.length).toBe(fresh.length);
    // Settled: fault simplifications come first (an earlier checkpoint), the drop of every fault last.
    expect(settled[0]!.faults![0]).toMatchObject({ after: { on: 'checkpoint.complete', n: 1 }, delayMs: 40 });
    expect(settled[settled.length - 1]!.faults).toEqual([]);
    expect(settled.findIndex((n) => n.faults?.length === 0)).toBeGreaterThan(settled.findIndex((n) => n.keep?.length === 3));
  });

  it('past a dead end, leaves a few random records out together, the same ones every time', () => {
    const keep = Array.from({ length: 20 }, (_, i) => i * 3);
    const c: ShrinkCase = { events: 100, parallelism: 1, keys: 1, faults: [], keep };
    const settled = { ...ROOT_CONTEXT, faultsSettledAt: 20, recordsSettledAt: 20 };
    // An escape leaves its result settled (its own single removals after its escapes); delta debugging's candidates do not.
    const escapes = (): ShrinkCase[] => [...candidates(c, settled, idsOf)].filter(([n, ctx]) => n.keep !== undefined && ctx.recordsSettledAt === n.keep.length).map(([n]) => n);
    const first = escapes();
    expect(first.length).toBeGreaterThanOrEqual(20);
    for (const n of first) {
      expect(keep.length - n.keep!.length).toBeLessThanOrEqual(3);
      expect(n.keep!.every((id) => keep.includes(id))).toBe(true);
    }
    expect(new Set(first.map((n) => n.keep!.join())).size).toBeGreaterThan(10);
    expect(escapes()).toEqual(first);
  });

  it('first keeps one key only, then one partition only, biggest group first; once all fail, not again until the records halve', () => {
    const c: ShrinkCase = { events: 12, parallelism: 1, keys: 3, faults: undefined, keep: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
    const settled = { ...ROOT_CONTEXT, faultsSettledAt: 11 };
    const all = [...candidates(c, settled, { idsOf, groupingsOf })];
    // Keys k0 (0, 3, 6, 9), k1 (1, 4, 7, 10), k2 (2, 5, 8); partitions 0 (0, 2, …, 10) and 1 (1, 3, …, 9).
    expect(all.slice(0, 5).map(([n]) => n.keep)).toEqual([[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8], [0, 2, 4, 6, 8, 10], [1, 3, 5, 7, 9]]);
    // Every later candidate of these records carries the news that no group alone failed at 11 (a fresh draw starts over).
    expect(all.slice(5).every(([n, ctx]) => n.keep === undefined || ctx.groupsSettledAt === 11)).toBe(true);
    const again = (keep: number[]): ShrinkCase[] => [...candidates({ ...c, keep }, { ...settled, faultsSettledAt: 0, groupsSettledAt: 11 }, { idsOf, groupingsOf })].map(([n]) => n);
    expect(again([0, 1, 2, 3, 4, 5, 6, 7])[0]!.keep).not.toEqual([0, 3, 6]);
    expect(again([0, 1, 2, 3, 4])[0]!.keep).toEqual([0, 3]);
    // Without groupings (no workload at hand), none.
    expect([...candidates(c, settled, idsOf)].length).toBe(all.length - 5);
  });

  it('lowers the parallelism with the plan fitted to it, and skips a parallelism the plan cannot fit', () => {
    const crash: Fault = { kind: 'crash', atMs: 40, process: 'ks-5', restartAfterMs: 5 };
    const c: ShrinkCase = { events: 10, parallelism: 6, keys: 1, faults: [crash] };
    const lowered = [...candidates(c, ROOT_CONTEXT, { idsOf, fitPlan })].map(([n]) => n).filter((n) => n.parallelism < 6);
    expect(lowered.map((n) => [n.parallelism, n.faults![0]!.kind === 'crash' && n.faults![0]!.process])).toEqual([[1, 'ks-0'], [4, 'ks-1'], [5, 'ks-0']]);
    const some = [...candidates(c, ROOT_CONTEXT, { idsOf, fitPlan: (n) => (n.parallelism === 4 ? fitPlan(n) : undefined) })].map(([n]) => n);
    expect(some.filter((n) => n.parallelism < 6).map((n) => n.parallelism)).toEqual([4]);
  });

  it('tries a lower parallelism and fewer keys before leaving records out; once they fail, after it until the records halve', () => {
    const c: ShrinkCase = { events: 12, parallelism: 2, keys: 3, faults: undefined, keep: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
    const settled = { ...ROOT_CONTEXT, faultsSettledAt: 11, groupsSettledAt: 11 };
    const all = [...candidates(c, settled, idsOf)];
    // Parallelism 1, then keys 1 and 2, then the first record removal.
    expect(all.slice(0, 3).map(([n]) => [n.parallelism, n.keys, n.keep?.length])).toEqual([[1, 3, 11], [2, 1, 11], [2, 2, 11]]);
    expect(all[3]![0].keep!.length).toBeLessThan(11);
    // Every record removal after them carries the news that they failed at 11 records.
    expect(all.slice(3).every(([n, ctx]) => n.keep === undefined || n.keep.length === 11 || ctx.shapeSettledAt === 11)).toBe(true);
    // Settled at 11: with 8 records kept they come after record removal; with 5, first again.
    const shapeAt = (keep: number[]): number => [...candidates({ ...c, keep }, { ...settled, faultsSettledAt: 0, shapeSettledAt: 11 }, idsOf)].findIndex(([n]) => n.parallelism === 1);
    expect(shapeAt([0, 1, 2, 3, 4, 5, 6, 7])).toBeGreaterThan(0);
    expect(shapeAt([0, 1, 2, 3, 4])).toBe(0);
  });

  it('halves towards the target as fast-check integers do', () => {
    expect(towards(300, 1)).toEqual([1, 151, 226, 263, 282, 291, 296, 298, 299]);
    expect(towards(5, 5)).toEqual([]);
    expect(towards(1000, 0, 3)).toEqual([0, 500, 750]);
  });
});

function ev(kind: string, t: number, p: string, fields: Record<string, unknown> = {}): TraceEvent {
  return { seq: 0, t, p, kind, ...fields };
}

describe('the coverage probe', () => {
  const wordcount = findScenario('wordcount')!;
  const bank = findScenario('bank')!;

  it('counts a crash between pre-commit and commit, not one after the commit', () => {
    const probe = new CoverageProbe(bank);
    const on = probe.subscriber;
    on(ev('txn.precommit', 10, 'tm-0', { task: 'sink[0]', txn: 'a', checkpoint: 1 }));
    on(ev('proc.crash', 11, 'tm-1'));
    on(ev('proc.crash', 12, 'tm-0'));
    on(ev('txn.precommit', 20, 'tm-1', { task: 'sink[1]', txn: 'b', checkpoint: 2 }));
    on(ev('txn.commit', 21, 'broker', { txnId: 'b' }));
    on(ev('txn.commit', 22, 'tm-1', { task: 'sink[1]', txn: 'b', checkpoint: 2 }));
    on(ev('proc.crash', 23, 'tm-1'));
    expect(probe.finish()['crash.precommit-before-commit']).toBe(1);
  });

  it('counts a barrier that arrives while the task aligns, after an earlier barrier of the same checkpoint', () => {
    const probe = new CoverageProbe(bank);
    const on = probe.subscriber;
    on(ev('barrier.receive', 5, 'tm-0', { task: 'k[0]', attempt: 0, ch: 0, checkpoint: 1 }));
    on(ev('barrier.receive', 9, 'tm-0', { task: 'k[0]', attempt: 0, ch: 1, checkpoint: 1 }));
    on(ev('barrier.align', 9, 'tm-0', { task: 'k[0]', attempt: 0, checkpoint: 1 }));
    // Same millisecond: no alignment to be in the middle of.
    on(ev('barrier.receive', 15, 'tm-0', { task: 'k[0]', attempt: 0, ch: 0, checkpoint: 2 }));
    on(ev('barrier.receive', 15, 'tm-0', { task: 'k[0]', attempt: 0, ch: 1, checkpoint: 2 }));
    expect(probe.finish()['barrier.mid-alignment']).toBe(1);
  });

  it('counts a newer checkpoint\'s barrier reaching a task still aligning an older one, not an obsolete barrier', () => {
    const probe = new CoverageProbe(bank);
    const on = probe.subscriber;
    const k0 = { task: 'k[0]', attempt: 0 };
    on(ev('barrier.receive', 5, 'tm-0', { ...k0, ch: 0, checkpoint: 1 }));
    // Checkpoint 2 arrives while 1 is aligning: counted; the task aborts 1.
    on(ev('barrier.receive', 7, 'tm-0', { ...k0, ch: 1, checkpoint: 2 }));
    on(ev('checkpoint.abort', 7, 'tm-0', { ...k0, checkpoint: 1, reason: 'newer barrier during alignment' }));
    on(ev('barrier.receive', 8, 'tm-0', { ...k0, ch: 0, checkpoint: 2 }));
    on(ev('barrier.align', 8, 'tm-0', { ...k0, checkpoint: 2 }));
    // Checkpoint 3, cancelled before its barriers: its late barrier is obsolete, and 4 starts afresh.
    on(ev('checkpoint.abort', 9, 'tm-0', { ...k0, checkpoint: 3, reason: 'cancellation barrier' }));
    on(ev('barrier.receive', 10, 'tm-0', { ...k0, ch: 0, checkpoint: 3 }));
    on(ev('barrier.receive', 11, 'tm-0', { ...k0, ch: 1, checkpoint: 4 }));
    on(ev('barrier.receive', 12, 'tm-0', { ...k0, ch: 0, checkpoint: 4 }));
    on(ev('barrier.align', 12, 'tm-0', { ...k0, checkpoint: 4 }));
    // Another attempt of the task starts with nothing pending.
    on(ev('barrier.receive', 20, 'tm-1', { task: 'k[0]', attempt: 1, ch: 0, checkpoint: 5 }));
    expect(probe.finish()['barrier.newer-mid-alignment']).toBe(1);
  });

  it('counts fenced zombies', () => {
    const probe = new CoverageProbe(bank);
    const on = probe.subscriber;
    on(ev('txn.fenced', 310, 'broker', { txnId: 'x', epoch: 1, currentEpoch: 2, op: 'commit' }));
    on(ev('txn.fenced', 320, 'broker', { txnId: 'y', epoch: 3, currentEpoch: 4, op: 'produce' }));
    expect(probe.finish()['txn.fenced']).toBe(2);
  });

  it('counts lateness edges against the window and its allowed lateness', () => {
    const spec = wordcount.window!;
    expect(spec.assigner).toMatchObject({ kind: 'tumbling', sizeMs: 1000 });
    const L = spec.allowedLatenessMs;
    const probe = new CoverageProbe(wordcount);
    const on = probe.subscriber;
    // ts 500 is in [0, 1000): too late from watermark 999 + L on; exactly then it is late by 1 ms.
    on(ev('record.late', 1, 'tm-0', { ts: 500, wm: 999 + L }));
    on(ev('record.late', 2, 'tm-0', { ts: 500, wm: 1000 + L }));
    on(ev('window.late', 3, 'tm-0', { start: 0, end: 1000, wm: 999 + L - 1 }));
    on(ev('window.late', 4, 'tm-0', { start: 0, end: 1000, wm: 999 }));
    const c = probe.finish();
    expect(c['record.late-by-1ms']).toBe(1);
    expect(c['record.within-lateness']).toBe(2);
    expect(c['record.at-lateness-bound']).toBe(1);
  });

  it('counts Kafka Streams edges: a crash mid-commit, a rebalance while restoring, a zombie fenced by generation, a drop by exactly 1 ms of grace, a transaction timed out', () => {
    const probe = new CoverageProbe(wordcount);
    const on = probe.subscriber;
    // Transactional ids are tied to their instance by its producer's event, whatever they are named.
    on(ev('ks.producer', 0, 'ks-0', { transactionalId: 'weir-app-ks-0-0', epoch: 1 }));
    on(ev('ks.producer', 0, 'ks-1', { transactionalId: 'weir-app-ks-1-0', epoch: 1 }));
    on(ev('group.txnOffsets', 1, 'broker', { txnId: 'weir-app-ks-0-0' }));
    on(ev('proc.crash', 2, 'ks-1'));
    on(ev('proc.crash', 3, 'ks-0'));
    on(ev('group.txnOffsets', 4, 'broker', { txnId: 'weir-app-ks-1-0' }));
    on(ev('txn.commit', 5, 'broker', { txnId: 'weir-app-ks-1-0' }));
    on(ev('proc.crash', 6, 'ks-1'));
    on(ev('ks.assigned', 7, 'ks-0', { tasks: ['0_0', '1_0'] }));
    on(ev('ks.running', 8, 'ks-0', { task: '0_0' }));
    on(ev('ks.revoked', 9, 'ks-0', {}));
    on(ev('ks.assigned', 10, 'ks-0', { tasks: ['0_0'] }));
    on(ev('ks.running', 11, 'ks-0', { task: '0_0' }));
    on(ev('ks.revoked', 12, 'ks-0', {}));
    on(ev('group.fenced', 13, 'broker', { txn: true }));
    on(ev('group.fenced', 14, 'broker', { txn: false }));
    on(ev('record.dropped', 15, 'ks-0', { reason: 'expired-window', end: 1_000, grace: 200, streamTime: 1_200 }));
    on(ev('record.dropped', 16, 'ks-0', { reason: 'expired-window', end: 1_000, grace: 200, streamTime: 1_201 }));
    on(ev('disk.corrupt', 17, 'ks-0', { path: 'state/weir-app/1_0/.checkpoint', detectedBy: 'ks.state-dir' }));
    on(ev('disk.corrupt', 18, 'ks-0', { path: 'state/weir-app/1_0/counts.db', index: 0 }));
    const c = probe.finish();
    expect(c['ks.crash-mid-commit']).toBe(1);
    expect(c['ks.rebalance-during-restore']).toBe(1);
    expect(c['ks.zombie-fenced-by-generation']).toBe(1);
    expect(c['ks.grace-by-1ms']).toBe(1);
    // A damaged read counts only once the state directory's checksum found it.
    expect(c['ks.state-dir-corrupt']).toBe(1);
    expect(c['ks.txn-timeout']).toBe(0);
  });

  it('counts a Kafka Streams transaction the broker timed out, and only a Kafka Streams one; the edge applies to stateless applications', () => {
    const probe = new CoverageProbe(findScenario('etl')!);
    const on = probe.subscriber;
    on(ev('ks.producer', 0, 'ks-0', { transactionalId: 'weir-app-ks-0.0-0', epoch: 1 }));
    on(ev('txn.timeout', 10_000, 'broker', { txnId: 'weir-app-ks-0.0-0', epoch: 1, n: 3 }));
    on(ev('txn.timeout', 20_000, 'broker', { txnId: 'input-0', epoch: 1, n: 1 }));
    expect(probe.finish()['ks.txn-timeout']).toBe(1);
    expect(applicableEdges(findScenario('etl')!, 'kstreams')).toContain('ks.txn-timeout');
    expect(applicableEdges(findScenario('wordcount')!, 'kstreams')).not.toContain('ks.txn-timeout');
    expect(applicableEdges(findScenario('etl')!, 'flink')).not.toContain('ks.txn-timeout');
  });

  it('applies each engine\'s own edges only, and the input edge to all', () => {
    expect(applicableEdges(wordcount, 'kstreams')).toEqual(['record.at-window-end', 'corrupt.log-read', 'ks.crash-mid-commit', 'ks.rebalance-during-restore', 'ks.zombie-fenced-by-generation', 'ks.grace-by-1ms', 'ks.state-dir-corrupt', 'ks.window-restarted']);
    // A stateless topology keeps no state directory; sessions have no window store with a retention here.
    expect(applicableEdges(findScenario('etl')!, 'kstreams')).not.toContain('ks.state-dir-corrupt');
    expect(applicableEdges(findScenario('sessions')!, 'kstreams')).not.toContain('ks.window-restarted');
    expect(applicableEdges(findScenario('sessions')!, 'kstreams')).toContain('ks.session-hidden');
    expect(applicableEdges(wordcount, 'spark')).toEqual(['record.at-window-end', 'corrupt.log-read', 'spark.batch-rerun', 'spark.sink-skip', 'spark.task-retry', 'spark.late-at-watermark', 'spark.store-corrupt']);
    expect(applicableEdges(wordcount, 'flink')).toContain('corrupt.snapshot-read');
    expect(applicableEdges(wordcount, 'kstreams')).not.toContain('corrupt.snapshot-read');
    expect(applicableEdges(bank, 'flink')).not.toContain('ks.crash-mid-commit');
  });
});
