/**
 * The job manager: deploys the job's tasks onto the task managers, watches
 * them with heartbeats in virtual time, coordinates checkpoints, and restarts
 * the whole job from the latest completed checkpoint when anything fails
 * (Flink's full-restart failover strategy).
 *
 * An attempt is deployed once enough task managers answer heartbeats to
 * fill every slot: a slot keeps its task manager while it is healthy and
 * otherwise moves to a healthy spare. A task manager that is cut off from
 * the job manager but still alive keeps running the old attempt's tasks
 * until it hears of a newer attempt (a cancel, a deploy or a heartbeat):
 * a zombie, which the log's producer fencing keeps out of the output.
 * A deployment is an RPC, as Flink's submitTask: a task manager that does
 * not answer it within the timeout fails the attempt, so a deployment the
 * network lost is never waited for. The next attempt is deployed only once
 * the cancelled tasks have ended (each task manager answers the cancel once
 * its sinks have closed), and the task managers' heartbeat answers list the
 * tasks they run, so a task that is gone without a word fails the attempt.
 *
 * The only thing it keeps on disk is the attempt counter, synced before an
 * attempt is deployed, so a restarted job manager never reuses an attempt
 * number and every message of an older attempt can be told apart. Which
 * checkpoint to restore it always asks the checkpoint store, so a crash of
 * the job manager loses nothing.
 */
import { seal, unseal, type ProcessContext, type ProcessFactory, type ProcessId, type ProcessLogic, type TimerHandle } from '../../../runtime/index.ts';
import { RequestClient } from '../../../runtime/request-client.ts';
import { isStoreReply, type StoreReply } from '../checkpoint/store.ts';
import { CheckpointCoordinator, type CheckpointKind } from '../checkpoint/coordinator.ts';
import type { JmToTm, RestoreInfo, TmToJm } from './messages.ts';
import type { JobPlan } from './plan.ts';
import type { JobSettings } from './task-env.ts';
import type { ClusterIds } from './task-manager.ts';

type Phase = 'restarting' | 'running' | 'finished';

interface TmStatus {
  incarnation: number;
  lastAckMs: number;
  /** What it last said of its cancelled tasks: nothing of an attempt below this one runs or closes there (this incarnation). */
  ended: number;
}

export function jobManagerProcess(plan: JobPlan, settings: JobSettings, ids: ClusterIds): ProcessFactory {
  return (ctx) => new JobManager(ctx, plan, settings, ids);
}

