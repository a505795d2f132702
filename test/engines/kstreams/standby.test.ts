/**
 * What this proves: standby replicas (K13) are placed as Kafka places them
 * (never with the active task, one copy per instance, each task's replicas
 * before the next task's, stateful tasks only), the assignor hands an
 * orphaned partition to the member whose standby of it is caught up, and in
 * a run a promoted standby restores only the changelog tail, with its store
 * judged by `ks.restore`, and fewer records restored than without standbys.
 */
import { describe, expect, it } from 'vitest';
import { placeStandbys, processOfMember } from '../../../src/engines/kstreams/standby.ts';
import { assignSticky } from '../../../src/log/assignor.ts';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { run, failed } from '../../explore/helpers.ts';

describe('standby placement', () => {
  const tasks = ['0_0', '0_1', '0_2', '0_3'].map((task, i) => ({ task, active: i < 2 ? 'ks-0-0-0' : 'ks-1-0-0' }));

  it('puts each standby on another instance than the active, one copy per instance', () => {
    const members = ['ks-0-0-0', 'ks-1-0-0', 'ks-2-0-0'];
    for (const replicas of [1, 2, 3]) {
      const out = placeStandbys(members, tasks, replicas);
      for (const t of tasks) {
        const holders = members.filter((m) => out.get(m)!.includes(t.task));
        expect(holders).not.toContain(t.active);
        expect(holders.length).toBe(Math.min(replicas, 2));
      }
    }
  });

  it('places each task\'s replicas before the next task\'s, each on the least loaded instance', () => {
    // Three tasks on ks-0, two replicas each, three other instances: Kafka's order (task by task)
    // gives each of them two standbys; replica by replica, ks-1 would take three and ks-3 one.
    const members = ['ks-0-0-0', 'ks-1-0-0', 'ks-2-0-0', 'ks-3-0-0'];
    const three = ['1_0', '1_1', '1_2'].map((task) => ({ task, active: 'ks-0-0-0' }));
    const out = placeStandbys(members, three, 2);
    expect(Object.fromEntries(out)).toEqual({ 'ks-0-0-0': [], 'ks-1-0-0': ['1_0', '1_1'], 'ks-2-0-0': ['1_0', '1_2'], 'ks-3-0-0': ['1_1', '1_2'] });
  });

  it('places nothing with one instance or no replicas, and never on another incarnation of the active process', () => {
    expect([...placeStandbys(['ks-0-0-0'], tasks, 1).values()].flat()).toEqual([]);
    expect([...placeStandbys(['ks-0-0-0', 'ks-1-0-0'], tasks, 0).values()].flat()).toEqual([]);
    const out = placeStandbys(['ks-0-0-0', 'ks-0-1-0', 'ks-1-0-0'], tasks, 1);
    expect(out.get('ks-0-1-0')!.filter((t) => t === '0_0' || t === '0_1')).toEqual([]);
    expect(processOfMember('ks-12-3-4')).toBe('ks-12');
  });
});

describe('the assignor and warm partitions', () => {
  it('gives an orphaned partition to the member that calls it warm, among the least loaded', () => {
    const counts = new Map([['in', 4]]);
    const owned = (ps: number[]) => ps.map((partition) => ({ topic: 'in', partition }));
    // b and c each keep one partition; 2 and 3 lost their owner; c holds partition 3 warm.
    const cold = assignSticky([{ id: 'b', topics: ['in'], owned: owned([0]) }, { id: 'c', topics: ['in'], owned: owned([1]) }], counts);
    const warm = assignSticky([{ id: 'b', topics: ['in'], owned: owned([0]) }, { id: 'c', topics: ['in'], owned: owned([1]), warm: owned([2]) }], counts);
    expect(cold.get('b')!.map((tp) => tp.partition)).toEqual([0, 2]);
    expect(warm.get('c')!.map((tp) => tp.partition)).toEqual([1, 2]);
    expect(warm.get('b')!.map((tp) => tp.partition)).toEqual([0, 3]);
  });
});

