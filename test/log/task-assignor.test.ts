/**
 * Kafka Streams' task assignor (src/log/task-assignor.ts), case by case
 * against the rules of Kafka's `HighAvailabilityTaskAssignor` and
 * `TaskMovement`: round-robin of stateful tasks by process id, stateless
 * tasks to the least loaded, a task's partitions never split, lag-driven
 * movements to caught-up clients, standbys on the least loaded non-holders,
 * warm-up replicas left where a moved task was dealt, within
 * `max.warmup.replicas`.
 */
import { describe, expect, it } from 'vitest';
import { assignTasks, streamsTasks } from '../../src/log/task-assignor.ts';
import type { StreamsSubscription, StreamsSubtopology, TopicPartition } from '../../src/log/protocol.ts';

/** wordcount's shape: sub-topology 0 reads the input (stateless), 1 the repartition topic (a changelogged count). */
const WORDCOUNT: StreamsSubtopology[] = [
  { id: 0, sourceTopics: ['input'], changelogTopics: [] },
  { id: 1, sourceTopics: ['repartition'], changelogTopics: ['counts-changelog'] },
];

function sub(processId: string, sums: Record<string, number> = {}, opts: Partial<StreamsSubscription> = {}): StreamsSubscription {
  return { processId, subtopologies: WORDCOUNT, taskOffsetSums: sums, standbyReplicas: 0, acceptableRecoveryLag: 10_000, ...opts };
}

const counts = (n: number) => (topic: string): number | undefined => (['input', 'repartition', 'left', 'right'].includes(topic) ? n : undefined);

function run(members: { id: string; streams: StreamsSubscription }[], partitions = 4, end: (tp: TopicPartition) => number = () => 0) {
  const out = assignTasks(members, counts(partitions), end).tasks;
  return Object.fromEntries([...out].map(([id, t]) => [id, t]));
}

