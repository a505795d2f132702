/**
 * A task manager: a simulated process that hosts the tasks the job manager
 * deploys on it, routes data messages to them, and uploads their snapshots
 * to the checkpoint store. It keeps nothing on disk: after a crash it comes
 * back empty and registers again, and the job manager restarts the job.
 *
 * It runs the tasks of the slot the latest deployment gave it (none for an
 * idle spare) and keeps them until it hears of a newer attempt, or a task
 * fails itself: a task manager cut off from the job manager goes on as a
 * zombie meanwhile. It answers a cancel once the cancelled tasks' sinks
 * have closed, and lists the tasks it runs in every heartbeat answer.
 */
import type { ProcessContext, ProcessFactory, ProcessId, ProcessLogic } from '../../../runtime/index.ts';
import { valueHash } from '../../../runtime/index.ts';
import { LogClient } from '../../../log/client.ts';
import type { BugSwitches } from '../bugs.ts';
import type { GraphEdge } from '../graph.ts';
import { RequestClient } from '../../../runtime/request-client.ts';
import { isStoreReply, snapshotPath, type StoreReply } from '../checkpoint/store.ts';
import type { DataMessage } from './items.ts';
import type { JmToTm, RestoreInfo, TmToJm } from './messages.ts';
import type { JobPlan } from './plan.ts';
import { Task, type TaskSnapshot } from './task.ts';
import type { JobSettings, TaskEnv } from './task-env.ts';
import { EdgeWriter, type OnSent } from './writer.ts';

export interface ClusterIds {
  jm: ProcessId;
  broker: ProcessId;
  store: ProcessId;
}

export function taskManagerProcess(plan: JobPlan, settings: JobSettings, bugs: BugSwitches, ids: ClusterIds): ProcessFactory {
  return (ctx) => new TaskManager(ctx, plan, settings, bugs, ids);
}

/** A task's log clients: the one its sources read with, and its sink's producer (made on first use). */
interface TaskClients {
  readonly log: LogClient;
  producer: LogClient | undefined;
  /** Holds its sink has on the producer (see `TaskEnv.holdProducer`). */
  holds: number;
  cancelled: boolean;
}

class TaskManager implements ProcessLogic {
  private attempt = -1;
  /** The slot table of the current attempt (see JobPlan): where each task's data goes. */
  private slots: readonly ProcessId[];
  private readonly tasks = new Map<string, Task>();
  /** Data that arrived for a task of the current attempt before the task was started. */
  private readonly early = new Map<string, DataMessage[]>();
  /**
   * Each task's log clients: cancelling a task drops their pending requests, so a
   * cancelled task's read or commit is never retried into the next attempt's
   * time. Its producer is the exception while its sink holds it open: its batch
   * in flight and then its abort are retried, under the failed attempt's
   * transactional id and epoch, which the next attempt re-initialises (aborting
   * what is open on it and fencing both).
   */
  private readonly clients = new Map<string, TaskClients>();
  /**
   * Producers of cancelled tasks whose sink is still closing: its abort waits for
   * the batch it has in flight, then for its own answer (Kafka's abortTransaction).
   */
  private readonly closing = new Set<LogClient>();
  /** Tasks of the current attempt that failed themselves: data for them is dropped. */
  private readonly failed = new Set<string>();
  /** The newest attempt whose cancel this manager has had: every task of an older attempt is cancelled. */
  private endingBelow = -1;
  /** The newest such attempt whose cancelled tasks have all closed, as last told to the job manager. */
  private endedBelow = -1;
  private readonly store: RequestClient<StoreReply>;

  constructor(
    private readonly ctx: ProcessContext,
    private readonly plan: JobPlan,
    private readonly settings: JobSettings,
    private readonly bugs: BugSwitches,
    private readonly ids: ClusterIds,
  ) {
    this.store = new RequestClient(ctx, ids.store, isStoreReply);
    this.slots = plan.taskManagers;
    this.toJm({ kind: 'tm.register', incarnation: ctx.incarnation });
  }

  private toJm(m: TmToJm): void {
    this.ctx.net.send(this.ids.jm, m);
  }

