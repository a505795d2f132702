/**
 * The broker's group coordinator: consumer group membership, generations,
 * partition assignment and committed offsets (Kafka's classic group protocol
 * in `GroupMetadataManager` / `ClassicGroup`, reduced to one broker).
 *
 * Protocol choice: EAGER, with the assignment computed here rather than by a
 * group leader (assignor.ts for plain consumers; task-assignor.ts, Kafka
 * Streams' task assignor, when every member joins with a Kafka Streams
 * subscription), so JoinGroup and SyncGroup are one request:
 * `group.join` is answered when the rebalance it takes part in completes,
 * with the new generation and the member's partitions. A member learns of a
 * later rebalance from its heartbeat (`rebalance-in-progress`, or
 * `illegal-generation` / `unknown-member` if it missed one), gives up all its
 * partitions and joins again.
 *
 *   empty ──join──▶ preparing (initial: waits out the initial rebalance delay)
 *   stable ──join of a new member or a changed subscription, leave, session expiry──▶ preparing
 *   preparing ──every member rejoined, or the rebalance timeout──▶ completing
 *       (generation + 1, assignment, group record written)
 *   completing ──group record durable, joins answered──▶ stable (or empty: no member left)
 *   completing ──join of a new member or a changed subscription, leave──▶ preparing
 *       (the generation is aborted: nobody is told of it)
 *
 * - A rebalance waits for every known member to join again, at most the
 *   largest rebalance timeout of the members; those that did not rejoin by
 *   then are removed (Kafka: the join phase's DelayedJoin).
 * - The first rebalance of an empty group (Kafka's initial rebalance,
 *   `GroupMetadataManager.prepareRebalance` for a classic group in EMPTY)
 *   does not complete when every member has joined: it waits
 *   `group.initial.rebalance.delay.ms`, and as long as a new member joined
 *   during the last wait, waits again (the delay, or what is left of the
 *   rebalance timeout the first member brought, if less), so members that
 *   start together form one generation.
 * - Sessions: a member not waiting in a join is removed when `sessionTimeoutMs`
 *   of simulated time passes without a heartbeat, which starts a rebalance.
 * - A join from a follower of a stable group with an unchanged subscription
 *   is answered with the current generation, as in Kafka, so a plain
 *   consumer's retried join whose reply was lost does not start a rebalance;
 *   the leader's new join rebalances (Kafka's, so that the leader can
 *   rebalance for changes its metadata does not show). A Kafka Streams
 *   member's join never has an unchanged subscription (its `uniqueField`
 *   counts its joins), so each one rebalances, as in Kafka. The same request
 *   resent by the client's retries is the same join.
 *   Member ids are chosen by the client and must be fresh per client
 *   incarnation (Kafka generates them), or a restarted client would pass for
 *   its predecessor.
 * - The group has a leader, as Kafka's classic groups do: the first member to
 *   join, while it stays a member (then the first of the others by id). It
 *   computes nothing here; when a Kafka Streams assignment moved tasks, its
 *   member alone is told when to join again to probe the warm-ups
 *   (`nextRebalanceMs`, Kafka's `AssignmentInfo`), as Kafka's leader gives the
 *   follow-up rebalance to its own client.
 * - Every completed generation is written to the offsets log (offsets-log.ts)
 *   before anyone is told of it, so generations never repeat across broker
 *   crashes and a restarted broker knows the members, their assignment and
 *   the leader (their sessions start afresh). A join of a new member or with a
 *   changed subscription, or a leave, that arrives while it is written aborts
 *   it (Kafka's `prepareRebalance` in COMPLETING_REBALANCE): the members'
 *   joins wait on for the next generation; the same join sent again is
 *   answered with the generation being written.
 * - Offset commits are validated as in Kafka's `ClassicGroup.validateOffsetCommit`:
 *   an unknown member is `unknown-member`, another generation is
 *   `illegal-generation`; a group without members accepts a commit with
 *   generation -1 and no member id; a plain commit while the new generation is
 *   being written is `rebalance-in-progress`. A transactional commit
 *   (`txn.offsets`) first joins the producer's transaction (fenced by epoch,
 *   as a produce), then passes the same checks.
 */
