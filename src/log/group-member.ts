/**
 * Keeps one consumer in a group: the client half of the eager protocol of
 * group-coordinator.ts (Kafka's `AbstractCoordinator` join and heartbeat
 * loop, as the `ConsumerCoordinator` drives it with the eager protocol).
 *
 *   joining ──joined──▶ stable ──heartbeat: rebalance-in-progress / illegal-generation /
 *      ▲                          unknown-member, or no answer──▶ revoking ──done──┐
 *      └──────────────────────────────────────────────────────────────────────────┘
 *
 * In `stable` it heartbeats every `heartbeatIntervalMs` (keep it well below
 * the session timeout; Kafka's default is a third). When a heartbeat says the
 * group moved on, the member gives up its whole assignment (`onRevoked`, which
 * may still commit with the current generation: the coordinator accepts
 * that while the rebalance waits for members) and joins again; `onAssigned`
 * gets the next generation's partitions. While `onRevoked` runs it goes on
 * heartbeating, as Kafka's heartbeat thread does until the join is sent
 * (`AbstractCoordinator`: the thread is disabled only when the member starts
 * to rebalance), so a slow revocation is bounded by the rebalance timeout the
 * member asked for, not by its session. It lives in its owner's memory and
 * ends with a crash; the coordinator removes it when its session expires.
 */
import type { GroupMetadata, LogClient } from './client.ts';
import type { TopicPartition } from './protocol.ts';
import type { TimerHandle, Timers } from '../runtime/types.ts';

export interface GroupMemberOptions {
  groupId: string;
  /** Fresh per incarnation of the owner, e.g. `${processId}-${incarnation}`. */
  memberId: string;
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** The partitions of a new generation; `all`: every member's, by member id. */
  onAssigned(generation: number, assignment: TopicPartition[], all: Readonly<Record<string, TopicPartition[]>>): void;
  /** Asked at every join: partitions this member could take over cheaply (a hint for the assignor). */
  warm?(): TopicPartition[];
  /** The group is rebalancing: stop using `assignment` (commit first if needed), then call `done`. */
  onRevoked(assignment: TopicPartition[], done: () => void): void;
}

export type MemberState = 'joining' | 'stable' | 'revoking' | 'left';

/** Pause before a join that failed (no answer) is tried again. */
const JOIN_RETRY_MS = 100;

export class GroupMember {
  private stateNow: MemberState = 'joining';
  private generationNow = -1;
  private assignmentNow: TopicPartition[] = [];
  private timer: TimerHandle | undefined;

  constructor(private readonly timers: Timers, private readonly client: LogClient, private readonly opts: GroupMemberOptions) {
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
    return { groupId: this.opts.groupId, memberId: this.opts.memberId, generation: this.generationNow };
  }

  /** Leaves the group (no further callbacks); the coordinator rebalances the others at once. */
  leave(cb: () => void = () => {}): void {
    this.stateNow = 'left';
    this.timer?.cancel();
    this.client.leaveGroup(this.opts.groupId, this.opts.memberId, () => cb());
  }

  private join(): void {
    this.stateNow = 'joining';
    const { groupId, memberId, topics, sessionTimeoutMs, rebalanceTimeoutMs } = this.opts;
    const warm = this.opts.warm?.() ?? [];
    this.client.joinGroup(groupId, memberId, topics, { sessionTimeoutMs, rebalanceTimeoutMs, ...(warm.length > 0 ? { warm } : {}) }, (r) => {
      if (this.stateNow !== 'joining') return;
      if (!r.ok) {
        this.timer = this.timers.after(JOIN_RETRY_MS, () => this.join());
        return;
      }
      this.stateNow = 'stable';
      this.generationNow = r.generation;
      this.assignmentNow = r.assignment;
      this.opts.onAssigned(r.generation, r.assignment, r.assignments ?? {});
      this.scheduleHeartbeat();
    });
  }

  private scheduleHeartbeat(): void {
    this.timer = this.timers.after(this.opts.heartbeatIntervalMs, () => {
      const generation = this.generationNow;
      this.client.heartbeat(this.opts.groupId, this.opts.memberId, generation, (r) => {
        if (this.stateNow !== 'stable' || this.generationNow !== generation) return;
        if (r.ok) this.scheduleHeartbeat();
        else this.rejoin();
      });
    });
  }

  private rejoin(): void {
    this.stateNow = 'revoking';
    const revoked = this.assignmentNow;
    this.assignmentNow = [];
    this.heartbeatWhileRevoking(this.generationNow);
    this.opts.onRevoked(revoked, () => {
      if (this.stateNow !== 'revoking') return;
      this.timer?.cancel();
      this.join();
    });
  }

  /** Keeps the session alive while the revocation runs; what the heartbeats answer changes nothing (the member rejoins anyway). */
  private heartbeatWhileRevoking(generation: number): void {
    this.timer = this.timers.after(this.opts.heartbeatIntervalMs, () => {
      if (this.stateNow !== 'revoking') return;
      this.client.heartbeat(this.opts.groupId, this.opts.memberId, generation, () => {});
      this.heartbeatWhileRevoking(generation);
    });
  }
}