  onMessage(from: ProcessId, msg: unknown): void {
    if (this.store.handle(from, msg)) return;
    for (const c of this.clients.values()) if (c.log.handle(from, msg) || c.producer?.handle(from, msg) === true) return;
    for (const p of this.closing) if (p.handle(from, msg)) return;
    const m = msg as JmToTm | DataMessage;
    switch (m.kind) {
      case 'data':
        return this.onData(m);
      case 'hb':
        // A newer attempt than ours: the job manager cancelled ours. A task manager that still runs
        // tasks missed the cancel (or the deploy) and its tasks are zombies; one that runs none answers
        // the cancel again, in case its answer was lost.
        if (m.attempt > this.attempt) {
          if (this.tasks.size > 0) this.ctx.trace.emit('tm.stale', { attempt: this.attempt, current: m.attempt, tasks: this.tasks.size });
          this.cancelFor(m.attempt);
        }
        this.toJm({ kind: 'hb.ack', seq: m.seq, incarnation: this.ctx.incarnation, ended: this.endedBelow, ...this.deploymentReport() });
        if (m.completed !== undefined) this.checkpointCompleted(m.attempt, m.completed);
        return;
      case 'deploy':
        this.deploy(m.attempt, m.restore, m.slots);
        // Flink's submitTask is an RPC: its answer tells the job manager the deployment arrived.
        if (m.attempt === this.attempt) this.toJm({ kind: 'deploy.ack', attempt: m.attempt, incarnation: this.ctx.incarnation });
        return;
      case 'cancel':
        // The cancel that comes with attempt `m.attempt` is for everything older: a late copy of it
        // after that attempt's deployment leaves the deployed tasks alone.
        if (m.attempt > this.attempt) this.cancelFor(m.attempt);
        return;
      case 'trigger': {
        if (m.attempt !== this.attempt) return;
        const triggered = [...this.tasks.values()].filter((t) => this.plan.task(t.key).isSource || t.isFinished);
        // Fault site: the trigger never reaches this task manager's tasks (a lost RPC). Their
        // downstream tasks align the checkpoint on the other sources' barriers until a newer
        // barrier comes through these sources and aborts it, or the coordinator times it out.
        if (triggered.length === 0 || this.ctx.buggify('checkpoint.trigger.lost')) return;
        for (const t of triggered) t.triggerCheckpoint(m.checkpoint);
        return;
      }
      case 'cp.complete':
        return this.checkpointCompleted(m.attempt, m.checkpoint);
      case 'cp.abort':
        if (m.attempt !== this.attempt) return;
        // The latest completed checkpoint comes first, as a completion notice (Flink's StreamTask).
        if (m.completed !== undefined) for (const t of this.tasks.values()) t.notifyCheckpointComplete(m.completed);
        for (const t of this.tasks.values()) t.notifyCheckpointAborted(m.checkpoint);
        return;
    }
  }

  private checkpointCompleted(attempt: number, checkpoint: number): void {
    if (attempt !== this.attempt) return;
    // Fault site: the notification is lost; the job manager repeats the latest one with its heartbeats.
    if (this.ctx.buggify('checkpoint.notify.lost')) return;
    for (const t of this.tasks.values()) t.notifyCheckpointComplete(checkpoint);
  }

  /**
   * What the heartbeat's answer reports of the current attempt (Flink's `ExecutionDeploymentReport`,
   * with the finished tasks): the tasks deployed here that neither failed nor were cancelled, and
   * those of them that finished. Nothing before the first deployment.
   */
  private deploymentReport(): { attempt?: number; running?: string[]; finished?: string[] } {
    if (this.attempt < 0) return {};
    const running: string[] = [];
    const finished: string[] = [];
    for (const t of this.tasks.values()) {
      running.push(t.key);
      if (t.isFinished) finished.push(t.key);
    }
    return finished.length > 0 ? { attempt: this.attempt, running, finished } : { attempt: this.attempt, running };
  }

  private onData(m: DataMessage): void {
    // Data of a cancelled attempt, or for a task that failed, has nobody to go to.
    if (m.attempt < this.attempt || m.attempt < this.endingBelow || (m.attempt === this.attempt && this.failed.has(m.task))) return;
    const t = m.attempt === this.attempt ? this.tasks.get(m.task) : undefined;
    if (t) t.onData(m.ch, m.seq, m.items);
    else {
      const list = this.early.get(m.task) ?? [];
      list.push(m);
      this.early.set(m.task, list);
    }
  }

