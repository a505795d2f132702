/**
 * The group coordinator's partition assignor for plain consumer groups (a
 * Kafka Streams group gets tasks instead: task-assignor.ts): sticky and deterministic, after
 * Kafka's `AbstractStickyAssignor` (the goals of its general assignment, not
 * its code). Given the members (with their subscriptions and the partitions
 * they owned in the previous generation) and the partition count of every
 * topic, it returns each member's partitions such that
 *
 * 1. every partition of a subscribed topic is owned by exactly one member
 *    subscribed to that topic, and no one owns anything else;
 * 2. the assignment is balanced: no partition could move from its owner to
 *    another member subscribed to its topic that owns at least two fewer
 *    (so with identical subscriptions, counts differ by at most one);
 * 3. previous owners keep their partitions as far as balance allows: a
 *    partition leaves its previous owner only when that owner holds more than
 *    a balanced share, and partitions it did not own before leave first.
 *
 * Every choice is made over sorted members and partitions (ties go to the
 * smaller member id), never over a Map's insertion order, so the result is a
 * function of the input alone.
 */
import type { TopicPartition } from './protocol.ts';

export interface AssignorMember {
  id: string;
  topics: readonly string[];
  /** What it owned in the previous generation (may name partitions that no longer exist). */
  owned: readonly TopicPartition[];
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return cmpStr(a.topic, b.topic) || a.partition - b.partition;
}

const tpKey = (tp: TopicPartition): string => `${tp.partition}\u0000${tp.topic}`;

/** Member id -> its partitions, sorted; every member is present (possibly with none). */
export function assignSticky(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
  const sorted = [...members].sort((a, b) => cmpStr(a.id, b.id));
  const subscribed = new Map(sorted.map((m) => [m.id, new Set(m.topics)]));
  const eligible = (id: string, tp: TopicPartition): boolean => subscribed.get(id)!.has(tp.topic);

  const all: TopicPartition[] = [];
  for (const topic of [...new Set(sorted.flatMap((m) => m.topics))].sort(cmpStr)) {
    const n = partitionCounts.get(topic) ?? 0;
    for (let p = 0; p < n; p++) all.push({ topic, partition: p });
  }
  const exists = new Set(all.map(tpKey));

  // Goal 3: start from the previous owners (first claim wins, in member order).
  const owner = new Map<string, string>();
  const wasOwned = new Map<string, Set<string>>();
  for (const m of sorted) {
    const mine = new Set<string>();
    for (const tp of [...m.owned].sort(compareTopicPartitions)) {
      const k = tpKey(tp);
      if (!exists.has(k) || !eligible(m.id, tp) || owner.has(k)) continue;
      owner.set(k, m.id);
      mine.add(k);
    }
    wasOwned.set(m.id, mine);
  }
  const owned = new Map<string, TopicPartition[]>(sorted.map((m) => [m.id, []]));
  for (const tp of all) {
    const o = owner.get(tpKey(tp));
    if (o !== undefined) owned.get(o)!.push(tp);
  }

  // Goal 1: each partition nobody kept goes to the least loaded eligible member.
  for (const tp of all) {
    if (owner.has(tpKey(tp))) continue;
    let best: string | undefined;
    for (const m of sorted) {
      if (!eligible(m.id, tp)) continue;
      const load = owned.get(m.id)!.length;
      const bestLoad = best === undefined ? Infinity : owned.get(best)!.length;
      if (load < bestLoad) best = m.id;
    }
    if (best === undefined) continue;
    owner.set(tpKey(tp), best);
    owned.get(best)!.push(tp);
  }

  // Goal 2: move one partition at a time from a member to an eligible one owning ≥ 2 fewer, widest gap
  // first. Each move lowers the sum of squared counts, so this ends.
  for (;;) {
    const move = bestMove(sorted, owned, eligible, wasOwned);
    if (move === undefined) break;
    const from = owned.get(move.from)!;
    from.splice(from.indexOf(move.tp), 1);
    owned.get(move.to)!.push(move.tp);
  }

  for (const list of owned.values()) list.sort(compareTopicPartitions);
  return owned;
}

interface Move {
  from: string;
  to: string;
  tp: TopicPartition;
}

/**
 * The move that narrows the widest gap: from the most loaded member (smaller
 * id first), one of its partitions — those it did not own before first, then
 * the last in sorted order — to the least loaded eligible member (smaller id first).
 */
function bestMove(
  members: readonly AssignorMember[],
  owned: ReadonlyMap<string, TopicPartition[]>,
  eligible: (id: string, tp: TopicPartition) => boolean,
  wasOwned: ReadonlyMap<string, ReadonlySet<string>>,
): Move | undefined {
  let best: (Move & { gap: number; sticky: boolean }) | undefined;
  for (const a of members) {
    const mine = [...owned.get(a.id)!].sort(compareTopicPartitions).reverse();
    for (const tp of mine) {
      const sticky = wasOwned.get(a.id)!.has(tpKey(tp));
      for (const b of members) {
        if (b.id === a.id || !eligible(b.id, tp)) continue;
        const gap = mine.length - owned.get(b.id)!.length;
        if (gap < 2) continue;
        const better = best === undefined || gap > best.gap || (gap === best.gap && best.from === a.id && best.sticky && !sticky);
        if (better) best = { from: a.id, to: b.id, tp, gap, sticky };
      }
    }
  }
  return best;
}