import { assignSticky } from './assignor.ts';
import { assignTasks } from './task-assignor.ts';
import { fetchOffsets, groupRecord, loadGroups, offsetRecord, type GroupRecord } from './offsets-log.ts';
import type { PartitionLog } from './partition-log.ts';
import {
  LATEST_OFFSET,
  type ErrorCode, type HeartbeatRequest, type JoinGroupRequest, type KeyedRecord, type LeaveGroupRequest, type LogReply, type OffsetAndMetadata,
  type OffsetCommitRequest, type OffsetFetchRequest, type StreamsSubscription, type StreamsTasks, type TopicPartition, type TxnOffsetCommitRequest,
} from './protocol.ts';
import type { TxnCoordinator } from './txn-coordinator.ts';
import type { Clock, TimerHandle, Timers, Tracer } from '../runtime/types.ts';

/** What the coordinator needs from the broker. */
export interface GroupStore {
  /** The `__consumer_offsets` partition. */
  readonly offsetsLog: PartitionLog;
  /** Appends `records` to the offsets log, in transaction `txn` if given; `done` once durable. */
  append(records: KeyedRecord[], txn: { id: string; epoch: number; n: number } | undefined, done: () => void): void;
  /** Partitions of `topic`, or undefined when there is no such topic. */
  partitionCount(topic: string): number | undefined;
  /** A partition's end offset (ListOffsets latest, read uncommitted); 0 for a partition that does not exist. */
  endOffset(tp: TopicPartition): number;
}

export interface GroupContext {
  clock: Clock;
  timers: Timers;
  trace: Tracer;
}

/**
 * Kafka's `group.initial.rebalance.delay.ms` (3 s of a 45 s session timeout by default), scaled as
 * weir scales the members' sessions (Kafka Streams' 45 s is 1 s here): 3 s × 1/45 ≈ 67 ms.
 */
export const DEFAULT_INITIAL_REBALANCE_DELAY_MS = 67;

export interface GroupOptions {
  /** `group.initial.rebalance.delay.ms`; 0 completes a new group's first rebalance as soon as its members have joined. */
  initialRebalanceDelayMs?: number;
}

type Reply = (r: LogReply) => void;
type Fail = (code: ErrorCode, message: string) => void;

interface Joined {
  generation: number;
  assignment: TopicPartition[];
  members: string[];
  assignments: Record<string, TopicPartition[]>;
  tasks?: StreamsTasks;
  nextRebalanceMs?: number;
}

interface Member {
  id: string;
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  assignment: TopicPartition[];
  /** Its last join's Kafka Streams subscription (not persisted: a restarted coordinator forgets it until the member joins again). */
  streams?: StreamsSubscription;
  /** A Kafka Streams member's tasks in the current generation. */
  tasks?: StreamsTasks;
  /** When the session expires without a heartbeat (not counted while the member waits in a join). */
  deadlineMs: number;
  /** Its join, waiting for the rebalance to complete. */
  join?: (j: Joined) => void;
  /** Its last join's request id: the same request resent by the client's retries is that join again, not a new one. */
  joinReqId?: number;
}

type GroupState = 'empty' | 'stable' | 'preparing' | 'completing';