  /**
   * The job manager's cancel that comes with `attempt`: every task of an older attempt is cancelled,
   * and the job manager is told once none of them is closing any more (see `reportEnded`).
   */
  private cancelFor(attempt: number): void {
    this.cancelAll();
    this.endingBelow = Math.max(this.endingBelow, attempt);
    this.reportEnded();
  }

  /**
   * Once the cancelled tasks' sinks have all closed (their aborts answered), the job manager hears
   * that nothing older than the cancel's attempt is left here: Flink's task executor reports each
   * task CANCELED once its thread has ended, and the job manager waits for that before it restarts.
   * A lost answer is repeated by the heartbeat's (`ended`).
   */
  private reportEnded(): void {
    if (this.closing.size > 0 || this.endingBelow <= this.endedBelow) return;
    this.endedBelow = this.endingBelow;
    // One that was never deployed to has nothing to answer for (its heartbeat answers say `ended` all the same).
    if (this.attempt >= 0) this.toJm({ kind: 'cancel.ack', attempt: this.endedBelow, incarnation: this.ctx.incarnation });
  }

  private cancelAll(): void {
    for (const t of this.tasks.values()) t.cancel();
    this.tasks.clear();
    for (const c of this.clients.values()) this.dropClients(c);
    this.clients.clear();
  }

  /**
   * A task that ended (cancelled, or failed): its pending requests are dropped, except its sink's
   * producer while the sink holds it to close (then the producer is closing).
   */
  private dropClients(c: TaskClients): void {
    c.cancelled = true;
    c.log.cancelAll();
    if (c.producer === undefined) return;
    if (c.holds > 0) this.closing.add(c.producer);
    else c.producer.cancelAll();
  }

  /** `task` failed itself (its operators already closed): it is no longer run here, and the job manager hears why. */
  private taskFailed(task: Task, attempt: number, reason: string): void {
    if (this.isCurrent(task)) {
      this.tasks.delete(task.key);
      this.failed.add(task.key);
      const c = this.clients.get(task.key);
      if (c !== undefined) this.dropClients(c);
      this.clients.delete(task.key);
    }
    // Fault site: the report is lost (a datagram); the next heartbeat's deployment report no longer lists the task.
    if (!this.ctx.buggify('task.failed.lost')) this.toJm({ kind: 'task.failed', attempt, task: task.key, reason });
  }

  private deploy(attempt: number, restore: RestoreInfo | null, slots: readonly ProcessId[]): void {
    // Not an attempt already cancelled here: the job manager was told nothing of it is left.
    if (attempt <= this.attempt || attempt < this.endingBelow) return;
    this.cancelAll();
    this.attempt = attempt;
    this.failed.clear();
    this.slots = slots;
    for (const [k, list] of this.early) {
      const keep = list.filter((m) => m.attempt >= attempt);
      if (keep.length === 0) this.early.delete(k);
      else this.early.set(k, keep);
    }
    for (const pt of this.plan.tasksOn(this.ctx.id, slots)) {
      const clients: TaskClients = { log: new LogClient(this.ctx, this.ids.broker), producer: undefined, holds: 0, cancelled: false };
      this.clients.set(pt.key, clients);
      const env = this.taskEnv(attempt, restore ? restore.checkpoint : -1, clients);
      const task = new Task(env, pt.key, pt.vertexId, pt.subtask, this.plan.channelsOf(pt.vertexId, pt.subtask));
      this.tasks.set(pt.key, task);
      for (const m of this.early.get(pt.key) ?? []) if (m.attempt === attempt) task.onData(m.ch, m.seq, m.items);
      this.early.delete(pt.key);
      if (!this.isCurrent(task)) continue; // it failed on that data
      const handle = restore?.handles[pt.key];
      if (handle === undefined) this.startTask(task, attempt, restore ? restore.checkpoint : -1, undefined);
      else this.fetchAndStart(task, attempt, restore!.checkpoint, handle);
    }
  }

