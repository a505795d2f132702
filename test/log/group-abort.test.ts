/**
 * What this proves: a join or leave that reaches the group coordinator while
 * it writes a completed generation aborts that generation, as Kafka's
 * `prepareRebalance` does in COMPLETING_REBALANCE: nobody is told of it, the
 * joins waiting for it are answered with the next one, and its record, once
 * durable, changes nothing. The same join of a plain consumer sent again
 * meanwhile is answered with the generation being written, without a
 * rebalance; a Kafka Streams member's never is (its `uniqueField` counts its
 * joins), so it aborts the generation too, and in a stable group it
 * rebalances; but the same request resent by the client's retries (the same
 * reqId) is the same join, for both.
 *
 * How: the coordinator runs on a hand-driven clock and a store whose appends
 * become durable only when the test says so, so the window in which a
 * generation is being written is held open exactly as long as needed.
 */
import { describe, expect, it } from 'vitest';
import { type GroupCoordinator } from '../../src/log/group-coordinator.ts';
import type { LogReply, StreamsSubscription } from '../../src/log/protocol.ts';
import { handDrivenCoordinator, type HandDriven } from './hand-driven-coordinator.ts';

interface Harness extends HandDriven {
  replies: Map<string, LogReply[]>;
  join(memberId: string, label?: string, streams?: StreamsSubscription): void;
  /** Sends the last join of `memberId` again, the same request (its reqId): the client's retry. */
  resend(memberId: string, label: string): void;
  leave(memberId: string): void;
}

function harness(): Harness {
  const h = handDrivenCoordinator();
  const { coordinator } = h;
  let reqId = 0;
  const replies = new Map<string, LogReply[]>();
  const record = (label: string) => (r: LogReply): void => void replies.set(label, [...(replies.get(label) ?? []), r]);
  const sent = new Map<string, Parameters<GroupCoordinator['join']>[0]>();
  const fail = (label: string) => (code: string, message: string): void => record(label)({ kind: 'error', code, message } as never);
  return {
    ...h,
    replies,
    join(memberId, label = memberId, streams) {
      const req = { kind: 'group.join' as const, reqId: ++reqId, groupId: 'g', memberId, topics: ['t'], sessionTimeoutMs: 1_000, rebalanceTimeoutMs: 2_000, ...(streams ? { streams } : {}) };
      sent.set(memberId, req);
      coordinator.join(req, record(label), fail(label));
    },
    resend(memberId, label) {
      coordinator.join(sent.get(memberId)!, record(label), fail(label));
    },
    leave(memberId) {
      coordinator.leave({ kind: 'group.leave', reqId: ++reqId, groupId: 'g', memberId }, record(`leave ${memberId}`), fail(`leave ${memberId}`));
    },
  };
}

const generationOf = (r: LogReply | undefined): unknown => (r?.kind === 'group.joined' ? [r.generation, r.members] : r?.kind);
const streamsOf = (processId: string): StreamsSubscription => ({
  processId, subtopologies: [{ id: 0, sourceTopics: ['t'], changelogTopics: [] }], taskOffsetSums: {}, standbyReplicas: 0, acceptableRecoveryLag: 10_000,
});