interface Group {
  id: string;
  generation: number;
  state: GroupState;
  members: Map<string, Member>;
  rebalanceDeadlineMs: number;
  /**
   * The rebalance in `preparing` began in `empty` (Kafka: previousState EMPTY): it completes only
   * at its deadline, which a new member's join during the wait moves on (see `expire`).
   */
  initial?: { delayMs: number; remainingMs: number; newMemberAdded: boolean };
  /**
   * The group leader (Kafka's `ClassicGroup.leaderId`): the first member to join, while it stays;
   * then the first of the others by id. Its member is the one told to probe warm-ups.
   */
  leaderId?: string;
  timer?: TimerHandle;
  timerAtMs: number;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every member's partitions, by member id. */
function assignmentsOf(members: readonly Member[]): Record<string, TopicPartition[]> {
  const out: Record<string, TopicPartition[]> = {};
  for (const m of members) out[m.id] = [...m.assignment];
  return out;
}

const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

/** A join's Kafka Streams subscription, or why it is malformed. */
function validStreams(v: unknown): StreamsSubscription | string | undefined {
  if (v === undefined) return undefined;
  const s = v as Partial<StreamsSubscription> | null;
  if (typeof s !== 'object' || s === null || !isStr(s.processId) || s.processId === '' || !Array.isArray(s.subtopologies)
    || !s.subtopologies.every((t) => typeof t === 'object' && t !== null && isInt(t.id) && t.id >= 0 && isStrList(t.sourceTopics) && isStrList(t.changelogTopics))
    || typeof s.taskOffsetSums !== 'object' || s.taskOffsetSums === null
    || !Object.values(s.taskOffsetSums).every((n) => isInt(n) && (n >= 0 || n === LATEST_OFFSET))
    || !isInt(s.standbyReplicas) || s.standbyReplicas < 0 || !isInt(s.acceptableRecoveryLag) || s.acceptableRecoveryLag < 0
    || (s.maxWarmupReplicas !== undefined && (!isInt(s.maxWarmupReplicas) || s.maxWarmupReplicas < 1))
    || (s.probingRebalanceIntervalMs !== undefined && (!isInt(s.probingRebalanceIntervalMs) || s.probingRebalanceIntervalMs < 1))) {
    return 'group.join streams needs processId, subtopologies {id, sourceTopics, changelogTopics}, taskOffsetSums, standbyReplicas, acceptableRecoveryLag, and if any maxWarmupReplicas and probingRebalanceIntervalMs (each at least 1)';
  }
  return {
    processId: s.processId,
    subtopologies: s.subtopologies.map((t) => ({ id: t.id, sourceTopics: [...t.sourceTopics], changelogTopics: [...t.changelogTopics] })),
    taskOffsetSums: { ...s.taskOffsetSums },
    standbyReplicas: s.standbyReplicas,
    acceptableRecoveryLag: s.acceptableRecoveryLag,
    ...(s.maxWarmupReplicas !== undefined ? { maxWarmupReplicas: s.maxWarmupReplicas } : {}),
    ...(s.probingRebalanceIntervalMs !== undefined ? { probingRebalanceIntervalMs: s.probingRebalanceIntervalMs } : {}),
  };
}

export class GroupCoordinator {
  /** By group id. Members are always visited sorted (`sortedMembers`), so no decision hangs on insertion order. */
  private readonly groups = new Map<string, Group>();

  private readonly initialDelayMs: number;

  constructor(
    private readonly ctx: GroupContext,
    private readonly store: GroupStore,
    private readonly txn: TxnCoordinator,
    opts: GroupOptions = {},
  ) {
    this.initialDelayMs = opts.initialRebalanceDelayMs ?? DEFAULT_INITIAL_REBALANCE_DELAY_MS;
    for (const [id, rec] of loadGroups(store.offsetsLog)) this.restore(id, rec);
  }

  private restore(id: string, rec: GroupRecord): void {
    const g = this.group(id);
    g.generation = rec.generation;
    for (const m of rec.members) {
      g.members.set(m.id, {
        id: m.id, topics: [...m.topics], sessionTimeoutMs: m.sessionTimeoutMs, rebalanceTimeoutMs: m.rebalanceTimeoutMs, assignment: [...m.assignment],
        ...(m.tasks === undefined ? {} : { tasks: { active: [...m.tasks.active], standby: [...m.tasks.standby] } }), deadlineMs: 0,
      });
    }
    g.state = g.members.size > 0 ? 'stable' : 'empty';
    // The record names the leader, as Kafka's does (`GroupMetadataValue.leader`).
    g.leaderId = rec.leader !== undefined && g.members.has(rec.leader) ? rec.leader : sortedMembers(g)[0]?.id;
  }

  /** The broker serves from now on: restored members' sessions start counting (nothing may be appended before). */
  start(): void {
    const now = this.ctx.clock.now();
    for (const g of this.groups.values()) {
      for (const m of g.members.values()) m.deadlineMs = now + m.sessionTimeoutMs;
      this.arm(g);
    }
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = { id, generation: 0, state: 'empty', members: new Map(), rebalanceDeadlineMs: 0, timerAtMs: 0 };
      this.groups.set(id, g);
    }
    return g;
  }

