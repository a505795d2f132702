/**
 * What this proves: in a run, Kafka Streams' tasks go where the group's task
 * assignor (Kafka's HighAvailabilityTaskAssignor) puts them from what the
 * instances report in their joins. Wordcount, exactly-once, heavy faults,
 * seed 3: ks-1 crashes at 10.2 s and rejoins at 11.7 s, while ks-0 holds
 * every task (suspended by the rebalance, its stores a commit marker or two
 * behind the changelogs' end). With Kafka's acceptable.recovery.lag
 * (10,000 records) both count as caught up, so generation 4 deals the
 * counting tasks round-robin; with a lag of 0 neither does, and ks-0 is the
 * most caught up on every counting task, so all four move to it and ks-1
 * gets the stateless tasks, and warm-up replicas (standbys) of the two
 * counting tasks the round-robin had dealt it (Kafka's max.warmup.replicas,
 * 2). Kafka would move them back in a probing rebalance ten minutes later;
 * here the next rebalance comes first: generation 5, after ks-0's own crash,
 * deals them round-robin again, and ks-1 promotes its caught-up warm-ups
 * instead of restoring those tasks. Both runs pass every check, and a
 * task's partitions stay together (wordcount reads one topic per
 * sub-topology; test/log/task-assignor.test.ts covers joins). And the
 * probing rebalance: in seed 5 at a lag of 0, generation 4 moves ks-0's
 * counting tasks to ks-1 and leaves ks-0 warm-ups of them; 13,333 ms later
 * (Kafka's 10 minutes, scaled as the session timeout is) the group
 * rebalances to probe, the round-robin gives the tasks back to ks-0, and it
 * promotes its caught-up warm-ups instead of restoring.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/runtime/trace-event.ts';
import { failed, run } from '../../explore/helpers.ts';

function generations(acceptableRecoveryLag: number | undefined): {
  r: ReturnType<typeof run>;
  byGeneration: Map<number, Record<string, string[]>>;
  standbys: Map<number, Record<string, string[]>>;
  promoted: string[];
} {
  const events: TraceEvent[] = [];
  const promoted: string[] = [];
  const r = run(
    { scenario: 'wordcount', engine: 'kstreams', seed: 3, faults: 'heavy', ...(acceptableRecoveryLag === undefined ? {} : { acceptableRecoveryLag }) },
    {
      subscribers: [(e) => {
        if (e.kind === 'ks.assigned') events.push(e);
        if (e.kind === 'ks.standby' && e.action === 'promoted' && e.caughtUp === true) promoted.push(`${e.p} ${e.task as string}`);
      }],
    },
  );
  const byGeneration = new Map<number, Record<string, string[]>>();
  const standbys = new Map<number, Record<string, string[]>>();
  for (const e of events) {
    const g = byGeneration.get(e.generation as number) ?? {};
    g[e.p] = e.tasks as string[];
    byGeneration.set(e.generation as number, g);
    const s = standbys.get(e.generation as number) ?? {};
    s[e.p] = e.standbys as string[];
    standbys.set(e.generation as number, s);
  }
  return { r, byGeneration, standbys, promoted };
}

describe('task placement in a run', () => {
  it('deals the counting tasks round-robin while every instance is within the acceptable lag, and moves them to the caught-up instance when none may lag, leaving warm-ups', () => {
    const kafkaDefault = generations(undefined);
    const none = generations(0);
    expect(failed(kafkaDefault.r)).toEqual([]);
    expect(failed(none.r)).toEqual([]);
    // Generations 1–3 are the same: a fresh start (round-robin), then one instance alone holding everything.
    for (const g of [1, 2, 3]) expect(none.byGeneration.get(g)).toEqual(kafkaDefault.byGeneration.get(g));
    expect(kafkaDefault.byGeneration.get(4)).toEqual({ 'ks-0': ['0_0', '0_2', '1_0', '1_2'], 'ks-1': ['0_1', '0_3', '1_1', '1_3'] });
    expect(none.byGeneration.get(4)).toEqual({ 'ks-0': ['1_0', '1_1', '1_2', '1_3'], 'ks-1': ['0_0', '0_1', '0_2', '0_3'] });
    // The two movements leave warm-ups where the round-robin had put the tasks; at the default lag nothing moves or warms up.
    expect(none.standbys.get(4)).toEqual({ 'ks-0': [], 'ks-1': ['1_1', '1_3'] });
    expect(kafkaDefault.standbys.get(4)).toEqual({ 'ks-0': [], 'ks-1': [] });
    expect(none.byGeneration.get(5)).toEqual(kafkaDefault.byGeneration.get(5));
    // Generation 5 gives ks-1 those tasks: it promotes its caught-up warm-ups rather than restoring them.
    expect(none.byGeneration.get(5)!['ks-1']).toEqual(expect.arrayContaining(['1_1', '1_3']));
    expect(none.promoted).toEqual(['ks-1 1_1', 'ks-1 1_3']);
    expect(kafkaDefault.promoted).toEqual([]);
  });

  it('probes the warm-ups after probing.rebalance.interval.ms and gives their tasks back, promoted', () => {
    const rebalances: TraceEvent[] = [];
    const assigned: TraceEvent[] = [];
    const promoted: string[] = [];
    const r = run(
      { scenario: 'wordcount', engine: 'kstreams', seed: 5, faults: 'heavy', acceptableRecoveryLag: 0 },
      {
        subscribers: [(e) => {
          if (e.kind === 'group.rebalance' || e.kind === 'group.generation') rebalances.push(e);
          if (e.kind === 'ks.assigned') assigned.push(e);
          if (e.kind === 'ks.standby' && e.action === 'promoted' && e.caughtUp === true) promoted.push(`${e.p} ${e.task as string}`);
        }],
      },
    );
    expect(failed(r)).toEqual([]);
    const of = (generation: number, p: string): TraceEvent => assigned.find((e) => e.generation === generation && e.p === p)!;
    expect(of(4, 'ks-1').tasks).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(of(4, 'ks-0').standbys).toEqual(['1_0', '1_2']);
    const probe = rebalances.find((e) => e.clientReason === 'probing')!;
    expect(probe.generation).toBe(4);
    // The interval runs from the moment generation 4 was written; then the leader's instance (ks-1,
    // which stayed in the group while ks-0 restarted) revokes its tasks and joins again.
    expect(probe.reason).toBe('join:ks-1-0-0');
    const after = probe.t - rebalances.find((e) => e.kind === 'group.generation' && e.generation === 4)!.t;
    expect(after).toBeGreaterThanOrEqual(13_333);
    expect(after).toBeLessThan(13_333 + 200);
    expect(of(5, 'ks-0').tasks).toEqual(['0_0', '0_2', '1_0', '1_2']);
    expect(promoted).toEqual(['ks-0 1_0', 'ks-0 1_2']);
    // At Kafka's default lag nothing moves, so nothing is probed.
    const plain: string[] = [];
    run({ scenario: 'wordcount', engine: 'kstreams', seed: 5, faults: 'heavy' }, { subscribers: [(e) => { if (e.kind === 'group.rebalance') plain.push((e.clientReason ?? e.reason) as string); }] });
    expect(plain).not.toContain('probing');
  });

  it('probes after the interval it is given, and warms up no more tasks than max.warmup.replicas', () => {
    const rebalances: TraceEvent[] = [];
    const assigned: TraceEvent[] = [];
    const r = run(
      { scenario: 'wordcount', engine: 'kstreams', seed: 5, faults: 'heavy', acceptableRecoveryLag: 0, maxWarmupReplicas: 1, probingRebalanceIntervalMs: 3_000 },
      {
        subscribers: [(e) => {
          if (e.kind === 'group.rebalance' || e.kind === 'group.generation') rebalances.push(e);
          if (e.kind === 'ks.assigned') assigned.push(e);
        }],
      },
    );
    expect(failed(r)).toEqual([]);
    const of = (generation: number, p: string): TraceEvent => assigned.find((e) => e.generation === generation && e.p === p)!;
    // The same two counting tasks move as at the default budget of 2, but only one keeps a warm-up copy.
    expect(of(4, 'ks-1').tasks).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(of(4, 'ks-0').standbys).toEqual(['1_0']);
    const probe = rebalances.find((e) => e.clientReason === 'probing')!;
    expect(probe.generation).toBe(4);
    const after = probe.t - rebalances.find((e) => e.kind === 'group.generation' && e.generation === 4)!.t;
    expect(after).toBeGreaterThanOrEqual(3_000);
    expect(after).toBeLessThan(3_000 + 200);
  });
});
