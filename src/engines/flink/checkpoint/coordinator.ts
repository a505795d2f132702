/**
 * The checkpoint coordinator (Flink's CheckpointCoordinator), living in the
 * job manager. It triggers checkpoint `n` periodically in virtual time by
 * telling every source task to inject barrier `n`; each task acks once its
 * snapshot is in the checkpoint store; when every task has acked, the
 * metadata (task → snapshot) is committed to the store last and atomically,
 * and only then is the checkpoint complete and the tasks notified (which is
 * when two-phase-commit sinks commit).
 *
 * At most one checkpoint is in flight (Flink's default
 * max-concurrent-checkpoints, 1). A periodic trigger that falls while one is
 * in flight is queued, as Flink's CheckpointRequestDecider queues it (up to
 * 1,000 requests); when the checkpoint in flight ends, completed or aborted,
 * the oldest queued request starts at once (the minimum pause between
 * checkpoints is 0 by default), after a final checkpoint or a savepoint
 * asked for meanwhile, which come first. A failover drops the queue. One
 * that does not complete within the
 * timeout is aborted, and so is one a task declines (Flink's
 * receiveDeclineMessage); every task is then told (Flink's
 * notifyCheckpointAborted), and one whose barrier of it has not come yet
 * skips it. As Flink's CheckpointFailureManager counts them
 * towards the tolerable failures: an expired checkpoint does; a decline
 * because a newer barrier or a cancellation marker came first, or because a
 * task was not ready, does not. Ids only grow, across failovers too (Flink's
 * CheckpointIDCounter); a restarted job manager goes on above the highest id the
 * store holds any file of (Flink keeps the counter in its HA store, so it would
 * also skip ids whose trigger reached no task). Snapshot paths carry the attempt.
 */
import type { ProcessContext } from '../../../runtime/index.ts';
import type { RequestClient } from '../../../runtime/request-client.ts';
import type { StoreReply } from './store.ts';
import type { JmToTm } from '../runtime/messages.ts';
import type { JobPlan } from '../runtime/plan.ts';
import type { JobSettings } from '../runtime/task-env.ts';

/** A periodic checkpoint, the last one after all tasks finished, or a savepoint the user asked for. */
export type CheckpointKind = 'periodic' | 'final' | 'savepoint';

interface Pending {
  id: number;
  attempt: number;
  handles: Record<string, string>;
  acked: number;
  kind: CheckpointKind;
  committing: boolean;
}

export interface CoordinatorHooks {
  broadcast(m: JmToTm): void;
  attempt(): number;
  onComplete(id: number, kind: CheckpointKind): void;
  failJob(reason: string): void;
}

/** Flink's CheckpointRequestDecider keeps at most this many requests waiting. */
const MAX_QUEUED_REQUESTS = 1_000;

export class CheckpointCoordinator {
  private nextId = 1;
  private pending: Pending | undefined;
  private finalWanted = false;
  private savepointWanted = false;
  /** When each periodic trigger that fell while a checkpoint was in flight came, oldest first. */
  private queued: number[] = [];
  private consecutiveFailures = 0;
  private generation = 0;
  completed = 0;
  /** The latest checkpoint completed in this attempt, if any. */
  latest: { id: number; attempt: number } | undefined;

