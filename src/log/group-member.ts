/**
 * Keeps one consumer in a group: the client half of the eager protocol of
 * group-coordinator.ts (Kafka's `AbstractCoordinator` join and heartbeat
 * loop, as the `ConsumerCoordinator` drives it with the eager protocol).
 *
 *   joining ──joined──▶ stable ──heartbeat: rebalance-in-progress──▶ revoking ──done──┐
 *      ▲                   │                                                           │
 *      │                   └──heartbeat: illegal-generation / unknown-member──▶ losing ─┤
 *      └───────────────────────────────────────────────────────────────────────────────┘
 *
 * In `stable` it heartbeats every `heartbeatIntervalMs` (keep it well below
 * the session timeout; Kafka's default is a third). When a heartbeat says the
 * group is rebalancing, the member gives up its whole assignment
 * (`onRevoked`, which may still commit with the current generation: the
 * coordinator accepts that while the rebalance waits for members) and joins
 * again; `onAssigned` gets the next generation's partitions. When a heartbeat
 * says the member's generation is stale or the group no longer knows it (its
 * session expired), the partitions are lost, not revoked (`onLost`: Kafka's
 * `ConsumerCoordinator.onJoinPrepare` after the heartbeat reset the
 * generation, which calls `onPartitionsLost`; nothing may be committed for
 * them, since the coordinator would refuse it and another member may own
 * them already). Without `onLost` the member calls `onRevoked`, as Kafka's
 * `ConsumerRebalanceListener.onPartitionsLost` does by default. A member the
 * group no longer knows joins again as a new member (`newMemberId`; Kafka
 * resets its member id). A heartbeat with no answer at all is sent again at
 * the next interval (Kafka's heartbeat thread retries; only an answer moves
 * the member). While `onRevoked` runs it goes on
 * heartbeating, as Kafka's heartbeat thread does until the join is sent
 * (`AbstractCoordinator`: the thread is disabled only when the member starts
 * to rebalance), so a slow revocation is bounded by the rebalance timeout the
 * member asked for, not by its session. It lives in its owner's memory and
 * ends with a crash; the coordinator removes it when its session expires.
 * While `onLost` runs it does not heartbeat: it has no generation left to
 * keep (Kafka's heartbeat thread waits for the next join).
 */
import type { GroupMetadata, LogClient } from './client.ts';
import type { StreamsSubscription, StreamsTasks, TopicPartition } from './protocol.ts';
import type { TimerHandle, Timers } from '../runtime/types.ts';

export interface GroupMemberOptions {
  groupId: string;
  /** Fresh per incarnation of the owner, e.g. `${processId}-${incarnation}`. */
  memberId: string;
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  /**
   * The partitions of a new generation; `all`: every member's, by member id; `tasks`: a Kafka
   * Streams member's tasks; `nextRebalanceMs`: when to join again to probe warm-ups (the leader's
   * member of a Kafka Streams group, after an assignment that moved tasks).
   */
  onAssigned(generation: number, assignment: TopicPartition[], all: Readonly<Record<string, TopicPartition[]>>, tasks?: StreamsTasks, nextRebalanceMs?: number): void;
  /** Asked at every join, after the revocation: a Kafka Streams member's subscription (its offset sums as they are then). */
  streams?(): StreamsSubscription;
  /** The group is rebalancing: stop using `assignment` (commit first if needed), then call `done`. */
  onRevoked(assignment: TopicPartition[], done: () => void): void;
  /**
   * The member's generation or membership is gone (a heartbeat answered `illegal-generation` or
   * `unknown-member`, which `code` names): `assignment` is lost; drop it without committing, then
   * call `done`. Default: `onRevoked`.
   */
  onLost?(assignment: TopicPartition[], done: () => void, code: 'illegal-generation' | 'unknown-member'): void;
  /** The member id to join with after the group forgot this member (`unknown-member`); default: the same id. */
  newMemberId?(): string;
}

export type MemberState = 'joining' | 'stable' | 'revoking' | 'losing' | 'left';

/** Pause before a join that failed (no answer) is tried again. */
const JOIN_RETRY_MS = 100;

export class GroupMember {
  private stateNow: MemberState = 'joining';
  private generationNow = -1;
  private assignmentNow: TopicPartition[] = [];
  private timer: TimerHandle | undefined;
  private memberId: string;
  /** The reason the next join gives (Kafka's `enforceRebalance(reason)`). */
  private joinReason: string | undefined;

