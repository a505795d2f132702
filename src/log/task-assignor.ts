/**
 * Kafka Streams' task assignor, run by the group coordinator for a group whose
 * members all join with a Kafka Streams subscription (process id, the
 * application's sub-topologies, the offset sums of the task state each
 * holds). It follows `HighAvailabilityTaskAssignor` (the default of the
 * classic protocol; `StreamsPartitionAssignor`, `TaskMovement`,
 * `DefaultStandbyTaskAssignor`, `ConstrainedPrioritySet`, `ClientState`):
 *
 * - Tasks: one per sub-topology and partition below the largest partition
 *   count of its source topics (`PartitionGrouper`); a task owns that
 *   partition of every source topic that has it, so a task's partitions are
 *   never split. A task is stateful when its sub-topology has a changelog.
 *   Tasks are ordered by sub-topology, then partition, both as numbers.
 * - Clients: the members of one process (a Kafka Streams instance); their
 *   capacity is their number of members (stream threads). Ordered by process
 *   id as a string.
 * - Lag of a client for a stateful task: the sum of its changelog
 *   partitions' end offsets less the client's offset sum (none counts as 0;
 *   a sum above the end counts as no state, lag = the end sum; -2, a running
 *   task, stays -2). A client is caught up on it at lag -2 or within
 *   `acceptable.recovery.lag`.
 * 1. Stateful tasks are dealt round-robin over the clients, in order; then
 *    tasks move from client to client while that lowers the skew of tasks
 *    per member (`balanceTasksOverThreads`).
 * 2. Standbys: each stateful task's replicas, in task order, each to the
 *    client with the least (active + standby) per member that holds no copy
 *    of the task, ties by process id; then balanced as in 1.
 * 3. Movements: an active task on a client that is not caught up on it,
 *    when another client's lag is strictly lower, moves — fewest caught-up
 *    clients first, then task order — to a caught-up client holding a
 *    standby of it (the two swap), else to the least loaded caught-up client,
 *    else to the most caught-up client (swapping if it holds a standby).
 *    A task that moves without a swap leaves a warm-up replica (a standby)
 *    on the client the round-robin chose, while `max.warmup.replicas`
 *    (default 2, one budget for the whole assignment) lasts. Standbys that
 *    are not warm-ups move the same way to a client holding no copy, the
 *    client they leave keeping a warm-up while the budget lasts. When
 *    anything moved, the group rebalances again after
 *    `probing.rebalance.interval.ms` (`probingRebalanceNeeded`; the group
 *    coordinator tells the leader's member, whose instance asks for it): by
 *    then a warm-up may be caught up, and the round-robin gives its task
 *    back.
 * 4. Stateless tasks, in order, each to the client with the fewest active
 *    tasks per member, ties by process id. No stickiness.
 * 5. Within a client of several members (a restarted instance whose old
 *    member is still in the group): its stateful active tasks, then its
 *    standbys, then its stateless tasks, each to the member holding fewest,
 *    ties by member id (Kafka's `assignTasksToThreads` also prefers a
 *    thread's previous tasks; weir's members are one thread each and a
 *    second member of a process does not outlive its session).
 *
 * A pure function of its input: every choice is over sorted clients and tasks.
 */
import { DEFAULT_MAX_WARMUP_REPLICAS, LATEST_OFFSET, type StreamsSubscription, type StreamsSubtopology, type StreamsTasks, type TopicPartition } from './protocol.ts';
import { compareTopicPartitions } from './assignor.ts';

export interface MemberTasks extends StreamsTasks {
  /** The partitions of its active tasks, sorted. */
  partitions: TopicPartition[];
}

interface Task {
  id: string;
  sub: number;
  partition: number;
  partitions: TopicPartition[];
  changelogs: TopicPartition[];
  stateful: boolean;
}

