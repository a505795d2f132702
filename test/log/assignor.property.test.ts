/**
 * The sticky assignor (src/log/assignor.ts). Proves, over generated members,
 * subscriptions, topic sizes and previous assignments:
 * (1) validity: every partition of a subscribed topic has exactly one owner,
 *     subscribed to its topic, and nothing else is owned;
 * (2) balance: no partition could move to an eligible member owning two or
 *     more fewer (with identical subscriptions: counts differ by at most one);
 * (3) stickiness, with identical subscriptions: a member keeps at least
 *     min(what it owned that still exists, floor(partitions / members)) of its
 *     partitions; and a generation that changes nothing moves nothing;
 * (4) determinism: the result does not depend on the order members are given in.
 * Method: fast-check draws the input; the oracle is the properties themselves.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assignSticky, compareTopicPartitions, type AssignorMember } from '../../src/log/assignor.ts';
import type { TopicPartition } from '../../src/log/protocol.ts';

const TOPICS = ['a', 'b', 'c'];
const key = (tp: TopicPartition): string => `${tp.topic}/${tp.partition}`;

const counts = fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }))
  .map(([a, b, c]) => new Map([['a', a], ['b', b], ['c', c]]));

/** Members with ids m0..m{n-1}, each owning a random subset of a random earlier assignment (or partitions that no longer exist). */
function membersArb(sameSubscription: boolean): fc.Arbitrary<AssignorMember[]> {
  const tp = fc.record({ topic: fc.constantFrom(...TOPICS), partition: fc.integer({ min: 0, max: 8 }) });
  const subs = sameSubscription ? fc.constant(TOPICS) : fc.subarray(TOPICS, { minLength: 1 });
  return fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 6 }).chain((ids) =>
    fc.tuple(...ids.map(() => fc.tuple(subs, fc.uniqueArray(tp, { selector: key, maxLength: 10 })))).map((rows) => {
      const claimed = new Set<string>();
      return ids.map((id, i) => {
        const [topics, owned] = rows[i]!;
        // A previous generation never gave one partition to two members.
        const mine = owned.filter((x) => !claimed.has(key(x)));
        for (const x of mine) claimed.add(key(x));
        return { id: `m${id}`, topics, owned: mine };
      });
    }),
  );
}

function universe(members: readonly AssignorMember[], c: Map<string, number>): TopicPartition[] {
  const subscribed = new Set(members.flatMap((m) => m.topics));
  return TOPICS.filter((t) => subscribed.has(t)).flatMap((t) => Array.from({ length: c.get(t)! }, (_, p) => ({ topic: t, partition: p })));
}

function checkValidAndBalanced(members: AssignorMember[], c: Map<string, number>, out: Map<string, TopicPartition[]>): void {
  expect([...out.keys()].sort()).toEqual(members.map((m) => m.id).sort());
  const owners = new Map<string, string[]>();
  for (const [id, tps] of out) for (const tp of tps) owners.set(key(tp), [...(owners.get(key(tp)) ?? []), id]);
  const all = universe(members, c);
  expect([...owners.keys()].sort()).toEqual(all.map(key).sort());
  for (const [k, ids] of owners) {
    expect(ids, k).toHaveLength(1);
    const m = members.find((x) => x.id === ids[0])!;
    expect(m.topics).toContain(k.split('/')[0]);
  }
  for (const [a, tps] of out) {
    for (const tp of tps) {
      for (const b of members) {
        if (b.id !== a && b.topics.includes(tp.topic)) expect(tps.length - out.get(b.id)!.length, `${key(tp)} ${a}->${b.id}`).toBeLessThan(2);
      }
    }
  }
}

describe('sticky assignor', () => {
  it('is valid and balanced for any subscriptions, and independent of member order', () => {
    fc.assert(fc.property(membersArb(false), counts, (members, c) => {
      const out = assignSticky(members, c);
      checkValidAndBalanced(members, c, out);
      expect(assignSticky([...members].reverse(), c)).toEqual(out);
    }), { numRuns: 400 });
  });

  it('with one subscription: counts differ by at most one and members keep their partitions as balance allows', () => {
    fc.assert(fc.property(membersArb(true), counts, (members, c) => {
      const out = assignSticky(members, c);
      checkValidAndBalanced(members, c, out);
      const sizes = [...out.values()].map((l) => l.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      const all = universe(members, c);
      const exists = new Set(all.map(key));
      const floor = Math.floor(all.length / members.length);
      for (const m of members) {
        const before = m.owned.filter((tp) => exists.has(key(tp))).map(key);
        const kept = out.get(m.id)!.map(key).filter((k) => before.includes(k));
        expect(kept.length, m.id).toBeGreaterThanOrEqual(Math.min(before.length, floor));
      }
      // The next generation with the same members moves nothing.
      const again = assignSticky(members.map((m) => ({ ...m, owned: out.get(m.id)! })), c);
      expect(again).toEqual(out);
    }), { numRuns: 400 });
  });

  it('moves only what balance needs when a member joins or leaves', () => {
    const c = new Map([['a', 6]]);
    const first = assignSticky([{ id: 'x', topics: ['a'], owned: [] }, { id: 'y', topics: ['a'], owned: [] }], c);
    expect(first.get('x')!.map(key)).toEqual(['a/0', 'a/2', 'a/4']);
    const joined = assignSticky([
      { id: 'x', topics: ['a'], owned: first.get('x')! },
      { id: 'y', topics: ['a'], owned: first.get('y')! },
      { id: 'z', topics: ['a'], owned: [] },
    ], c);
    // z takes one partition from each; x and y keep two of their three.
    expect(joined.get('z')).toHaveLength(2);
    for (const id of ['x', 'y']) expect(joined.get(id)!.every((tp) => first.get(id)!.some((o) => key(o) === key(tp)))).toBe(true);
    const left = assignSticky([
      { id: 'x', topics: ['a'], owned: joined.get('x')! },
      { id: 'z', topics: ['a'], owned: joined.get('z')! },
    ], c);
    expect(left.get('x')!.length).toBe(3);
    expect(joined.get('x')!.every((tp) => left.get('x')!.some((o) => key(o) === key(tp)))).toBe(true);
    expect(joined.get('z')!.every((tp) => left.get('z')!.some((o) => key(o) === key(tp)))).toBe(true);
    expect([...left.values()].flat().sort(compareTopicPartitions).map(key)).toEqual(['a/0', 'a/1', 'a/2', 'a/3', 'a/4', 'a/5']);
  });
});