  join(req: JoinGroupRequest, reply: Reply, fail: Fail): void {
    const { groupId, memberId, topics, sessionTimeoutMs, rebalanceTimeoutMs } = req;
    if (!isStr(groupId) || !isStr(memberId) || memberId === '' || !Array.isArray(topics) || !topics.every(isStr)
      || !isInt(sessionTimeoutMs) || sessionTimeoutMs < 1 || !isInt(rebalanceTimeoutMs) || rebalanceTimeoutMs < 1) {
      return fail('bad-request', 'group.join needs groupId, memberId, topics and positive integer timeouts');
    }
    const streams = validStreams(req.streams);
    if (typeof streams === 'string') return fail('bad-request', streams);
    if (req.reason !== undefined && !isStr(req.reason)) return fail('bad-request', 'group.join reason must be a string');
    const g = this.group(groupId);
    const wanted = [...new Set(topics)].sort(cmpStr);
    const answer = (j: Joined): void => reply({ kind: 'group.joined', reqId: req.reqId, ...j });
    let m = g.members.get(memberId);
    // Kafka's `member.matches`: the same metadata. A Kafka Streams subscription never matches the
    // last: each join increments its `uniqueField` "to ensure a rebalance when a thread rejoins".
    // The same request resent by the client's retries (its reqId: Kafka's connection never
    // duplicates a request) is the same join, whatever it carries.
    const sameRequest = m !== undefined && m.joinReqId === req.reqId;
    const unchanged = m !== undefined && (sameRequest || (sameList(m.topics, wanted) && m.streams === undefined && streams === undefined));
    // In a stable group a new join of the leader rebalances even unchanged (Kafka: so that the leader
    // can rebalance for what the metadata does not show); a follower's is answered.
    if (m !== undefined && unchanged && g.state === 'stable' && (sameRequest || memberId !== g.leaderId)) {
      m.deadlineMs = this.ctx.clock.now() + m.sessionTimeoutMs;
      return answer({
        generation: g.generation, assignment: m.assignment, members: sortedMembers(g).map((x) => x.id), assignments: assignmentsOf(sortedMembers(g)),
        ...(m.tasks === undefined ? {} : { tasks: m.tasks }),
      });
    }
    if (m !== undefined && unchanged && (g.state === 'completing' || m.join !== undefined)) {
      // A join sent again while its rebalance goes on: it is answered when that completes, and it is
      // the request a resend of the client's repeats from now on.
      m.join = answer;
      m.joinReqId = req.reqId;
      return;
    }
    if (m === undefined) {
      m = { id: memberId, topics: wanted, sessionTimeoutMs, rebalanceTimeoutMs, assignment: [], deadlineMs: 0 };
      g.members.set(memberId, m);
      g.leaderId ??= memberId;
      // A new member during the initial rebalance's wait: the wait goes on (Kafka's newMemberAdded).
      if (g.state === 'preparing' && g.initial !== undefined) g.initial.newMemberAdded = true;
    }
    if (streams === undefined) delete m.streams;
    else m.streams = streams;
    m.topics = wanted;
    m.sessionTimeoutMs = sessionTimeoutMs;
    m.rebalanceTimeoutMs = rebalanceTimeoutMs;
    m.join = answer;
    m.joinReqId = req.reqId;
    if (g.state === 'preparing') this.maybeCompleteJoin(g);
    else this.prepareRebalance(g, `join:${memberId}`, req.reason);
  }

  heartbeat(req: HeartbeatRequest, reply: Reply, fail: Fail): void {
    if (!isStr(req.groupId) || !isStr(req.memberId) || !isInt(req.generation)) return fail('bad-request', 'group.heartbeat needs groupId, memberId, generation');
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (g === undefined || m === undefined) return fail('unknown-member', `no member '${req.memberId}' in group '${req.groupId}'`);
    // Kafka's order: unknown member, then generation, then the state.
    if (req.generation !== g.generation) return fail('illegal-generation', `generation ${req.generation} of group '${g.id}' is not the current ${g.generation}`);
    m.deadlineMs = this.ctx.clock.now() + m.sessionTimeoutMs;
    if (g.state === 'preparing') return fail('rebalance-in-progress', `group '${g.id}' is rebalancing; join again`);
    reply({ kind: 'group.ok', reqId: req.reqId });
  }

  leave(req: LeaveGroupRequest, reply: Reply, fail: Fail): void {
    if (!isStr(req.groupId) || !isStr(req.memberId)) return fail('bad-request', 'group.leave needs groupId, memberId');
    const g = this.groups.get(req.groupId);
    if (g === undefined || !removeMember(g, req.memberId)) return fail('unknown-member', `no member '${req.memberId}' in group '${req.groupId}'`);
    reply({ kind: 'group.ok', reqId: req.reqId });
    if (g.state === 'preparing') this.maybeCompleteJoin(g);
    else this.prepareRebalance(g, `leave:${req.memberId}`);
  }