class JobManager implements ProcessLogic {
  private attempt = -1;
  private phase: Phase = 'restarting';
  private readonly tms = new Map<ProcessId, TmStatus>();
  /** Task-manager incarnations the current attempt was deployed on. */
  private deployedOn = new Map<ProcessId, number>();
  /** The task managers of `deployedOn` that answered the current attempt's deployment. */
  private deployAcked = new Set<ProcessId>();
  /** The tasks the current attempt deployed on each task manager, for its deployment reports. */
  private expected = new Map<ProcessId, string[]>();
  /** While the next attempt waits for slots or for the cancelled tasks to end: the timer of the next look. */
  private waiting: TimerHandle | undefined;
  /** What the last `job.wait` said (attempt, reason and task managers), so a look that finds the same is not traced again. */
  private waitTraced = '';
  /** The slot table of the latest deployment (see JobPlan). */
  private slots: ProcessId[];
  private finishedTasks = new Set<string>();
  private hbSeq = 0;
  private readonly store: RequestClient<StoreReply>;
  private readonly coordinator: CheckpointCoordinator;
  private finishedAtMs = -1;
  private heartbeating = false;
  private savepointScheduled = false;
  /** The pending savepoint request's timer, cancelled when the job finishes first (a savepoint asked for after the end does nothing). */
  private savepointTimer: TimerHandle | undefined;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly plan: JobPlan,
    private readonly settings: JobSettings,
    ids: ClusterIds,
  ) {
    this.store = new RequestClient(ctx, ids.store, isStoreReply);
    this.coordinator = new CheckpointCoordinator(ctx, plan, settings, this.store, {
      broadcast: (m) => this.broadcast(m),
      attempt: () => this.attempt,
      onComplete: (id, kind) => this.onCheckpointComplete(id, kind),
      failJob: (reason) => this.fail(reason),
    });
    this.slots = [...plan.taskManagers];
    for (const tm of plan.allTaskManagers) this.tms.set(tm, { incarnation: -1, lastAckMs: -1, ended: -1 });
    this.recoverAttempt();
  }

  /**
   * Reads the last attempt number from disk and starts the next attempt. A
   * file that is there but does not read back intact (read corruption) is
   * read again later: starting over at attempt 0 would reuse attempt numbers,
   * and stale messages of an old attempt would pass for current ones. The
   * heartbeats start once the attempt is known, so the first one already
   * carries it: a task manager still running an older attempt's tasks hears
   * of the new one even if the cancel is lost.
   */
  private recoverAttempt(): void {
    const raw = this.ctx.disk.read('attempt');
    const stored = unseal(raw);
    if (raw !== undefined && stored === undefined) {
      this.ctx.timers.after(this.settings.restartDelayMs, () => this.recoverAttempt());
      return;
    }
    this.attempt = stored === undefined ? -1 : Number(stored);
    this.newAttempt(this.ctx.incarnation === 0 ? 'job submitted' : 'job manager restarted');
    this.heartbeat();
  }

  private broadcast(m: JmToTm): void {
    for (const tm of this.plan.allTaskManagers) this.ctx.net.send(tm, m);
  }

  private heartbeat(): void {
    const now = this.ctx.clock.now();
    if (this.phase === 'finished' && now - this.finishedAtMs > this.settings.heartbeatTimeoutMs * 4) {
      this.heartbeating = false;
      return;
    }
    this.heartbeating = true;
    // Notifications of completion may be lost; repeating the latest on every heartbeat is harmless
    // (sinks commit everything up to it, idempotently) and lets a sink that missed one commit at the next beat.
    const completed = this.coordinator.completedInAttempt;
    this.broadcast({ kind: 'hb', seq: ++this.hbSeq, attempt: this.attempt, ...(completed === undefined ? {} : { completed }) });
    this.ctx.timers.after(this.settings.heartbeatIntervalMs, () => this.heartbeat());
    if (this.phase === 'running' || this.phase === 'finished') {
      for (const [tm, inc] of this.deployedOn) {
        const st = this.tms.get(tm)!;
        if (now - st.lastAckMs > this.settings.heartbeatTimeoutMs) return this.fail(`heartbeat of ${tm} timed out`);
        if (st.incarnation !== inc) return this.fail(`${tm} restarted`);
      }
    }
  }

  private fail(reason: string): void {
    if (this.phase === 'restarting') return;
    this.ctx.trace.emit('job.fail', { attempt: this.attempt, reason });
    this.newAttempt(reason);
  }

  /** Bumps and syncs the attempt number, cancels everything, and redeploys once every slot has a task manager that answers. */
  private newAttempt(reason: string): void {
    const wasFinished = this.phase === 'finished';
    this.phase = 'restarting';
    this.coordinator.abortPending(reason);
    this.waiting?.cancel();
    this.waiting = undefined;
    this.attempt++;
    const attempt = this.attempt;
    this.broadcast({ kind: 'cancel', attempt });
    this.ctx.disk.write('attempt', seal(String(attempt)));
    this.ctx.disk.fsync('attempt', () => {
      this.ctx.timers.after(this.settings.restartDelayMs, () => this.deployWhenReady(attempt));
    });
    if (wasFinished && !this.heartbeating) this.heartbeat();
  }

  /**
   * Deploys `attempt` once every slot has a task manager and the earlier attempts' tasks have ended
   * where it matters (`stillEnding`); until then it looks again at every heartbeat interval, and at
   * once when a task manager says more of its cancelled tasks have ended. Called first one restart
   * delay after the attempt number is durable.
   */
  private deployWhenReady(attempt: number): void {
    if (attempt !== this.attempt) return;
    this.waiting = undefined;
    const slots = this.chooseSlots();
    if (slots === undefined) return this.waitAndLookAgain(attempt, 'slots', this.plan.allTaskManagers.filter((tm) => this.healthy(tm)));
    const ending = this.stillEnding(attempt, slots);
    if (ending.length > 0) return this.waitAndLookAgain(attempt, 'cancelled tasks', ending);
    if (this.settings.guarantee === 'at-most-once') return this.deploy(attempt, null, slots);
    const retry = (): void => {
      this.ctx.timers.after(this.settings.restartDelayMs, () => this.deployWhenReady(attempt));
    };
    this.store.request({ kind: 'store.latest', below: Number.MAX_SAFE_INTEGER, attempt }, (r) => {
      if (attempt !== this.attempt) return;
      if (!r.ok) return retry();
      const highest = r.highest ?? 0;
      if (!r.data || r.checkpoint === undefined || r.checkpoint < 0) return this.deploy(attempt, null, slots, highest);
      const meta = JSON.parse(r.data) as RestoreInfo;
      this.deploy(attempt, { checkpoint: r.checkpoint, handles: meta.handles }, slots, highest);
    }, retry);
  }

  /**
   * The slot table for the next deployment, or undefined while too few task
   * managers answer: each slot keeps its task manager if that one is healthy,
   * else takes the first healthy task manager without a slot (spares last).
   */
  private chooseSlots(): ProcessId[] | undefined {
    const slots = this.slots.map((tm) => (this.healthy(tm) ? tm : undefined));
    const free = this.plan.allTaskManagers.filter((tm) => this.healthy(tm) && !slots.includes(tm));
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] !== undefined) continue;
      const next = free.shift();
      if (next === undefined) return undefined;
      slots[i] = next;
    }
    return slots as ProcessId[];
  }

  private healthy(tm: ProcessId): boolean {
    const s = this.tms.get(tm)!;
    return s.lastAckMs >= 0 && this.ctx.clock.now() - s.lastAckMs <= this.settings.heartbeatTimeoutMs;
  }

  /**
   * Whether the next attempt, to be deployed on `slots`, must wait for tasks of an earlier attempt to
   * end: on a task manager of the previous deployment that is still the incarnation deployed to (Flink
   * restarts once each execution of the failed attempt is CANCELED or FAILED), or on one of `slots`,
   * whichever attempt it ran (Flink offers a slot again only once the tasks in it have ended: a task
   * manager a slot moved off, one whose restart this job manager had not heard of, or any of them after
   * this job manager restarted, may still be closing a sink). A task manager has ended them once it
   * said nothing older than `attempt` is left there. One that does not answer heartbeats is given up
   * on, as Flink fails the executions of a task manager whose heartbeat timed out; a job just
   * submitted has nothing earlier to wait for.
   */
  private stillEnding(attempt: number, slots: readonly ProcessId[]): ProcessId[] {
    if (this.deployedOn.size === 0 && this.ctx.incarnation === 0) return [];
    const busy = (tm: ProcessId): boolean => this.tms.get(tm)!.ended < attempt && this.healthy(tm);
    return this.plan.allTaskManagers.filter((tm) => busy(tm) && (slots.includes(tm) || this.tms.get(tm)!.incarnation === this.deployedOn.get(tm)));
  }

  /**
   * Holds `attempt` back and looks again a heartbeat interval later. Traced as `job.wait`, `for` the
   * slots (too few task managers answer heartbeats; `tms` those that do) or the cancelled tasks
   * (`tms` the task managers still ending them), when what it waits for changes, not at every look.
   */
  private waitAndLookAgain(attempt: number, reason: 'slots' | 'cancelled tasks', tms: readonly ProcessId[]): void {
    const said = `${attempt} ${reason} ${tms.join(',')}`;
    if (said !== this.waitTraced) {
      this.waitTraced = said;
      this.ctx.trace.emit('job.wait', { attempt, for: reason, tms: tms.join(',') });
    }
    this.waiting = this.ctx.timers.after(this.settings.heartbeatIntervalMs, () => this.deployWhenReady(attempt));
  }

  private deploy(attempt: number, restore: RestoreInfo | null, slots: ProcessId[], highest = 0): void {
    this.slots = slots;
    this.deployedOn = new Map(slots.map((tm) => [tm, this.tms.get(tm)!.incarnation]));
    this.expected = new Map(this.plan.allTaskManagers.map((tm) => [tm, this.plan.tasksOn(tm, slots).map((t) => t.key)]));
    this.finishedTasks = new Set();
    this.phase = 'running';
    this.coordinator.reset(restore ? restore.checkpoint : 0, highest);
    // The slot table is traced only when there are spares to move to (it never changes otherwise).
    this.ctx.trace.emit('job.restore', { attempt, checkpoint: restore ? restore.checkpoint : -1, ...(this.plan.spares.length > 0 ? { slots: slots.join(',') } : {}) });
    this.broadcast({ kind: 'deploy', attempt, restore, slots });
    this.deployAcked = new Set();
    // Flink's submitTask is an RPC with a timeout (its ask timeout; the heartbeat timeout here):
    // a task manager that does not answer the deployment in time fails the attempt.
    this.ctx.timers.after(this.settings.heartbeatTimeoutMs, () => {
      if (attempt !== this.attempt || this.phase !== 'running') return;
      for (const tm of this.deployedOn.keys()) if (!this.deployAcked.has(tm)) return this.fail(`deployment to ${tm} timed out`);
    });
    this.coordinator.schedule();
    this.scheduleSavepoint();
  }

  onMessage(from: ProcessId, msg: unknown): void {
    if (this.store.handle(from, msg)) return;
    const m = msg as TmToJm;
    switch (m.kind) {
      case 'tm.register':
        this.heardFrom(from, m.incarnation);
        return;
      case 'hb.ack': {
        const st = this.heardFrom(from, m.incarnation);
        if (st === undefined) return;
        if (m.attempt !== undefined) this.onDeploymentReport(from, m.attempt, m.running ?? [], m.finished ?? []);
        return this.endedUpTo(st, m.ended);
      }
      case 'cancel.ack': {
        // Of an incarnation the heartbeats have not shown yet: the next heartbeat answer says the same.
        const st = this.tms.get(from);
        if (st !== undefined && st.incarnation === m.incarnation) this.endedUpTo(st, m.attempt);
        return;
      }
      case 'deploy.ack':
        if (m.attempt === this.attempt && this.deployedOn.get(from) === m.incarnation) this.deployAcked.add(from);
        return;
      case 'task.failed':
        if (m.attempt === this.attempt) this.fail(`${this.taskName(m.task)} failed: ${m.reason}`);
        return;
      case 'task.finished':
        return this.taskFinished(m.attempt, m.task);
      case 'ack':
        if (m.attempt === this.attempt) this.coordinator.onAck(m.checkpoint, m.task, m.handle);
        return;
      case 'decline':
        if (m.attempt === this.attempt) this.coordinator.onDecline(m.checkpoint, m.task, m.reason);
        return;
    }
  }

  /**
   * A task manager's heartbeat answer listed what it runs of `attempt`: its finished tasks count as
   * finished, and a task deployed on it that it no longer runs and that has not finished fails the
   * attempt (Flink's `ExecutionDeploymentReconciler`: its `task.failed` was lost, or it never knew it).
   */
  private onDeploymentReport(tm: ProcessId, attempt: number, running: string[], finished: string[]): void {
    for (const task of finished) this.taskFinished(attempt, task);
    if (attempt !== this.attempt || this.phase !== 'running' || !this.deployAcked.has(tm)) return;
    for (const task of this.expected.get(tm) ?? []) {
      if (!this.finishedTasks.has(task) && !running.includes(task)) return this.fail(`${this.taskName(task)} is no longer running on ${tm}`);
    }
  }

  /** A heartbeat answer or registration from `tm`: it is alive now, as `incarnation` (a new one has ended nothing yet). */
  private heardFrom(tm: ProcessId, incarnation: number): TmStatus | undefined {
    const st = this.tms.get(tm);
    if (st === undefined) return undefined;
    st.lastAckMs = this.ctx.clock.now();
    if (incarnation !== st.incarnation) {
      st.incarnation = incarnation;
      st.ended = -1;
    }
    return st;
  }

  /** A task manager said nothing older than `ended` is left there; the next attempt may be waiting for just this. */
  private endedUpTo(st: TmStatus, ended: number): void {
    if (ended <= st.ended) return;
    st.ended = ended;
    if (this.waiting === undefined) return;
    this.waiting.cancel();
    this.deployWhenReady(this.attempt);
  }

  /** A task's name as the trace shows it (`window[1]`), from its key. */
  private taskName(key: string): string {
    const t = this.plan.task(key);
    return `${this.plan.vertices[t.vertexId]!.name}[${t.subtask}]`;
  }

  /** A task of `attempt` reported finished (its own message, or again with a heartbeat's answer); idempotent. */
  private taskFinished(attempt: number, task: string): void {
    if (attempt !== this.attempt || this.phase !== 'running' || this.finishedTasks.has(task)) return;
    this.finishedTasks.add(task);
    if (this.finishedTasks.size === this.plan.tasks.length) this.allTasksFinished();
  }

  private allTasksFinished(): void {
    if (this.settings.guarantee === 'at-most-once') return this.finish();
    this.coordinator.triggerFinal();
  }

  private onCheckpointComplete(id: number, kind: CheckpointKind): void {
    if (kind === 'final' && this.phase === 'running') this.finish();
    if (kind === 'savepoint' && this.phase === 'running') {
      // Stop-with-savepoint, then start the job again from it: the sinks were told to commit
      // the savepoint's transactions just now, and the new attempt re-commits them if needed.
      this.ctx.trace.emit('savepoint.complete', { checkpoint: id, attempt: this.attempt });
      this.ctx.disk.write('savepoint', seal(String(id)));
      this.ctx.disk.fsync('savepoint');
      this.ctx.trace.emit('job.stop', { attempt: this.attempt, savepoint: id });
      this.newAttempt(`stopped with savepoint ${id}; starting again from it`);
    }
  }

  /**
   * Schedules the savepoint the settings ask for, once per job: a restarted
   * job manager reads from its disk whether it was already taken. While the
   * job is restarting, the request waits for it to run again.
   * The JM's disk write of the marker is not awaited: a crash right after may
   * take a second savepoint, which is harmless.
   */
  private scheduleSavepoint(): void {
    const at = this.settings.savepointAtMs;
    if (at <= 0 || this.savepointScheduled || unseal(this.ctx.disk.read('savepoint')) !== undefined) return;
    this.savepointScheduled = true;
    // Until it is taken: a request lost to a failover or a timed-out savepoint is asked for again.
    const attemptIt = (): void => {
      if (this.phase === 'finished' || unseal(this.ctx.disk.read('savepoint')) !== undefined) return;
      if (this.phase === 'running' && !this.coordinator.savepointInFlight) this.coordinator.triggerSavepoint();
      this.savepointTimer = this.ctx.timers.after(this.settings.heartbeatIntervalMs, attemptIt);
    };
    this.savepointTimer = this.ctx.timers.after(Math.max(0, at - this.ctx.clock.now()), attemptIt);
  }

  private finish(): void {
    this.savepointTimer?.cancel();
    this.phase = 'finished';
    this.finishedAtMs = this.ctx.clock.now();
    this.ctx.trace.emit('job.finish', { attempt: this.attempt });
  }
}