  /** The id of `latest` while its attempt is the current one: what the heartbeats and abort notices repeat. */
  get completedInAttempt(): number | undefined {
    return this.latest !== undefined && this.latest.attempt === this.hooks.attempt() ? this.latest.id : undefined;
  }
  aborted = 0;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly plan: JobPlan,
    private readonly settings: JobSettings,
    private readonly store: RequestClient<StoreReply>,
    private readonly hooks: CoordinatorHooks,
  ) {}

  private get enabled(): boolean {
    return this.settings.guarantee !== 'at-most-once';
  }

  /**
   * A new attempt restored from checkpoint `restored` (0 = none). Ids never go back (Flink's
   * CheckpointIDCounter): the next is above every id this coordinator triggered, and above
   * `highest`, the highest id the store holds files of (what a restarted job manager knows).
   */
  reset(restored: number, highest = 0): void {
    this.generation++;
    this.pending = undefined;
    this.finalWanted = false;
    this.savepointWanted = false;
    this.queued = [];
    this.nextId = Math.max(this.nextId, restored + 1, highest + 1);
    this.latest = undefined;
  }

  schedule(): void {
    if (!this.enabled || this.settings.checkpointIntervalMs <= 0) return;
    const gen = this.generation;
    this.ctx.timers.after(this.settings.checkpointIntervalMs, () => {
      if (gen !== this.generation || this.finalWanted) return;
      if (!this.pending) this.trigger('periodic');
      // Stop-with-savepoint stops Flink's periodic scheduler: nothing queues behind a savepoint.
      else if (!this.savepointInFlight && this.queued.length < MAX_QUEUED_REQUESTS) this.queued.push(this.ctx.clock.now());
      this.schedule();
    });
  }

  /** All tasks finished: one last checkpoint commits what the sinks hold. */
  triggerFinal(): void {
    this.finalWanted = true;
    this.savepointWanted = false;
    this.queued = [];
    if (!this.pending) this.trigger('final');
  }

  /** A savepoint: taken as soon as no checkpoint is in flight. */
  triggerSavepoint(): void {
    if (!this.enabled || this.finalWanted) return;
    this.savepointWanted = true;
    this.queued = [];
    if (!this.pending) this.trigger('savepoint');
  }

  /** A savepoint is asked for or being taken. */
  get savepointInFlight(): boolean {
    return this.savepointWanted || this.pending?.kind === 'savepoint';
  }

  /** What to take next once nothing is in flight, if anything. */
  private next(): CheckpointKind | undefined {
    if (this.finalWanted) return 'final';
    if (this.savepointWanted) return 'savepoint';
    if (this.queued.length > 0) return 'periodic';
    return undefined;
  }

  private trigger(kind: CheckpointKind): void {
    const id = this.nextId++;
    const attempt = this.hooks.attempt();
    if (kind === 'savepoint') this.savepointWanted = false;
    // A periodic checkpoint started from the queue says how long its request waited.
    const requestedAt = kind === 'periodic' ? this.queued.shift() : undefined;
    this.pending = { id, attempt, handles: {}, acked: 0, kind, committing: false };
    this.ctx.trace.emit('barrier.inject', {
      checkpoint: id, attempt, final: kind === 'final', savepoint: kind === 'savepoint',
      ...(requestedAt !== undefined ? { queuedMs: this.ctx.clock.now() - requestedAt } : {}),
    });
    this.hooks.broadcast({ kind: 'trigger', attempt, checkpoint: id });
    const gen = this.generation;
    this.ctx.timers.after(this.settings.checkpointTimeoutMs, () => {
      // An expired savepoint is not counted (CheckpointFailureManager leaves savepoints out of its counter).
      if (gen === this.generation && this.pending?.id === id && !this.pending.committing) this.abort(id, 'timeout', this.pending.kind !== 'savepoint');
    });
  }

  /** Task `task` declined checkpoint `id`: a pending checkpoint that is not being committed yet is aborted. */
  onDecline(id: number, task: string, reason: string): void {
    const p = this.pending;
    if (!p || p.id !== id || p.committing) return;
    this.abort(id, `declined by ${task}: ${reason}`, false);
  }

  /** Aborts the pending checkpoint; `counted` failures bring the job down once more than the tolerable number come in a row. */
  private abort(id: number, reason: string, counted: boolean): void {
    this.ctx.trace.emit('checkpoint.abort', { checkpoint: id, reason });
    this.aborted++;
    if (counted && ++this.consecutiveFailures > this.settings.tolerableFailedCheckpoints) {
      this.consecutiveFailures = 0;
      this.pending = undefined;
      this.hooks.failJob(`${this.settings.tolerableFailedCheckpoints + 1} checkpoints in a row failed (last: ${reason})`);
      return;
    }
    if (this.pending?.kind === 'savepoint') this.ctx.trace.emit('savepoint.abort', { checkpoint: id, reason });
    this.pending = undefined;
    // Flink's sendAbortedMessages: every task hears of the abort, with the latest completed checkpoint.
    const completed = this.completedInAttempt;
    this.hooks.broadcast({ kind: 'cp.abort', attempt: this.hooks.attempt(), checkpoint: id, ...(completed === undefined ? {} : { completed }) });
    const next = this.next();
    if (next) this.trigger(next);
  }

  abortPending(reason: string): void {
    if (this.pending) {
      this.ctx.trace.emit('checkpoint.abort', { checkpoint: this.pending.id, reason });
      this.aborted++;
    }
    this.pending = undefined;
    this.queued = [];
    this.generation++;
  }

  onAck(id: number, task: string, handle: string): void {
    const p = this.pending;
    if (!p || p.id !== id || p.handles[task] !== undefined) return;
    p.handles[task] = handle;
    p.acked++;
    this.ctx.trace.emit('checkpoint.ack', { checkpoint: id, task, acked: p.acked, of: this.plan.tasks.length });
    if (p.acked === this.plan.tasks.length) this.commit(p);
  }

  private commit(p: Pending): void {
    p.committing = true;
    const gen = this.generation;
    const meta = JSON.stringify({ checkpoint: p.id, attempt: p.attempt, handles: p.handles, savepoint: p.kind === 'savepoint' });
    this.store.request({ kind: 'store.commit', checkpoint: p.id, meta, savepoint: p.kind === 'savepoint', attempt: p.attempt }, (r) => {
      if (gen !== this.generation || this.pending !== p || !r.ok) return;
      this.pending = undefined;
      this.completed++;
      this.latest = { id: p.id, attempt: p.attempt };
      this.consecutiveFailures = 0;
      this.ctx.trace.emit('checkpoint.complete', { checkpoint: p.id, attempt: p.attempt });
      this.hooks.broadcast({ kind: 'cp.complete', attempt: p.attempt, checkpoint: p.id });
      this.hooks.onComplete(p.id, p.kind);
      const next = this.next();
      if (p.kind !== 'final' && next) this.trigger(next);
    });
  }
}