  /** Kafka's OffsetCommit, from the client process `client`. */
  commit(client: string, req: OffsetCommitRequest, reply: Reply, fail: Fail): void {
    const bad = this.offsetsProblem(req.groupId, req.memberId, req.generation, req.offsets);
    if (bad !== undefined) return fail(bad[0], bad[1]);
    const fenced = this.validateCommit(req.groupId, req.memberId, req.generation, false);
    if (fenced !== undefined) return fail(fenced[0], fenced[1]);
    // Who committed, and from where: the point a fault on that client can be planned after (anchors.ts, `offsets.commit`).
    this.ctx.trace.emit('group.offsetCommit', { group: req.groupId, member: req.memberId, generation: req.generation, client, partitions: req.offsets.length });
    this.store.append(req.offsets.map((o) => offsetRecord(req.groupId, o)), undefined, () => reply({ kind: 'group.ok', reqId: req.reqId }));
  }

  /** Kafka's AddOffsetsToTxn then TxnOffsetCommit: the offsets join the producer's open transaction. */
  txnCommit(req: TxnOffsetCommitRequest, reply: Reply, fail: Fail): void {
    if (!isStr(req.transactionalId) || !isInt(req.epoch)) return fail('bad-request', 'txn.offsets needs transactionalId, epoch');
    const bad = this.offsetsProblem(req.groupId, req.memberId, req.generation, req.offsets);
    if (bad !== undefined) return fail(bad[0], bad[1]);
    const ref = { id: req.transactionalId, epoch: req.epoch };
    const n = this.txn.admitProduce(ref, this.store.offsetsLog);
    if (!n.ok) return fail(n.code, n.message);
    const fenced = this.validateCommit(req.groupId, req.memberId, req.generation, true);
    if (fenced !== undefined) return fail(fenced[0], fenced[1]);
    // Who the offsets joined the transaction for, so a checker can tell a zombie's commit from its owner's.
    this.ctx.trace.emit('group.txnOffsets', { group: req.groupId, member: req.memberId, generation: req.generation, txnId: ref.id, epoch: ref.epoch, n: n.value });
    const records = req.offsets.map((o) => offsetRecord(req.groupId, o));
    this.store.append(records, { ...ref, n: n.value }, () => reply({ kind: 'group.ok', reqId: req.reqId }));
  }

  /** Kafka's OffsetFetch. */
  fetchOffsets(req: OffsetFetchRequest, reply: Reply, fail: Fail): void {
    if (!isStr(req.groupId) || !Array.isArray(req.partitions) || !req.partitions.every(isTopicPartition) || typeof req.requireStable !== 'boolean') {
      return fail('bad-request', 'group.fetchOffsets needs groupId, partitions, requireStable');
    }
    reply({ kind: 'group.offsets', reqId: req.reqId, offsets: fetchOffsets(this.store.offsetsLog, req.groupId, req.partitions, req.requireStable) });
  }

  private offsetsProblem(groupId: unknown, memberId: unknown, generation: unknown, offsets: unknown): [ErrorCode, string] | undefined {
    if (!isStr(groupId) || !isStr(memberId) || !isInt(generation) || !Array.isArray(offsets) || !offsets.every(isOffset)) {
      return ['bad-request', 'an offset commit needs groupId, memberId, generation and offsets {topic, partition, offset ≥ 0, metadata}'];
    }
    const missing = (offsets as OffsetAndMetadata[]).find((o) => o.partition >= (this.store.partitionCount(o.topic) ?? 0));
    return missing === undefined ? undefined : ['unknown-topic', `no partition ${missing.topic}/${missing.partition}`];
  }

  /** Kafka's ClassicGroup.validateOffsetCommit (see the module comment); traces what it refuses. */
  private validateCommit(groupId: string, memberId: string, generation: number, transactional: boolean): [ErrorCode, string] | undefined {
    const g = this.groups.get(groupId);
    const empty = g === undefined || g.members.size === 0;
    let refused: [ErrorCode, string] | undefined;
    if (generation < 0 && empty) return undefined;
    if (generation >= 0 || memberId !== '') {
      if (g === undefined || !g.members.has(memberId)) refused = ['unknown-member', `no member '${memberId}' in group '${groupId}'`];
      else if (generation !== g.generation) refused = ['illegal-generation', `generation ${generation} of group '${groupId}' is not the current ${g.generation}`];
    } else if (!transactional) {
      refused = ['unknown-member', `group '${groupId}' has members; a commit must name one`];
    }
    if (refused === undefined && !transactional && g?.state === 'completing') refused = ['rebalance-in-progress', `group '${groupId}' is completing a rebalance`];
    if (refused !== undefined) {
      this.ctx.trace.emit('group.fenced', { group: groupId, member: memberId, generation, current: g?.generation ?? 0, code: refused[0], txn: transactional });
    }
    return refused;
  }