describe('the task assignor', () => {
  it('deals stateful tasks round-robin by process id and stateless ones to the least loaded', () => {
    const two = run([{ id: 'b-member', streams: sub('ks-1') }, { id: 'a-member', streams: sub('ks-0') }]);
    expect(two['a-member']!.active).toEqual(['0_0', '0_2', '1_0', '1_2']);
    expect(two['b-member']!.active).toEqual(['0_1', '0_3', '1_1', '1_3']);
    const three = run(['ks-0', 'ks-1', 'ks-2'].map((p) => ({ id: `${p}-m`, streams: sub(p) })));
    // 1_0..1_3 dealt ks-0, ks-1, ks-2, ks-0; then the stateless tasks go to the least loaded, ties by process id.
    expect(three['ks-0-m']!.active).toEqual(['0_2', '1_0', '1_3']);
    expect(three['ks-1-m']!.active).toEqual(['0_0', '0_3', '1_1']);
    expect(three['ks-2-m']!.active).toEqual(['0_1', '1_2']);
  });

  it('orders task ids as numbers, so 1_10 comes after 1_9', () => {
    expect(streamsTasks(WORDCOUNT, counts(12)).map((t) => t.id).slice(12, 15)).toEqual(['1_0', '1_1', '1_2']);
    expect(streamsTasks(WORDCOUNT, counts(12)).map((t) => t.id).slice(-3)).toEqual(['1_9', '1_10', '1_11']);
    const out = run([{ id: 'a', streams: sub('ks-0') }, { id: 'b', streams: sub('ks-1') }], 12);
    expect(out['a']!.active.filter((t) => t.startsWith('1_'))).toEqual(['1_0', '1_2', '1_4', '1_6', '1_8', '1_10']);
  });

  it("gives a member every source partition of each of its tasks and no other: a task's partitions are never split", () => {
    const join: StreamsSubtopology[] = [{ id: 0, sourceTopics: ['left', 'right'], changelogTopics: ['join-store-changelog'] }];
    const out = run(['ks-0', 'ks-1', 'ks-2'].map((p) => ({ id: p, streams: sub(p, {}, { subtopologies: join }) })), 5);
    const seen = new Set<string>();
    for (const t of Object.values(out)) {
      const fromTasks = t.active.flatMap((id) => ['left', 'right'].map((topic) => `${topic}/${id.split('_')[1]}`)).sort();
      expect(t.partitions.map((tp) => `${tp.topic}/${tp.partition}`).sort()).toEqual(fromTasks);
      for (const p of fromTasks) {
        expect(seen.has(p)).toBe(false);
        seen.add(p);
      }
    }
    expect(seen.size).toBe(10);
  });

  it('within acceptable.recovery.lag an empty client counts as caught up: placement stays round-robin', () => {
    const end = (): number => 5_000;
    const out = run([{ id: 'a', streams: sub('ks-0', { '1_0': 5_000, '1_1': 5_000, '1_2': 5_000, '1_3': 5_000 }) }, { id: 'b', streams: sub('ks-1') }], 4, end);
    expect(out['b']!.active).toEqual(['0_1', '0_3', '1_1', '1_3']);
  });

  it('a restarted instance with an empty state directory gets stateless tasks while caught-up stateful tasks stay', () => {
    // ks-0 holds every stateful task's state (suspended, so its sums are offsets, not -2); ks-1 holds none, and the changelogs are long.
    const end = (): number => 20_000;
    const sums = { '1_0': 20_000, '1_1': 20_000, '1_2': 19_999, '1_3': 20_000 };
    const out = run([{ id: 'a', streams: sub('ks-0', sums) }, { id: 'b', streams: sub('ks-1') }], 4, end);
    expect(out['a']!.active).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(out['b']!.active).toEqual(['0_0', '0_1', '0_2', '0_3']);
  });

  it('an instance that crashed with its state and rejoined empty gets its round-robin tasks back when nobody else holds them', () => {
    const end = (): number => 20_000;
    // Neither client reports state for 1_1 and 1_3: equal lags, nothing moves.
    const out = run([{ id: 'a', streams: sub('ks-0', { '1_0': 20_000, '1_2': 20_000 }) }, { id: 'b', streams: sub('ks-1') }], 4, end);
    expect(out['b']!.active).toEqual(['0_1', '0_3', '1_1', '1_3']);
  });

  it('moves a lagging task to the most caught-up client when no client is caught up', () => {
    const end = (): number => 50_000;
    // 1_1 is dealt to ks-1 (lag 50,000); ks-0's copy is 30,000 behind, beyond the acceptable lag but less behind.
    const out = run([{ id: 'a', streams: sub('ks-0', { '1_1': 20_000 }) }, { id: 'b', streams: sub('ks-1') }], 4, end);
    expect(out['a']!.active).toContain('1_1');
    expect(out['b']!.active).not.toContain('1_1');
  });

  it('moves the tasks with fewest caught-up clients first, each to the least loaded caught-up client, ties by process id', () => {
    const end = (): number => 100_000;
    // Round-robin: 1_0 ks-0, 1_1 ks-1, 1_2 ks-2, 1_3 ks-0. ks-2 holds nothing, so 1_2 must move; ks-0 and ks-1 are both caught up on it.
    const caught = { '1_0': 100_000, '1_1': 100_000, '1_2': 100_000, '1_3': 100_000 };
    const out = run([
      { id: 'a', streams: sub('ks-0', caught) }, { id: 'b', streams: sub('ks-1', caught) }, { id: 'c', streams: sub('ks-2') },
    ], 4, end);
    // ks-1 has one stateful task to ks-0's two: it takes 1_2.
    expect(out['b']!.active.filter((t) => t.startsWith('1_'))).toEqual(['1_1', '1_2']);
    expect(out['c']!.active.filter((t) => t.startsWith('1_'))).toEqual([]);
    expect(out['c']!.active.length).toBeGreaterThanOrEqual(2);
  });

  it('counts an offset sum beyond the changelog end as no state', () => {
    const end = (): number => 20_000;
    // ks-1's sum for 1_1 is past the end (a changelog that was recreated): lag 20,000, as if it held nothing; ks-0 is caught up.
    const out = run([{ id: 'a', streams: sub('ks-0', { '1_1': 20_000 }) }, { id: 'b', streams: sub('ks-1', { '1_1': 99_999 }) }], 4, end);
    expect(out['a']!.active).toContain('1_1');
  });

  it('reads -2 as a running task: caught up at any lag', () => {
    const end = (): number => 20_000;
    const out = run([{ id: 'a', streams: sub('ks-0') }, { id: 'b', streams: sub('ks-1', { '1_0': -2 }) }], 4, end);
    expect(out['b']!.active).toContain('1_0');
  });

  it('places standbys on the least loaded client that holds no copy, ties by process id, and swaps a caught-up standby in for a lagging active', () => {
    const three = run(['ks-0', 'ks-1', 'ks-2'].map((p) => ({ id: p, streams: sub(p, {}, { standbyReplicas: 1 }) })));
    // Actives 1_0 ks-0, 1_1 ks-1, 1_2 ks-2, 1_3 ks-0; standbys by load (ks-0 2, others 1), ties by process id.
    expect(three['ks-1']!.standby).toEqual(['1_0', '1_3']);
    expect(three['ks-2']!.standby).toEqual(['1_1']);
    expect(three['ks-0']!.standby).toEqual(['1_2']);
    for (const t of Object.values(three)) for (const s of t.standby) expect(t.active).not.toContain(s);
    // With long changelogs: ks-1 holds 1_0's state, ks-0 (dealt 1_0) holds none. Its standby on ks-1 swaps in.
    const end = (): number => 50_000;
    const two = run([
      { id: 'a', streams: sub('ks-0', {}, { standbyReplicas: 1 }) },
      { id: 'b', streams: sub('ks-1', { '1_0': 50_000, '1_1': 50_000, '1_2': 50_000, '1_3': 50_000 }, { standbyReplicas: 1 }) },
    ], 4, end);
    expect(two['b']!.active.filter((t) => t.startsWith('1_'))).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(two['a']!.standby).toEqual(['1_0', '1_1', '1_2', '1_3']);
  });

  it('leaves a warm-up replica where a moved task was dealt, within max.warmup.replicas, and none after a swap', () => {
    const end = (): number => 20_000;
    const all = { '1_0': 20_000, '1_1': 20_000, '1_2': 20_000, '1_3': 20_000 };
    // ks-1 holds no state: 1_1 and 1_3, dealt to it, move to ks-0; ks-1 warms both up (the budget is 2).
    const two = run([{ id: 'a', streams: sub('ks-0', all) }, { id: 'b', streams: sub('ks-1') }], 4, end);
    expect(two['a']!.active.filter((t) => t.startsWith('1_'))).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(two['b']!.standby).toEqual(['1_1', '1_3']);
    // Something moved: the group should probe again later; with every client caught up, nothing moves.
    const probing = (end: number): boolean => assignTasks([{ id: 'a', streams: sub('ks-0', all) }, { id: 'b', streams: sub('ks-1') }], counts(4), () => end).probingRebalanceNeeded;
    expect(probing(20_000)).toBe(true);
    expect(probing(5_000)).toBe(false);
    // A budget of 1: the first movement (task order) gets the warm-up.
    const one = run([{ id: 'a', streams: sub('ks-0', all, { maxWarmupReplicas: 1 }) }, { id: 'b', streams: sub('ks-1', {}, { maxWarmupReplicas: 1 }) }], 4, end);
    expect(one['b']!.standby).toEqual(['1_1']);
    // Three empty clients and one caught up: three movements (1_1, 1_2, 1_3), two warm-ups, on the first two movements' clients.
    const four = run([
      { id: 'a', streams: sub('ks-0', all) }, { id: 'b', streams: sub('ks-1') }, { id: 'c', streams: sub('ks-2') }, { id: 'd', streams: sub('ks-3') },
    ], 4, end);
    expect(four['a']!.active.filter((t) => t.startsWith('1_'))).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(Object.values(four).flatMap((t) => t.standby)).toEqual(['1_1', '1_2']);
    // A caught-up standby swaps in: the client left gets that standby, no warm-up is spent.
    const swap = run([
      { id: 'a', streams: sub('ks-0', {}, { standbyReplicas: 1 }) },
      { id: 'b', streams: sub('ks-1', all, { standbyReplicas: 1 }) },
    ], 4, end);
    expect(swap['a']!.standby).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(swap['b']!.standby).toEqual([]);
  });

  it('moves a lagging standby to a caught-up client without a copy, the client it left keeping a warm-up', () => {
    const end = (): number => 20_000;
    const all = { '1_0': 20_000, '1_1': 20_000, '1_2': 20_000, '1_3': 20_000 };
    // Three clients, one standby each: ks-2 holds every task's state, ks-0 and ks-1 none.
    const out = run(['ks-0', 'ks-1', 'ks-2'].map((p) => ({ id: p, streams: sub(p, p === 'ks-2' ? all : {}, { standbyReplicas: 1, maxWarmupReplicas: 8 }) })), 4, end);
    // Dealt: 1_0 and 1_3 to ks-0, 1_1 to ks-1, 1_2 to ks-2; standbys 1_0 and 1_3 on ks-1, 1_1 on ks-2, 1_2 on ks-0.
    // Actives: 1_0 and 1_3 move to ks-2, ks-0 warming both up; 1_1 swaps with ks-2's standby, which ks-1 gets.
    expect(out['ks-2']!.active.filter((t) => t.startsWith('1_'))).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(out['ks-2']!.standby).toEqual([]);
    // Standbys, in task order: 1_0 on ks-1 has nowhere to go (ks-2 holds it, ks-0 warms it up); 1_1 on ks-1 goes to ks-0,
    // the first client without a copy in lag order, and stays on ks-1 as a warm-up; 1_2 (ks-0) and 1_3 (ks-1) stay.
    expect(out['ks-0']!.standby).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(out['ks-1']!.standby).toEqual(['1_0', '1_1', '1_3']);
    // A budget of 1: only 1_0's active movement leaves a warm-up (on ks-0); the standbys 1_1 and 1_3 leave ks-1 for ks-0.
    const tight = run(['ks-0', 'ks-1', 'ks-2'].map((p) => ({ id: p, streams: sub(p, p === 'ks-2' ? all : {}, { standbyReplicas: 1, maxWarmupReplicas: 1 }) })), 4, end);
    expect(tight['ks-0']!.standby).toEqual(['1_0', '1_1', '1_2', '1_3']);
    expect(tight['ks-1']!.standby).toEqual(['1_0']);
  });

  it('splits a process of two members by member id, stateful tasks first', () => {
    const out = run([{ id: 'x-1', streams: sub('ks-0') }, { id: 'x-0', streams: sub('ks-0') }, { id: 'y', streams: sub('ks-1') }]);
    // ks-0 has capacity 2: it takes 1_0 and 1_2 by the round-robin, then the stateless tasks by load per member (0_2 on a tie).
    expect(out['y']!.active).toEqual(['0_3', '1_1', '1_3']);
    expect(out['x-0']!.active).toEqual(['0_0', '0_2', '1_0']);
    expect(out['x-1']!.active).toEqual(['0_1', '1_2']);
  });
});