describe('standby replicas in a run', () => {
  const settings = { scenario: 'wordcount', engine: 'kstreams' as const, faults: 'heavy' as const, seed: 5 };
  const traced = (standbyReplicas: number) => {
    const events: TraceEvent[] = [];
    const r = run({ ...settings, standbyReplicas }, { subscribers: [(e) => { if (e.kind === 'ks.standby' || e.kind === 'ks.restored') events.push(e); }] });
    return { r, events };
  };

  it('promotes a caught-up standby, restores only the tail past it, and restores fewer records than without standbys', () => {
    const on = traced(1);
    const off = traced(0);
    expect(failed(on.r)).toEqual([]);
    expect(failed(off.r)).toEqual([]);
    const promoted = on.events.filter((e) => e.kind === 'ks.standby' && e.action === 'promoted');
    expect(promoted.length).toBeGreaterThan(0);
    expect(on.events.some((e) => e.kind === 'ks.standby' && e.action === 'caught-up')).toBe(true);
    // The promoted task's restoration starts where its standby stood.
    for (const p of promoted) {
      const restored = on.events.find((e) => e.kind === 'ks.restored' && e.seq > p.seq && e.task === p.task && e.store === p.store && e.p === p.p);
      expect(restored?.from).toBe(p.offset);
    }
    const records = (es: TraceEvent[]) => es.filter((e) => e.kind === 'ks.restored').reduce((n, e) => n + (e.records as number), 0);
    expect(records(on.events)).toBeLessThan(records(off.events));
    expect(off.events.some((e) => e.kind === 'ks.standby')).toBe(false);
    // Only stateful tasks have standbys: wordcount's first sub-topology (its source and the
    // repartition by word) holds no store, so it gets none (Kafka's statefulTaskIds).
    const assigned = on.events.filter((e) => e.kind === 'ks.standby' && e.action === 'assigned');
    expect(assigned.length).toBeGreaterThan(0);
    for (const a of assigned) expect(a.stores, `standby of ${String(a.task)}`).not.toEqual([]);
    expect(on.r.checks.find((c) => c.name === 'ks.restore')?.detail).toMatch(/standby stores at their promotion/);
  });
});

describe('a standby\'s state directory', () => {
  it('is its task\'s directory: loaded as an active task\'s, checkpointed when the standby closes, and the checkpoint names what the standby read', () => {
    // At least once a crash may leave records whose changelog writes were durable but whose offsets
    // were not committed, to be counted twice; this crash leaves none, so every check passes (one at
    // 3.5 s, as this test had before ks-0 and ks-1 formed generation 1 together, leaves one such record).
    const plan = { faults: [{ kind: 'crash' as const, atMs: 3_000, process: 'ks-0', restartAfterMs: 400 }] };
    const events: TraceEvent[] = [];
    const r = run({ scenario: 'wordcount', engine: 'kstreams', seed: 4, guarantee: 'at-least-once', plan, standbyReplicas: 1, commitIntervalMs: 200 }, {
      subscribers: [(e) => { if (['ks.state', 'ks.standby', 'ks.checkpoint', 'ks.closed'].includes(e.kind)) events.push(e); }],
    });
    expect(failed(r)).toEqual([]);
    // Every stateful standby reads its directory when it is assigned, as an active task does.
    const assigned = events.filter((e) => e.kind === 'ks.standby' && e.action === 'assigned' && (e.stores as string[]).length > 0);
    expect(assigned.length).toBeGreaterThan(0);
    for (const a of assigned) expect(events.some((e) => e.kind === 'ks.state' && e.standby === true && e.p === a.p && e.task === a.task && e.seq > a.seq)).toBe(true);
    // Well below 10,000 offsets of progress a standby writes no checkpoint until it closes; at the
    // shutdown each writes one naming the offsets it read up to.
    const standbyCheckpoints = events.filter((e) => e.kind === 'ks.checkpoint' && assigned.some((a) => a.p === e.p && a.task === e.task && a.seq < e.seq));
    expect(standbyCheckpoints.length).toBeGreaterThan(0);
    for (const c of standbyCheckpoints) {
      const closed = events.find((e) => e.kind === 'ks.closed' && e.p === c.p && e.seq > c.seq);
      expect(closed?.t, `${c.p} checkpointed standby ${String(c.task)} only as it shut down`).toBe(c.t);
      expect((c.offsets as string[])[0]).toMatch(/@\d+$/);
    }
  });
});