  /**
   * Starts a rebalance. One that starts while a generation is being written aborts it (Kafka's
   * `prepareRebalance` in COMPLETING_REBALANCE answers the waiting syncs REBALANCE_IN_PROGRESS and
   * the members join again): its members are told nothing of it, their joins wait on for the next
   * generation, and the record, once durable, only keeps the number from being used again.
   */
  private prepareRebalance(g: Group, reason: string, clientReason?: string): void {
    const now = this.ctx.clock.now();
    const rebalanceTimeoutMs = Math.max(0, ...sortedMembers(g).map((m) => m.rebalanceTimeoutMs));
    const initial = g.state === 'empty' && this.initialDelayMs > 0;
    const aborted = g.state === 'completing';
    g.state = 'preparing';
    if (initial) {
      g.initial = { delayMs: this.initialDelayMs, remainingMs: Math.max(rebalanceTimeoutMs - this.initialDelayMs, 0), newMemberAdded: false };
      g.rebalanceDeadlineMs = now + this.initialDelayMs;
    } else {
      g.rebalanceDeadlineMs = now + rebalanceTimeoutMs;
    }
    this.ctx.trace.emit('group.rebalance', { group: g.id, generation: g.generation, reason, members: g.members.size, ...(initial ? { initialDelayMs: this.initialDelayMs } : {}), ...(aborted ? { aborted: true } : {}), ...(clientReason === undefined ? {} : { clientReason }) });
    this.maybeCompleteJoin(g);
    if (g.state === 'preparing') this.arm(g);
  }

  /** Completes the join phase once every member has joined, except in an initial rebalance, which waits for its deadline. */
  private maybeCompleteJoin(g: Group): void {
    if (g.state === 'preparing' && g.initial === undefined && sortedMembers(g).every((m) => m.join !== undefined)) this.completeJoin(g);
  }

  /**
   * The initial rebalance's deadline: if a member joined during the last wait and the first
   * member's rebalance timeout is not used up, wait again (Kafka's
   * `tryCompleteInitialRebalanceElseSchedule`); else the join phase is over. Returns whether it waits.
   */
  private extendInitial(g: Group, init: NonNullable<Group['initial']>): boolean {
    if (!init.newMemberAdded || init.remainingMs === 0) return false;
    const delayMs = Math.min(this.initialDelayMs, init.remainingMs);
    g.initial = { delayMs, remainingMs: Math.max(init.remainingMs - init.delayMs, 0), newMemberAdded: false };
    g.rebalanceDeadlineMs = this.ctx.clock.now() + delayMs;
    return true;
  }