interface Client {
  id: string;
  members: string[];
  active: Set<string>;
  standby: Set<string>;
  lag: Map<string, number>;
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const cmpTask = (a: Task, b: Task): number => a.sub - b.sub || a.partition - b.partition;

/** The application's tasks (`PartitionGrouper.partitionGroups`), ordered. */
export function streamsTasks(subtopologies: readonly StreamsSubtopology[], partitionCount: (topic: string) => number | undefined): Task[] {
  const out: Task[] = [];
  for (const s of subtopologies) {
    const counts = s.sourceTopics.map((t) => partitionCount(t) ?? 0);
    const n = Math.max(0, ...counts);
    for (let p = 0; p < n; p++) {
      out.push({
        id: `${s.id}_${p}`, sub: s.id, partition: p,
        partitions: s.sourceTopics.filter((_, i) => counts[i]! > p).map((topic) => ({ topic, partition: p })).sort(compareTopicPartitions),
        changelogs: s.changelogTopics.map((topic) => ({ topic, partition: p })),
        stateful: s.changelogTopics.length > 0,
      });
    }
  }
  return out.sort(cmpTask);
}

/** What the assignor decided: every member's tasks, and whether to probe the warm-ups later. */
export interface TaskAssignment {
  tasks: Map<string, MemberTasks>;
  /** Some active task was scheduled to move, or some standby moved (Kafka's `probingRebalanceNeeded`). */
  probingRebalanceNeeded: boolean;
}

/**
 * Every member's tasks. `members` carry their subscriptions; the first member's (by id) sub-topologies
 * and configs are the group's (Kafka reads them from the leader). `endOffset` answers a changelog
 * partition's end offset (ListOffsets latest).
 */
export function assignTasks(
  members: readonly { id: string; streams: StreamsSubscription }[],
  partitionCount: (topic: string) => number | undefined,
  endOffset: (tp: TopicPartition) => number,
): TaskAssignment {
  const sortedMembers = [...members].sort((a, b) => cmpStr(a.id, b.id));
  const out = new Map<string, MemberTasks>();
  if (sortedMembers.length === 0) return { tasks: out, probingRebalanceNeeded: false };
  const config = sortedMembers[0]!.streams;
  const tasks = streamsTasks(config.subtopologies, partitionCount);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const stateful = tasks.filter((t) => t.stateful);

  const clientsById = new Map<string, Client>();
  const sums = new Map<string, Map<string, number>>();
  for (const m of sortedMembers) {
    const pid = m.streams.processId;
    let c = clientsById.get(pid);
    if (c === undefined) {
      c = { id: pid, members: [], active: new Set(), standby: new Set(), lag: new Map() };
      clientsById.set(pid, c);
      sums.set(pid, new Map());
    }
    c.members.push(m.id);
    const s = sums.get(pid)!;
    for (const [task, sum] of Object.entries(m.streams.taskOffsetSums)) {
      const had = s.get(task);
      if (had !== LATEST_OFFSET && (sum === LATEST_OFFSET || had === undefined || sum > had)) s.set(task, sum);
    }
  }
  const clients = [...clientsById.values()].sort((a, b) => cmpStr(a.id, b.id));
  for (const t of stateful) {
    const endSum = t.changelogs.reduce((acc, tp) => acc + endOffset(tp), 0);
    for (const c of clients) {
      const sum = sums.get(c.id)!.get(t.id) ?? 0;
      c.lag.set(t.id, sum === LATEST_OFFSET ? LATEST_OFFSET : sum > endSum ? endSum : endSum - sum);
    }
  }

  const capacity = (c: Client): number => c.members.length;
  const assignedLoad = (c: Client): number => (c.active.size + c.standby.size) / capacity(c);
  const activeLoad = (c: Client): number => c.active.size / capacity(c);
  const holds = (c: Client, task: string): boolean => c.active.has(task) || c.standby.has(task);
  /** `ConstrainedPrioritySet.poll`: the least `weight`, then the smallest process id, among the clients `ok` admits. */
  const least = (weight: (c: Client) => number, ok: (c: Client) => boolean): Client | undefined => {
    let best: Client | undefined;
    for (const c of clients) if (ok(c) && (best === undefined || weight(c) < weight(best))) best = c;
    return best;
  };

  // 1. Stateful actives, round-robin, then balanced.
  stateful.forEach((t, i) => clients[i % clients.length]!.active.add(t.id));
  const taskOrder = (a: string, b: string): number => cmpTask(byId.get(a)!, byId.get(b)!);
  balance(clients, (c) => c.active, capacity, taskOrder);

  // 2. Standbys.
  if (config.standbyReplicas > 0) {
    for (const t of stateful) {
      for (let r = 0; r < config.standbyReplicas; r++) {
        const c = least(assignedLoad, (x) => !holds(x, t.id));
        if (c === undefined) break;
        c.standby.add(t.id);
      }
    }
    balance(clients, (c) => c.standby, capacity, taskOrder);
  }

  // 3. Movements toward caught-up clients.
  const lagOf = (c: Client, task: string): number => c.lag.get(task)!;
  const caughtUp = (c: Client, task: string): boolean => {
    const lag = lagOf(c, task);
    return lag === LATEST_OFFSET || (lag >= 0 && lag <= config.acceptableRecoveryLag);
  };
  const byLag = (task: string): Client[] => [...clients].sort((a, b) => lagOf(a, task) - lagOf(b, task) || cmpStr(a.id, b.id));
  const needsMove = (c: Client, task: string): boolean => !caughtUp(c, task) && lagOf(byLag(task)[0]!, task) < lagOf(c, task);
  const mostCaughtUp = (task: string, dest: Client, ok: (c: Client) => boolean): Client | undefined => {
    for (const c of byLag(task)) {
      if (c === dest) return undefined;
      if (ok(c)) return c;
    }
    return undefined;
  };
  const movements = (pick: (c: Client) => Set<string>): { task: string; dest: Client; n: number }[] => {
    const list: { task: string; dest: Client; n: number }[] = [];
    for (const c of clients) {
      for (const task of pick(c)) if (needsMove(c, task)) list.push({ task, dest: c, n: clients.filter((x) => caughtUp(x, task)).length });
    }
    return list.sort((a, b) => a.n - b.n || taskOrder(a.task, b.task));
  };
  /** `remainingWarmupReplicas`: one budget for active and standby movements. */
  let warmupsLeft = config.maxWarmupReplicas ?? DEFAULT_MAX_WARMUP_REPLICAS;
  const warmups = new Map<Client, Set<string>>();
  const warmUp = (c: Client, task: string): void => {
    c.standby.add(task);
    const set = warmups.get(c);
    if (set) set.add(task);
    else warmups.set(c, new Set([task]));
  };
  const activeMovements = movements((c) => c.active);
  let standbyMovements = 0;
  for (const { task, dest } of activeMovements) {
    const swapWith = least(assignedLoad, (c) => caughtUp(c, task) && c.standby.has(task));
    const to = swapWith ?? least(assignedLoad, (c) => caughtUp(c, task)) ?? mostCaughtUp(task, dest, () => true);
    if (to === undefined) continue;
    dest.active.delete(task);
    to.active.add(task);
    if (to.standby.has(task)) {
      // `swapStandbyAndActive`: the standby takes the task, the client it left gets the standby.
      to.standby.delete(task);
      dest.standby.add(task);
    } else if (warmupsLeft-- > 0) warmUp(dest, task);
  }
  for (const { task, dest } of movements((c) => c.standby)) {
    if (warmups.get(dest)?.has(task)) continue;
    const to = least(assignedLoad, (c) => caughtUp(c, task) && !holds(c, task)) ?? mostCaughtUp(task, dest, (c) => !holds(c, task));
    if (to === undefined) continue;
    to.standby.add(task);
    // Within the budget the client it left keeps its copy as a warm-up.
    if (warmupsLeft-- <= 0) dest.standby.delete(task);
    standbyMovements++;
  }

  // 4. Stateless actives.
  for (const t of tasks) if (!t.stateful) least(activeLoad, () => true)!.active.add(t.id);

  // 5. Within each client, to its members.
  for (const c of clients) {
    const mine = new Map(c.members.map((id) => [id, { active: [] as Task[], standby: [] as Task[] }]));
    const count = (id: string): number => mine.get(id)!.active.length + mine.get(id)!.standby.length;
    const deal = (list: Task[], into: 'active' | 'standby'): void => {
      for (const t of list) {
        let best = c.members[0]!;
        for (const id of c.members) if (count(id) < count(best)) best = id;
        mine.get(best)![into].push(t);
      }
    };
    const tasksOf = (set: Set<string>, pick: (t: Task) => boolean): Task[] => [...set].map((id) => byId.get(id)!).filter(pick).sort(cmpTask);
    deal(tasksOf(c.active, (t) => t.stateful), 'active');
    deal(tasksOf(c.standby, () => true), 'standby');
    deal(tasksOf(c.active, (t) => !t.stateful), 'active');
    for (const [id, m] of mine) {
      const active = [...m.active].sort(cmpTask);
      out.set(id, {
        active: active.map((t) => t.id),
        standby: [...m.standby].sort(cmpTask).map((t) => t.id),
        partitions: active.flatMap((t) => t.partitions).sort(compareTopicPartitions),
      });
    }
  }
  return { tasks: out, probingRebalanceNeeded: activeMovements.length + standbyMovements > 0 };
}

/**
 * `balanceTasksOverThreads`: for every ordered pair of clients, moves the source's tasks (in task
 * order, one the destination does not hold) while the move lowers the skew of tasks per member
 * without turning it the other way; until a pass moves nothing.
 */
function balance(clients: readonly Client[], set: (c: Client) => Set<string>, capacity: (c: Client) => number, taskOrder: (a: string, b: string) => number): void {
  const assigned = (c: Client): number => c.active.size + c.standby.size;
  const shouldMove = (src: Client, dst: Client): boolean => {
    const skew = assigned(src) / capacity(src) - assigned(dst) / capacity(dst);
    if (skew <= 0) return false;
    const proposed = (assigned(src) - 1) / capacity(src) - (assigned(dst) + 1) / capacity(dst);
    return proposed >= 0 && proposed < skew;
  };
  let moved = true;
  while (moved) {
    moved = false;
    for (const src of clients) {
      for (const dst of clients) {
        if (src === dst) continue;
        const ids = [...set(src)].sort(taskOrder);
        for (const id of ids) {
          if (!shouldMove(src, dst)) break;
          if (dst.active.has(id) || dst.standby.has(id)) continue;
          set(src).delete(id);
          set(dst).add(id);
          moved = true;
        }
      }
    }
  }
}