  constructor(private readonly timers: Timers, private readonly client: LogClient, private readonly opts: GroupMemberOptions) {
    this.memberId = opts.memberId;
    this.join();
  }

  get state(): MemberState {
    return this.stateNow;
  }

  get assignment(): readonly TopicPartition[] {
    return this.assignmentNow;
  }

  /** What an offset commit names (Kafka's consumer.groupMetadata()). */
  metadata(): GroupMetadata {
    return { groupId: this.opts.groupId, memberId: this.memberId, generation: this.generationNow };
  }

  /** Leaves the group (no further callbacks); the coordinator rebalances the others at once. */
  leave(cb: () => void = () => {}): void {
    this.stop();
    this.client.leaveGroup(this.opts.groupId, this.memberId, () => cb());
  }

  /**
   * Stops without a word to the group (no further callbacks, no heartbeats): the coordinator lets
   * the member go when its session expires. Kafka Streams closes its consumers this way
   * (`internal.leave.group.on.close` is false).
   */
  stop(): void {
    this.stateNow = 'left';
    this.timer?.cancel();
  }

  /**
   * Kafka's `enforceRebalance(reason)`: a stable member gives up its assignment (revoked, as
   * eager rebalancing does) and joins again, which rebalances the group; elsewhere it does nothing.
   */
  enforceRebalance(reason: string): void {
    if (this.stateNow !== 'stable') return;
    this.timer?.cancel();
    this.joinReason = reason;
    this.rejoin('rebalancing');
  }

  private join(): void {
    this.stateNow = 'joining';
    const { groupId, topics, sessionTimeoutMs, rebalanceTimeoutMs } = this.opts;
    const memberId = this.memberId;
    const streams = this.opts.streams?.();
    const reason = this.joinReason;
    this.client.joinGroup(groupId, memberId, topics, { sessionTimeoutMs, rebalanceTimeoutMs, ...(streams === undefined ? {} : { streams }), ...(reason === undefined ? {} : { reason }) }, (r) => {
      if (this.stateNow !== 'joining') return;
      if (!r.ok) {
        this.timer = this.timers.after(JOIN_RETRY_MS, () => this.join());
        return;
      }
      this.stateNow = 'stable';
      this.joinReason = undefined;
      this.generationNow = r.generation;
      this.assignmentNow = r.assignment;
      this.opts.onAssigned(r.generation, r.assignment, r.assignments ?? {}, r.tasks, r.nextRebalanceMs);
      this.scheduleHeartbeat();
    });
  }

  private scheduleHeartbeat(): void {
    this.timer = this.timers.after(this.opts.heartbeatIntervalMs, () => {
      const generation = this.generationNow;
      this.client.heartbeat(this.opts.groupId, this.memberId, generation, (r) => {
        if (this.stateNow !== 'stable' || this.generationNow !== generation) return;
        if (r.ok || r.code === 'timeout') this.scheduleHeartbeat();
        else if (r.code === 'illegal-generation' || r.code === 'unknown-member') this.rejoin(r.code);
        else this.rejoin('rebalancing');
      });
    });
  }

  /** Gives up the assignment (revoked, or lost) and joins again once the owner is done with it. */
  private rejoin(why: 'rebalancing' | 'illegal-generation' | 'unknown-member'): void {
    const state = why === 'rebalancing' ? 'revoking' : 'losing';
    this.stateNow = state;
    const given = this.assignmentNow;
    this.assignmentNow = [];
    const done = (): void => {
      if (this.stateNow !== state) return;
      this.timer?.cancel();
      if (why === 'unknown-member' && this.opts.newMemberId !== undefined) this.memberId = this.opts.newMemberId();
      this.join();
    };
    // A revoking member heartbeats on; one whose generation was reset has no session to keep
    // (Kafka's heartbeat thread stops until it joins again).
    if (why === 'rebalancing') {
      this.heartbeatWhileRevoking(this.generationNow);
      this.opts.onRevoked(given, done);
    } else if (this.opts.onLost !== undefined) this.opts.onLost(given, done, why);
    else this.opts.onRevoked(given, done);
  }

  /** Keeps the session alive while the revocation runs; what the heartbeats answer changes nothing (the member rejoins anyway). */
  private heartbeatWhileRevoking(generation: number): void {
    this.timer = this.timers.after(this.opts.heartbeatIntervalMs, () => {
      if (this.stateNow !== 'revoking') return;
      this.client.heartbeat(this.opts.groupId, this.memberId, generation, () => {});
      this.heartbeatWhileRevoking(generation);
    });
  }
}