  /** Drops members that did not rejoin, starts the next generation and writes it; tells the members once it is durable. */
  private completeJoin(g: Group): void {
    for (const m of sortedMembers(g)) if (m.join === undefined) removeMember(g, m.id);
    g.generation++;
    g.state = 'completing';
    g.initial = undefined;
    const members = sortedMembers(g);
    const counts = new Map<string, number>();
    for (const topic of new Set(members.flatMap((m) => m.topics))) {
      const n = this.store.partitionCount(topic);
      if (n !== undefined) counts.set(topic, n);
    }
    const streams = members.flatMap((m) => (m.streams === undefined ? [] : [{ id: m.id, streams: m.streams }]));
    /** After this generation: the leader's member probes the warm-ups this long after it is written (a Kafka Streams assignment that moved tasks). */
    let probeAfterMs: number | undefined;
    if (members.length > 0 && streams.length === members.length) {
      // A Kafka Streams group: tasks, and each member reads its active tasks' partitions.
      const { tasks, probingRebalanceNeeded } = assignTasks(streams, (t) => this.store.partitionCount(t), (tp) => this.store.endOffset(tp));
      if (probingRebalanceNeeded) probeAfterMs = streams[0]!.streams.probingRebalanceIntervalMs;
      for (const m of members) {
        const t = tasks.get(m.id)!;
        m.assignment = t.partitions;
        m.tasks = { active: t.active, standby: t.standby };
      }
    } else {
      const assignment = assignSticky(members.map((m) => ({ id: m.id, topics: m.topics, owned: m.assignment })), counts);
      for (const m of members) {
        m.assignment = assignment.get(m.id) ?? [];
        delete m.tasks;
      }
    }
    const rec: GroupRecord = {
      generation: g.generation,
      members: members.map((m) => ({
        id: m.id, topics: m.topics, sessionTimeoutMs: m.sessionTimeoutMs, rebalanceTimeoutMs: m.rebalanceTimeoutMs, assignment: m.assignment,
        ...(m.tasks === undefined ? {} : { tasks: m.tasks }),
      })),
      ...(g.leaderId === undefined ? {} : { leader: g.leaderId }),
    };
    const generation = g.generation;
    this.store.append([groupRecord(g.id, rec)], undefined, () => {
      // A join or leave while it was written started another rebalance: this generation was aborted.
      if (g.state !== 'completing' || g.generation !== generation) return;
      g.state = g.members.size > 0 ? 'stable' : 'empty';
      const now = this.ctx.clock.now();
      const ids = members.map((m) => m.id);
      const all = assignmentsOf(members);
      this.ctx.trace.emit('group.generation', { group: g.id, generation, members: ids });
      for (const m of members) {
        m.deadlineMs = now + m.sessionTimeoutMs;
        const join = m.join;
        m.join = undefined;
        // Kafka's leader schedules the probing rebalance on its own client (`StreamsPartitionAssignor.assign`).
        const probe = probeAfterMs !== undefined && m.id === g.leaderId ? { nextRebalanceMs: now + probeAfterMs } : {};
        join?.({ generation, assignment: m.assignment, members: ids, assignments: all, ...(m.tasks === undefined ? {} : { tasks: m.tasks }), ...probe });
      }
      this.arm(g);
    });
  }

  /** Arms the group's timer for its next deadline (a session's or the rebalance's), unless one fires earlier. */
  private arm(g: Group): void {
    if (g.state === 'completing') return;
    let next = g.state === 'preparing' ? g.rebalanceDeadlineMs : Number.POSITIVE_INFINITY;
    for (const m of g.members.values()) if (m.join === undefined) next = Math.min(next, m.deadlineMs);
    if (next === Number.POSITIVE_INFINITY) return;
    if (g.timer !== undefined && g.timerAtMs <= next) return;
    g.timer?.cancel();
    g.timerAtMs = next;
    g.timer = this.ctx.timers.after(Math.max(0, next - this.ctx.clock.now()), () => {
      g.timer = undefined;
      this.expire(g);
    });
  }

  private expire(g: Group): void {
    if (g.state === 'completing') return;
    const now = this.ctx.clock.now();
    const expired = sortedMembers(g).filter((m) => m.join === undefined && m.deadlineMs <= now);
    for (const m of expired) removeMember(g, m.id);
    if (g.state === 'preparing' && now >= g.rebalanceDeadlineMs) {
      // An initial rebalance may wait again (arm() below sets its timer).
      if (g.initial === undefined || !this.extendInitial(g, g.initial)) this.completeJoin(g);
    } else if (g.state === 'preparing') this.maybeCompleteJoin(g);
    else if (expired.length > 0) this.prepareRebalance(g, `expired:${expired.map((m) => m.id).join(',')}`);
    this.arm(g);
  }
}

function sortedMembers(g: Group): Member[] {
  return [...g.members.values()].sort((a, b) => cmpStr(a.id, b.id));
}

/** Removes a member; a removed leader is succeeded by the first of the others by id (Kafka: any other). */
function removeMember(g: Group, id: string): boolean {
  if (!g.members.delete(id)) return false;
  if (g.leaderId === id) g.leaderId = sortedMembers(g)[0]?.id;
  return true;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function isTopicPartition(v: unknown): v is TopicPartition {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return isStr(o.topic) && isInt(o.partition) && o.partition >= 0;
}

function isOffset(v: unknown): v is OffsetAndMetadata {
  if (!isTopicPartition(v)) return false;
  const o = v as unknown as Record<string, unknown>;
  return isInt(o.offset) && o.offset >= 0 && isStr(o.metadata);
}