  private fetchAndStart(task: Task, attempt: number, checkpoint: number, handle: string, tries = 0): void {
    // A task cancelled while its snapshot was on its way is not started.
    const unreadable = (): void => {
      if (!this.isCurrent(task)) return;
      // A failed read (checksum mismatch, store unreachable) is retried; a snapshot that stays unreadable fails the task.
      if (tries < 50) this.ctx.timers.after(100, () => this.fetchAndStart(task, attempt, checkpoint, handle, tries + 1));
      else task.fail(`snapshot ${handle} is missing or corrupt`);
    };
    this.store.request(
      { kind: 'store.get', key: handle },
      (r) => {
        if (!this.isCurrent(task)) return;
        if (!r.ok || r.snapshot === undefined || r.snapshot === null) return unreadable();
        this.startTask(task, attempt, checkpoint, r.snapshot as TaskSnapshot);
      },
      unreadable,
    );
  }

  /**
   * Whether `task` is still one this manager runs: neither cancelled (a cancel leaves the attempt
   * number as it is, so the attempt alone cannot tell) nor replaced by a newer deployment's.
   */
  private isCurrent(task: Task): boolean {
    return this.tasks.get(task.key) === task;
  }

  private startTask(task: Task, attempt: number, checkpoint: number, snap: TaskSnapshot | undefined): void {
    this.ctx.trace.emit('task.deploy', { task: task.name, attempt, restoredFrom: snap ? checkpoint : -1, stateHash: snap ? valueHash(snap) : '' });
    task.start(snap);
  }

  private taskEnv(attempt: number, restoredCheckpoint: number, clients: TaskClients): TaskEnv {
    const tm = this;
    return {
      ctx: this.ctx,
      log: clients.log,
      producer(): LogClient {
        return (clients.producer ??= new LogClient(tm.ctx, tm.ids.broker));
      },
      holdProducer(): () => void {
        clients.holds++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          if (--clients.holds > 0 || !clients.cancelled || clients.producer === undefined) return;
          if (!tm.closing.delete(clients.producer)) return;
          clients.producer.cancelAll();
          tm.reportEnded();
        };
      },
      bugs: this.bugs,
      settings: this.settings,
      graph: this.plan.graph,
      vertices: this.plan.vertices,
      attempt,
      restoredCheckpoint,
      writerFor(edge: GraphEdge, fromSubtask: number, onFirstBuffered: () => void, onSent: OnSent): EdgeWriter {
        const targets = tm.plan.targetsOf(edge, fromSubtask);
        const slots = tm.slots;
        return new EdgeWriter(edge, targets, attempt, tm.settings.bufferRecords, (msg) => tm.ctx.net.sendReliable(tm.plan.hostOf(msg.task, slots), msg), onFirstBuffered, onSent, tm.settings.bufferTimeoutMs === 0);
      },
      failTask(task: Task, reason: string): void {
        tm.taskFailed(task, attempt, reason);
      },
      reportFinished(task: Task): void {
        tm.toJm({ kind: 'task.finished', attempt, task: task.key });
      },
      ackCheckpoint(task: Task, id: number, snap: TaskSnapshot): void {
        // `snap` is the task's own copy (taken at the barrier), so it is uploaded as it is.
        const handle = snapshotPath(attempt, id, task.key);
        const stateHash = valueHash(snap);
        tm.ctx.trace.emit('snapshot', { task: task.name, attempt, checkpoint: id, stateHash });
        // A task cancelled meanwhile uploads nothing and acknowledges nothing (Flink cancels a snapshot's
        // asynchronous part with its task).
        const upload = (): void => {
          if (!tm.isCurrent(task)) return;
          tm.store.request({ kind: 'store.put', key: handle, snapshot: snap, sum: stateHash }, () => {
            if (tm.isCurrent(task)) tm.toJm({ kind: 'ack', attempt, checkpoint: id, task: task.key, handle, stateHash });
          });
        };
        // Fault site: a slow snapshot upload keeps the checkpoint pending (and may time it out).
        if (tm.ctx.buggify('checkpoint.snapshot.slow')) tm.ctx.timers.after(300, upload);
        else upload();
      },
      declineCheckpoint(task: Task, id: number, reason: string): void {
        tm.toJm({ kind: 'decline', attempt, checkpoint: id, task: task.name, reason });
      },
    };
  }
}
