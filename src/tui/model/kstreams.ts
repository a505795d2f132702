/**
 * The replay state of a Kafka Streams run, folded from its trace: the
 * application instances (ks-N) and their state, the tasks each runs with
 * their stream time, the stores with their changelog restoration, the
 * consumer group's generation and assignment, and each stream thread's
 * transaction and last commit.
 *
 * Where each value comes from (nothing is read from the engine's memory):
 * - an instance's state: `ks.start`, `ks.assigned`, `ks.revoked`, `ks.lost`,
 *   `ks.quiet` (`ks.busy` ends it), `ks.closed`, `proc.crash`; joining from
 *   its `ks.start` (an instance joins the group at once) until its first
 *   `ks.assigned`; restoring while one of its tasks has not traced
 *   `ks.running` since its assignment; cut off while a `net.partition`
 *   between it and another process lasts;
 * - a task's status: restoring from its assignment, running from its
 *   `ks.running`, revoked at `ks.revoked`, suspended if the `ks.suspended`
 *   after it lists it; one it leaves out was closed before it initialised
 *   and is gone;
 * - a task's stream time: the `streamTime` its `ks.running` started with,
 *   then the largest record timestamp its `ks.window.add` and
 *   `record.dropped` events show. A task whose sub-topology has no windowed
 *   operator traces no record, so it keeps the time it started with;
 * - a windowed operator's stream time (the one grace is judged against, per
 *   task and store, never restored): the `streamTime` of its last
 *   `ks.window.add` / `record.dropped`;
 * - a store: which stores a task has is learnt from its first `ks.restored`;
 *   a store is restoring from its task's assignment until `ks.restored`
 *   gives the records read and the changelog offset reached; the changelog's
 *   end is the last `log.append` to its topic-partition;
 * - the group: `group.rebalance` (a rebalance starts), `group.generation`
 *   (a new generation with its members), `ks.assigned` (which tasks each
 *   member got), `group.fenced`;
 * - a thread's transaction: `ks.producer` ties a transactional id (and its
 *   epoch) to an instance. Under exactly-once (the guarantee its `ks.start`
 *   gives) it comes after the instance's first `ks.assigned` with active
 *   tasks, as the first task initialises the producer (Kafka's
 *   StreamTask.initializeIfNeeded), and after a restart or lost tasks again
 *   only with the next such assignment; from a restart's `ks.start` until
 *   then the instance holds no epoch (after lost tasks the model keeps the
 *   old one until the new: the trace does not say when the producer is
 *   reset). `txn.begin` / `txn.commit` / `txn.abort` of that id;
 *   `group.txnOffsets` says the offsets went into it, with the generation;
 *   `ks.commit` lists the offsets a successful commit carried.
 *
 * Sizes are bounded by instances × tasks × stores, so copies stay cheap.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { num, numOr, str } from './fields.ts';

export type KsInstanceStatus = 'joining' | 'restoring' | 'running' | 'revoked' | 'lost' | 'quiet' | 'crashed' | 'closed';
export type KsTaskStatus = 'restoring' | 'running' | 'revoked' | 'suspended';
export type KsTxnStatus = 'open' | 'committed' | 'aborted';

export interface KsTxn {
  txnId: string;
  epoch: number;
  /** The broker's transaction number for this id. */
  n: number;
  status: KsTxnStatus;
  /** The group generation of the offsets sent into it (`group.txnOffsets`), -1 when none yet. */
  offsetsGeneration: number;
  reason?: string;
}

export interface KsCommit {
  generation: number;
  offsets: string[];
  index: number;
}

