/**
 * The task assignor (src/log/task-assignor.ts) over generated groups:
 * processes of one or two members, two sub-topologies of up to six
 * partitions (one stateful), offset sums anywhere from none to past the
 * changelog end (or -2), any acceptable lag, zero to two standby replicas.
 * Proves:
 * (1) every task is active on exactly one member, and a member's partitions
 *     are exactly its active tasks' source partitions;
 * (2) no process holds two copies of a task (active or standby), and a task
 *     has min(replicas, processes - 1) standbys when every client is caught
 *     up (no movement can drop one);
 * (3) with one member per process and every client caught up, the stateful
 *     active tasks per process differ by at most one, and so do all active
 *     tasks;
 * (4) the result does not depend on the order the members come in;
 * (5) without standby replicas every standby is a warm-up, and there are at
 *     most `max.warmup.replicas` of them.
 * Method: fast-check draws the group; the oracle is the properties.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assignTasks } from '../../src/log/task-assignor.ts';
import type { StreamsSubscription, StreamsSubtopology } from '../../src/log/protocol.ts';

const SUBS: StreamsSubtopology[] = [
  { id: 0, sourceTopics: ['in'], changelogTopics: [] },
  { id: 1, sourceTopics: ['rep'], changelogTopics: ['store-changelog'] },
];

const group = fc.record({
  processes: fc.integer({ min: 1, max: 4 }),
  twoMembers: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  partitions: fc.integer({ min: 1, max: 6 }),
  end: fc.integer({ min: 0, max: 50 }),
  lag: fc.integer({ min: 0, max: 60 }),
  replicas: fc.integer({ min: 0, max: 2 }),
  warmups: fc.integer({ min: 1, max: 3 }),
  sums: fc.array(fc.array(fc.oneof(fc.constant(undefined), fc.constant(-2), fc.integer({ min: 0, max: 60 })), { minLength: 6, maxLength: 6 }), { minLength: 4, maxLength: 4 }),
});

type Group = typeof group extends fc.Arbitrary<infer T> ? T : never;

function members(g: Group): { id: string; streams: StreamsSubscription }[] {
  const out: { id: string; streams: StreamsSubscription }[] = [];
  for (let p = 0; p < g.processes; p++) {
    const taskOffsetSums: Record<string, number> = {};
    g.sums[p]!.slice(0, g.partitions).forEach((s, i) => { if (s !== undefined) taskOffsetSums[`1_${i}`] = s; });
    const streams = { processId: `ks-${p}`, subtopologies: SUBS, taskOffsetSums, standbyReplicas: g.replicas, acceptableRecoveryLag: g.lag, maxWarmupReplicas: g.warmups };
    out.push({ id: `ks-${p}-a`, streams });
    if (g.twoMembers[p]) out.push({ id: `ks-${p}-b`, streams });
  }
  return out;
}

const assign = (g: Group, ms = members(g)) => assignTasks(ms, (t) => (t === 'in' || t === 'rep' ? g.partitions : undefined), () => g.end).tasks;

describe('the task assignor, over generated groups', () => {
  it('places every task once, with its partitions, and never two copies on one process', () => {
    fc.assert(fc.property(group, (g) => {
      const out = assign(g);
      const active = [...out.values()].flatMap((t) => t.active).sort();
      const all = [0, 1].flatMap((s) => Array.from({ length: g.partitions }, (_, p) => `${s}_${p}`)).sort();
      expect(active).toEqual(all);
      for (const t of out.values()) {
        const want = t.active.map((id) => `${id.startsWith('0_') ? 'in' : 'rep'}/${id.split('_')[1]}`).sort();
        expect(t.partitions.map((tp) => `${tp.topic}/${tp.partition}`).sort()).toEqual(want);
      }
      for (let p = 0; p < g.processes; p++) {
        const copies = [...out].filter(([id]) => id.startsWith(`ks-${p}-`)).flatMap(([, t]) => [...t.active, ...t.standby]);
        expect(new Set(copies).size).toBe(copies.length);
      }
    }), { numRuns: 300 });
  });

  it('with every client caught up: balanced actives, and every standby placed', () => {
    fc.assert(fc.property(group, (g0) => {
      const g = { ...g0, twoMembers: [false, false, false, false], lag: g0.end };
      const out = assign(g);
      const per = (pick: (id: string) => boolean) => [...out.values()].map((t) => t.active.filter(pick).length);
      const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
      expect(spread(per((id) => id.startsWith('1_')))).toBeLessThanOrEqual(1);
      expect(spread(per(() => true))).toBeLessThanOrEqual(1);
      const standbys = [...out.values()].flatMap((t) => t.standby);
      expect(standbys.length).toBe(g.partitions * Math.min(g.replicas, g.processes - 1));
    }), { numRuns: 300 });
  });

  it('without standby replicas, hands out at most max.warmup.replicas warm-ups', () => {
    let some = 0;
    fc.assert(fc.property(group, (g0) => {
      const g = { ...g0, replicas: 0 };
      const standbys = [...assign(g).values()].flatMap((t) => t.standby);
      expect(standbys.length).toBeLessThanOrEqual(g.warmups);
      if (standbys.length > 0) some++;
    }), { numRuns: 300 });
    // The draws reach movements that warm up.
    expect(some).toBeGreaterThan(0);
  });

  it('does not depend on the order of the members', () => {
    fc.assert(fc.property(group, (g) => {
      const ms = members(g);
      expect(assign(g, [...ms].reverse())).toEqual(assign(g, ms));
    }), { numRuns: 200 });
  });
});