describe('a generation being written', () => {
  it('is aborted by a new member\'s join: its members are answered with the next generation, which has both', () => {
    const h = harness();
    h.join('a');
    expect(h.pending).toHaveLength(1);
    h.join('b');
    expect(h.events.filter((e) => e.kind === 'group.rebalance').map((e) => [e.generation, e.reason, e.aborted])).toEqual([[0, 'join:a', undefined], [1, 'join:b', true]]);
    // Every member had joined, so the next generation completes at once, and is written in turn.
    expect(h.pending).toHaveLength(2);
    h.durable();
    expect(h.replies.size).toBe(0);
    expect(h.events.filter((e) => e.kind === 'group.generation')).toEqual([]);
    h.durable();
    expect(generationOf(h.replies.get('a')?.[0])).toEqual([2, ['a', 'b']]);
    expect(generationOf(h.replies.get('b')?.[0])).toEqual([2, ['a', 'b']]);
    expect(h.events.filter((e) => e.kind === 'group.generation').map((e) => e.generation)).toEqual([2]);
  });

  it('is aborted by a leave, and the next generation goes on without the member that left', () => {
    const h = harness();
    h.join('a');
    h.durable();
    h.join('b');
    h.join('a', 'a again');
    // Generation 2 (a and b) is being written when b leaves.
    expect(h.pending).toHaveLength(1);
    h.leave('b');
    expect(h.replies.get('leave b')?.[0]?.kind).toBe('group.ok');
    expect(h.events.at(-1)).toMatchObject({ kind: 'group.rebalance', generation: 2, reason: 'leave:b', aborted: true });
    h.durable();
    h.durable();
    expect(generationOf(h.replies.get('a again')?.[0])).toEqual([3, ['a']]);
    expect(h.replies.get('b')).toBeUndefined();
  });

  it('answers a plain consumer\'s same join sent again with the generation being written, without a rebalance', () => {
    const h = harness();
    h.join('a');
    h.join('a', 'a again');
    expect(h.pending).toHaveLength(1);
    h.durable();
    expect(h.events.filter((e) => e.kind === 'group.rebalance')).toHaveLength(1);
    expect(generationOf(h.replies.get('a again')?.[0])).toEqual([1, ['a']]);
  });

  it('is aborted by a Kafka Streams member\'s same join sent again, whose subscription never matches its last', () => {
    const h = harness();
    h.join('a', 'a', streamsOf('ks-0'));
    h.join('a', 'a again', streamsOf('ks-0'));
    expect(h.events.filter((e) => e.kind === 'group.rebalance').map((e) => [e.reason, e.aborted])).toEqual([['join:a', undefined], ['join:a', true]]);
    h.durable();
    h.durable();
    expect(generationOf(h.replies.get('a again')?.[0])).toEqual([2, ['a']]);
    // And in the stable group, the same join rebalances again.
    h.join('a', 'a third', streamsOf('ks-0'));
    expect(h.events.at(-1)).toMatchObject({ kind: 'group.rebalance', generation: 2, reason: 'join:a' });
    h.durable();
    expect(generationOf(h.replies.get('a third')?.[0])).toEqual([3, ['a']]);
  });

  it('takes the same request resent by the client\'s retries (its reqId) for the same join, a Kafka Streams member\'s too', () => {
    const h = harness();
    h.join('a', 'a', streamsOf('ks-0'));
    // Resent while its generation is written: answered with it, nothing aborted.
    h.resend('a', 'a resent');
    expect(h.events.filter((e) => e.kind === 'group.rebalance')).toHaveLength(1);
    h.durable();
    expect(generationOf(h.replies.get('a resent')?.[0])).toEqual([1, ['a']]);
    // Resent once the group is stable (the answer was lost): answered from the current generation.
    h.resend('a', 'a resent late');
    expect(h.events.filter((e) => e.kind === 'group.rebalance')).toHaveLength(1);
    expect(generationOf(h.replies.get('a resent late')?.[0])).toEqual([1, ['a']]);
    expect(h.pending).toHaveLength(0);
  });

  it('takes a plain consumer\'s new join while its generation is written as the request its resends repeat', () => {
    const h = harness();
    h.join('a');
    h.join('a', 'a again');
    h.durable();
    expect(generationOf(h.replies.get('a again')?.[0])).toEqual([1, ['a']]);
    // The second request, resent once the group is stable (its answer lost), is that join again:
    // answered from the current generation, although a new join of the leader would rebalance.
    h.resend('a', 'a again resent');
    expect(generationOf(h.replies.get('a again resent')?.[0])).toEqual([1, ['a']]);
    expect(h.events.filter((e) => e.kind === 'group.rebalance')).toHaveLength(1);
    h.join('a', 'a new');
    expect(h.events.at(-1)).toMatchObject({ kind: 'group.rebalance', generation: 1, reason: 'join:a' });
  });

  it('sets no session deadline for a member of an aborted generation until the next one is told', () => {
    const h = harness();
    h.join('a');
    h.join('b');
    // Far past every session: nobody was told of a generation yet, so nobody is expired.
    h.advance(5_000);
    expect(h.events.filter((e) => e.kind === 'group.rebalance' && String(e.reason).startsWith('expired'))).toEqual([]);
    h.durable();
    h.durable();
    expect(generationOf(h.replies.get('a')?.[0])).toEqual([2, ['a', 'b']]);
    // Once told, a member that never heartbeats is let go when its session (1 s) expires.
    h.advance(1_000);
    expect(h.events.at(-1)).toMatchObject({ kind: 'group.rebalance', generation: 2, reason: 'expired:a,b' });
  });
});