export interface KsInstance {
  name: string;
  incarnation: number;
  /** The processing guarantee its `ks.start` gave (undefined before it). */
  guarantee: string | undefined;
  crashed: boolean;
  closed: boolean;
  quiet: boolean;
  revoked: boolean;
  /** Why it last lost its tasks (`ks.lost`), until its next assignment. */
  lost: string | undefined;
  /** Processes it is cut off from by a network partition. */
  cutOff: string[];
  member: string | undefined;
  /** The generation of its last assignment (-1: none yet). */
  generation: number;
  /** Its task ids, as last assigned. */
  tasks: string[];
  txnId: string | undefined;
  /** Its producer's epoch (`ks.producer`); undefined from a (re)start's `ks.start` until its producer initialises. */
  epoch: number | undefined;
  txn: KsTxn | undefined;
  commits: number;
  lastCommit: KsCommit | undefined;
}

export interface KsTask {
  id: string;
  instance: string;
  status: KsTaskStatus;
  generation: number;
  /** Task stream time (see the file comment); undefined until known. */
  streamTime: number | undefined;
  /** The committed positions it started from (`ks.running`), e.g. `input/0@12`. */
  startOffsets: string[];
  /** Each windowed operator's own stream time, by store name (kept through a suspension and resumption). */
  ops: Map<string, number>;
  dropped: number;
}

export interface KsStore {
  instance: string;
  task: string;
  store: string;
  topic: string;
  partition: number;
  status: 'restoring' | 'restored';
  /** Records restored and the changelog offset reached (after `ks.restored`). */
  records: number;
  offset: number;
}

export interface KsGroup {
  generation: number;
  members: string[];
  rebalancing: boolean;
  lastReason: string | undefined;
  /** Tasks by member id, from each member's `ks.assigned`. */
  assignment: Map<string, { instance: string; generation: number; tasks: string[] }>;
}

export interface KsState {
  instances: Map<string, KsInstance>;
  /** Tasks by `instance/task` (a zombie instance may still hold a task the group gave to another). */
  tasks: Map<string, KsTask>;
  /** Stores by `instance/task/store`. */
  stores: Map<string, KsStore>;
  /** Store names of each task id, learnt from `ks.restored`. */
  storesOf: Map<string, { store: string; topic: string; partition: number }[]>;
  /** The end offset of each changelog topic-partition (`topic/p`). */
  changelogEnd: Map<string, number>;
  group: KsGroup;
  /** Transactional id → instance. */
  txnOwner: Map<string, string>;
  rebalances: number;
  commits: number;
  restores: number;
  restoredRecords: number;
  lost: number;
  fenced: number;
  dropped: number;
  txnsCommitted: number;
  txnsAborted: number;
}

export function newKsState(): KsState {
  return {
    instances: new Map(),
    tasks: new Map(),
    stores: new Map(),
    storesOf: new Map(),
    changelogEnd: new Map(),
    group: { generation: -1, members: [], rebalancing: false, lastReason: undefined, assignment: new Map() },
    txnOwner: new Map(),
    rebalances: 0,
    commits: 0,
    restores: 0,
    restoredRecords: 0,
    lost: 0,
    fenced: 0,
    dropped: 0,
    txnsCommitted: 0,
    txnsAborted: 0,
  };
}

export function cloneKsState(s: KsState): KsState {
  const instances = new Map<string, KsInstance>();
  for (const [k, i] of s.instances) {
    instances.set(k, { ...i, cutOff: [...i.cutOff], tasks: [...i.tasks], txn: i.txn ? { ...i.txn } : undefined, lastCommit: i.lastCommit ? { ...i.lastCommit, offsets: [...i.lastCommit.offsets] } : undefined });
  }
  const tasks = new Map<string, KsTask>();
  for (const [k, t] of s.tasks) tasks.set(k, { ...t, startOffsets: [...t.startOffsets], ops: new Map(t.ops) });
  const stores = new Map<string, KsStore>();
  for (const [k, st] of s.stores) stores.set(k, { ...st });
  const assignment = new Map<string, { instance: string; generation: number; tasks: string[] }>();
  for (const [k, a] of s.group.assignment) assignment.set(k, { ...a, tasks: [...a.tasks] });
  return {
    ...s,
    instances,
    tasks,
    stores,
    storesOf: new Map([...s.storesOf].map(([k, v]) => [k, v.map((x) => ({ ...x }))])),
    changelogEnd: new Map(s.changelogEnd),
    group: { ...s.group, members: [...s.group.members], assignment },
    txnOwner: new Map(s.txnOwner),
  };
}

function strings(e: TraceEvent, key: string): string[] {
  const v = e[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function instanceOf(s: KsState, name: string): KsInstance {
  let i = s.instances.get(name);
  if (!i) {
    i = {
      name, incarnation: 0, guarantee: undefined, crashed: false, closed: false, quiet: false, revoked: false, lost: undefined, cutOff: [],
      member: undefined, generation: -1, tasks: [], txnId: undefined, epoch: undefined, txn: undefined, commits: 0, lastCommit: undefined,
    };
    s.instances.set(name, i);
  }
  return i;
}

/** Forgets the instance's tasks of these ids, and their stores. */
function forgetTasks(s: KsState, inst: KsInstance, ids: readonly string[]): void {
  for (const id of ids) {
    s.tasks.delete(`${inst.name}/${id}`);
    for (const st of s.storesOf.get(id) ?? []) s.stores.delete(`${inst.name}/${id}/${st.store}`);
  }
  inst.tasks = inst.tasks.filter((id) => !ids.includes(id));
}

function dropTasks(s: KsState, inst: KsInstance): void {
  forgetTasks(s, inst, inst.tasks);
}

export function applyKsEvent(s: KsState, e: TraceEvent, index: number): void {
  switch (e.kind) {
    case 'ks.start': {
      const i = instanceOf(s, e.p);
      i.incarnation = numOr(e, 'incarnation', i.incarnation);
      i.guarantee = str(e, 'guarantee') ?? i.guarantee;
      // A new process's producer holds no epoch until it initialises, as its first task does. The
      // transactional id (and the transaction its predecessor may have left open) stays its own.
      i.epoch = undefined;
      i.crashed = false;
      i.closed = false;
      i.quiet = false;
      i.revoked = false;
      i.lost = undefined;
      i.member = undefined;
      i.generation = -1;
      return;
    }
    case 'ks.producer': {
      const i = instanceOf(s, e.p);
      const id = str(e, 'transactionalId');
      if (id === undefined) return;
      i.txnId = id;
      i.epoch = num(e, 'epoch');
      s.txnOwner.set(id, e.p);
      return;
    }
    case 'ks.assigned': {
      const i = instanceOf(s, e.p);
      // A suspended task given back resumes with its operators' stream times.
      const kept = new Map<string, Map<string, number>>();
      for (const id of i.tasks) {
        const t = s.tasks.get(`${e.p}/${id}`);
        if (t?.status === 'suspended') kept.set(id, t.ops);
      }
      dropTasks(s, i);
      const generation = numOr(e, 'generation', -1);
      i.generation = generation;
      i.member = str(e, 'member') ?? i.member;
      i.revoked = false;
      i.lost = undefined;
      i.quiet = false;
      i.tasks = strings(e, 'tasks');
      for (const id of i.tasks) {
        s.tasks.set(`${e.p}/${id}`, { id, instance: e.p, status: 'restoring', generation, streamTime: undefined, startOffsets: [], ops: kept.get(id) ?? new Map(), dropped: 0 });
        for (const st of s.storesOf.get(id) ?? []) {
          s.stores.set(`${e.p}/${id}/${st.store}`, { instance: e.p, task: id, store: st.store, topic: st.topic, partition: st.partition, status: 'restoring', records: 0, offset: 0 });
        }
      }
      if (i.member !== undefined) {
        // A member id belongs to one instance; drop the instance's older member ids.
        for (const [m, a] of s.group.assignment) if (a.instance === e.p && m !== i.member) s.group.assignment.delete(m);
        s.group.assignment.set(i.member, { instance: e.p, generation, tasks: [...i.tasks] });
      }
      return;
    }
    case 'ks.restored': {
      const task = str(e, 'task');
      const store = str(e, 'store');
      if (task === undefined || store === undefined) return;
      const topic = str(e, 'topic') ?? '';
      const partition = numOr(e, 'partition', 0);
      const known = s.storesOf.get(task) ?? [];
      if (!known.some((k) => k.store === store)) s.storesOf.set(task, [...known, { store, topic, partition }]);
      const records = numOr(e, 'records', 0);
      s.stores.set(`${e.p}/${task}/${store}`, { instance: e.p, task, store, topic, partition, status: 'restored', records, offset: numOr(e, 'offset', 0) });
      s.restores++;
      s.restoredRecords += records;
      return;
    }
    case 'ks.running': {
      const id = str(e, 'task');
      const t = id !== undefined ? s.tasks.get(`${e.p}/${id}`) : undefined;
      if (!t) return;
      t.status = 'running';
      t.startOffsets = strings(e, 'offsets');
      const st = num(e, 'streamTime');
      t.streamTime = st !== undefined && st >= 0 ? st : undefined;
      if (e.resumed !== true) t.ops.clear();
      return;
    }
    case 'ks.window.add':
    case 'record.dropped': {
      const id = str(e, 'task');
      const t = id !== undefined ? s.tasks.get(`${e.p}/${id}`) : undefined;
      if (e.kind === 'record.dropped') s.dropped++;
      if (!t) return;
      if (e.kind === 'record.dropped') t.dropped++;
      const ts = num(e, 'ts');
      if (ts !== undefined) t.streamTime = Math.max(t.streamTime ?? ts, ts);
      const store = str(e, 'store');
      const opTime = num(e, 'streamTime');
      if (store !== undefined && opTime !== undefined) t.ops.set(store, opTime);
      return;
    }
    case 'ks.commit': {
      const i = instanceOf(s, e.p);
      i.commits++;
      s.commits++;
      i.lastCommit = { generation: numOr(e, 'generation', -1), offsets: strings(e, 'offsets'), index };
      return;
    }
    case 'ks.revoked': {
      const i = instanceOf(s, e.p);
      i.revoked = true;
      for (const id of i.tasks) {
        const t = s.tasks.get(`${e.p}/${id}`);
        if (t) t.status = 'revoked';
      }
      return;
    }
    case 'ks.suspended': {
      const i = instanceOf(s, e.p);
      const suspended = strings(e, 'tasks');
      for (const id of suspended) {
        const t = s.tasks.get(`${e.p}/${id}`);
        if (t) t.status = 'suspended';
      }
      // A revoked task the list leaves out was closed as it was: it never initialised (its
      // producer was still initialising), so there is nothing to suspend and it is gone.
      const closed = i.tasks.filter((id) => !suspended.includes(id) && s.tasks.get(`${e.p}/${id}`)?.status === 'revoked');
      forgetTasks(s, i, closed);
      return;
    }
    case 'ks.lost': {
      const i = instanceOf(s, e.p);
      i.lost = str(e, 'reason') ?? 'lost';
      i.revoked = false;
      s.lost++;
      dropTasks(s, i);
      return;
    }
    case 'ks.quiet':
      instanceOf(s, e.p).quiet = true;
      return;
    case 'ks.busy':
      instanceOf(s, e.p).quiet = false;
      return;
    case 'ks.closed': {
      const i = instanceOf(s, e.p);
      i.closed = true;
      dropTasks(s, i);
      return;
    }
    case 'proc.crash': {
      const i = s.instances.get(e.p);
      if (!i) return;
      i.crashed = true;
      // Its open transaction stays open until the broker aborts it (the restart's new epoch, or a timeout).
      dropTasks(s, i);
      return;
    }
    case 'net.partition':
    case 'net.heal': {
      const a = str(e, 'a');
      const b = str(e, 'b');
      if (a === undefined || b === undefined) return;
      for (const [me, other] of [[a, b], [b, a]] as const) {
        const i = s.instances.get(me);
        if (!i) continue;
        i.cutOff = i.cutOff.filter((x) => x !== other);
        if (e.kind === 'net.partition') i.cutOff.push(other);
      }
      return;
    }
    case 'group.rebalance':
      s.rebalances++;
      s.group.rebalancing = true;
      s.group.lastReason = str(e, 'reason');
      return;
    case 'group.generation':
      s.group.generation = numOr(e, 'generation', s.group.generation);
      s.group.members = strings(e, 'members');
      s.group.rebalancing = false;
      for (const m of s.group.assignment.keys()) if (!s.group.members.includes(m)) s.group.assignment.delete(m);
      return;
    case 'group.fenced':
      s.fenced++;
      return;
    case 'group.txnOffsets': {
      const owner = ownerTxn(s, e);
      if (owner) owner.offsetsGeneration = numOr(e, 'generation', -1);
      return;
    }
    case 'txn.begin': {
      const id = str(e, 'txnId');
      const owner = id !== undefined ? s.txnOwner.get(id) : undefined;
      if (owner === undefined) return;
      instanceOf(s, owner).txn = { txnId: id!, epoch: numOr(e, 'epoch', 0), n: numOr(e, 'n', 0), status: 'open', offsetsGeneration: -1 };
      return;
    }
    case 'txn.commit':
    case 'txn.abort':
    case 'txn.rolled': {
      // Every decision the broker makes on a thread's transactional id counts, also one on an id a
      // thread no longer holds (a stateless instance's predecessor's, which the broker's timeout ends),
      // and one a restarted broker's recovery takes from its disk (`txn.rolled`).
      const id = str(e, 'txnId');
      if (id === undefined || !s.txnOwner.has(id)) return;
      const committed = e.kind === 'txn.rolled' ? e.commit === true : e.kind === 'txn.commit';
      const status = committed ? 'committed' : 'aborted';
      if (status === 'committed') s.txnsCommitted++;
      else s.txnsAborted++;
      const t = ownerTxn(s, e);
      if (!t) return;
      t.status = status;
      t.reason = committed ? undefined : e.kind === 'txn.rolled' ? 'recovery' : str(e, 'reason');
      return;
    }
    case 'log.append': {
      const topic = str(e, 'topic');
      if (topic === undefined || !topic.endsWith('-changelog')) return;
      s.changelogEnd.set(`${topic}/${numOr(e, 'partition', 0)}`, numOr(e, 'baseOffset', 0) + numOr(e, 'count', 0));
      return;
    }
  }
}

/** The transaction a broker event names, when it is a stream thread's current one. */
function ownerTxn(s: KsState, e: TraceEvent): KsTxn | undefined {
  const id = str(e, 'txnId');
  const owner = id !== undefined ? s.txnOwner.get(id) : undefined;
  const txn = owner !== undefined ? s.instances.get(owner)?.txn : undefined;
  if (!txn || txn.txnId !== id) return undefined;
  const n = num(e, 'n');
  return n === undefined || n === txn.n ? txn : undefined;
}

/**
 * An instance's state in one word, the first that holds of: crashed, closed, lost (until its next
 * assignment), revoked, quiet, joining (no assignment since its start: it joins the group at once),
 * restoring (one of its tasks has not run yet), running.
 */
export function ksInstanceStatus(s: KsState, i: KsInstance): KsInstanceStatus {
  if (i.crashed) return 'crashed';
  if (i.closed) return 'closed';
  if (i.lost !== undefined) return 'lost';
  if (i.revoked) return 'revoked';
  if (i.quiet) return 'quiet';
  if (i.generation < 0) return 'joining';
  for (const id of i.tasks) if (s.tasks.get(`${i.name}/${id}`)?.status === 'restoring') return 'restoring';
  return 'running';
}

/** An instance holding tasks of a generation older than the group's: the group gave them to someone else. */
export function isZombie(s: KsState, i: KsInstance): boolean {
  return !i.crashed && !i.closed && i.tasks.length > 0 && i.generation >= 0 && i.generation < s.group.generation && !s.group.members.includes(i.member ?? '');
}
