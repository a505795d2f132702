/**
 * A job run in-process on the engine's own tasks, with no simulated world
 * around it: the test harnesses' executor (Flink's MiniCluster, reduced to
 * what a test needs).
 *
 * Every task of the job graph is a real `Task` (the same input queues,
 * watermark valve, barrier aligner, operator chains and idleness rules as
 * in the simulated cluster), all in one place. What the world would add is
 * replaced by something exact:
 * - the network delivers every item at once: each record, watermark,
 *   idleness mark, barrier and end of input is its own message (buffers of
 *   one item), and messages are handled in the order they were sent;
 * - processing time stands still until the caller moves it
 *   (`advanceTo`): callbacks due by then run in time order, ties in the
 *   order they were scheduled;
 * - a checkpoint is triggered by the caller and completes within the call
 *   (`checkpoint`); a restore replaces every task by a fresh one started
 *   from the snapshot (`restore`), as a job restart does.
 * Nothing here reads a clock or draws a random number: the same calls give
 * the same run.
 *
 * There is no log broker: a pipeline that reads or writes the log (fromLog,
 * sinkTo) fails with an error saying so when it first talks to it.
 */
import type { Clock, Disk, Network, ProcessContext, ProcessId, TimerHandle, Timers, Tracer, TraceFields } from '../../../runtime/index.ts';
import type { TraceEvent } from '../../../runtime/trace-event.ts';
import { checksum } from '../../../runtime/checksum.ts';
import { LogClient } from '../../../log/client.ts';
import type { Guarantee } from '../../../stream/guarantee.ts';
import { BugSwitches, FLINK_BUGS } from '../bugs.ts';
import type { GraphEdge, JobGraph } from '../graph.ts';
import { JobPlan } from '../runtime/plan.ts';
import { Task, type TaskSnapshot } from '../runtime/task.ts';
import { DEFAULT_SETTINGS, type JobSettings, type TaskEnv } from '../runtime/task-env.ts';
import { EdgeWriter, keyGroupForKey, keyGroupRange, type OnSent } from '../runtime/writer.ts';
import type { DataMessage } from '../runtime/items.ts';
import type { OperatorView } from '../operators/operator.ts';

export interface LocalJobOptions {
  /** Barrier handling: `exactly-once` aligns barriers (the default), `at-least-once` does not. */
  guarantee?: Guarantee;
  /** Planted bugs of the Flink engine to switch on, by name. */
  bugs?: readonly string[];
  /** Receives every trace event the tasks emit (`p` is `local`, `t` the processing time). */
  trace?: (e: TraceEvent) => void;
  /** Receives every side-output record that no edge of the job consumes. */
  onUnroutedSide?: (operator: string, tag: string, value: unknown, ts: number, task: { name: string; subtask: number; watermark: number }) => void;
  /** Callbacks one call may run before the job is taken to be looping (default 10 million). */
  maxSteps?: number;
}

/** A completed checkpoint of a local job: every task's snapshot, as plain JSON-able data. */
export interface LocalSnapshot {
  checkpoint: number;
  /**
   * The job's vertices (`name×parallelism`), so a snapshot is only restored
   * into the same job — at the same parallelism, or at another one for
   * keyed state (see `LocalJob.start`).
   */
  vertices: string[];
  tasks: Record<string, TaskSnapshot>;
  /** A repackaged snapshot (`LocalJob.repackage`): the snapshots it is made of (`tasks` is then empty). */
  parts?: LocalSnapshot[];
}

/** A task's restore: the snapshot it starts from, and with another parallelism every old subtask's and which keys it owns. */
interface TaskRestore {
  snap: TaskSnapshot;
  rescale?: { parts: TaskSnapshot[]; owns: (key: string) => boolean };
}

const vertexName = (v: string): string => v.slice(0, v.lastIndexOf('×'));
const vertexParallelism = (v: string): number => Number(v.slice(v.lastIndexOf('×') + 1));

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class LocalJobError extends Error {}

export class LocalJob {
  readonly plan: JobPlan;
  private clock = 0;
  private seq = 0;
  private traceSeq = 0;
  /** A binary heap of callbacks by (at, seq). */
  private readonly heap: Pending[] = [];
  private tasks = new Map<string, Task>();
  private readonly finished = new Set<string>();
  private attempt = -1;
  private nextCheckpoint = 1;
  private readonly acks = new Map<number, Record<string, TaskSnapshot>>();
  /** Checkpoints a task declined while they were being taken, with who and why. */
  private readonly declined = new Map<number, string>();
  private readonly ctx: ProcessContext;
  private readonly bugs: BugSwitches;
  private readonly settings: JobSettings;
  private readonly maxSteps: number;

  constructor(
    graph: JobGraph,
    private readonly opts: LocalJobOptions = {},
  ) {
    for (const b of opts.bugs ?? []) if (!(b in FLINK_BUGS)) throw new LocalJobError(`unknown planted bug of the Flink engine: ${b}`);
    this.plan = new JobPlan(graph, ['local']);
    this.bugs = new BugSwitches(opts.bugs ?? []);
    // One item per network buffer, sent at once: nothing waits for a buffer timeout.
    this.settings = { ...DEFAULT_SETTINGS, guarantee: opts.guarantee ?? 'exactly-once', bufferRecords: 1, bufferTimeoutMs: 0, checkpointIntervalMs: 0 };
    this.maxSteps = opts.maxSteps ?? 10_000_000;
    this.ctx = this.processContext();
  }

  /** The current processing time. */
  now(): number {
    return this.clock;
  }

  /** The earliest time a callback is scheduled for, or undefined when none is. */
  nextEventTime(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Deploys every task (from `snapshot` if given) and runs what is due now. */
  start(snapshot?: LocalSnapshot): void {
    if (snapshot) this.checkSnapshot(snapshot);
    const restores = snapshot ? this.restores(snapshot) : undefined;
    this.cancelAll();
    this.attempt++;
    this.heap.length = 0;
    this.finished.clear();
    const env = this.taskEnv(this.attempt, snapshot ? snapshot.checkpoint : -1);
    const created: Task[] = [];
    for (const pt of this.plan.tasks) {
      const task = new Task(env, pt.key, pt.vertexId, pt.subtask, this.plan.channelsOf(pt.vertexId, pt.subtask));
      this.tasks.set(pt.key, task);
      created.push(task);
    }
    for (const task of created) {
      const r = restores?.get(task.key);
      const snap = r?.snap;
      this.ctx.trace.emit('task.deploy', { task: task.name, attempt: this.attempt, restoredFrom: snap ? snapshot!.checkpoint : -1, stateHash: snap ? checksum(JSON.stringify(r?.rescale ? r : snap)) : '' });
      // A snapshot is restored from its own copy, as a task manager reads it from the store.
      const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
      task.start(snap ? copy(snap) : undefined, r?.rescale ? { parts: copy(r.rescale.parts), owns: r.rescale.owns } : undefined);
    }
    this.runDue();
  }

  /** Runs every callback due by now (deliveries included), until nothing is. */
  runDue(): void {
    this.runUntil(this.clock);
  }

  /** Moves processing time to `t` (not backwards), running every callback due by then in time order. */
  advanceTo(t: number): void {
    if (!Number.isSafeInteger(t)) throw new LocalJobError(`processing time must be an integer, got ${t}`);
    if (t < this.clock) throw new LocalJobError(`processing time cannot go back (from ${this.clock} to ${t})`);
    this.runUntil(t);
    this.clock = t;
  }

  private runUntil(t: number): void {
    let steps = 0;
    while (this.heap.length > 0 && this.heap[0]!.at <= t) {
      const p = this.pop();
      if (p.cancelled) continue;
      if (p.at > this.clock) this.clock = p.at;
      if (++steps > this.maxSteps) throw new LocalJobError(`more than ${this.maxSteps} steps at processing time ${this.clock}: the job does not settle`);
      p.fn();
    }
  }

  /** True once every task has ended its input. */
  get isFinished(): boolean {
    return this.tasks.size > 0 && this.finished.size === this.tasks.size;
  }

  /** Task keys (`vertex.subtask`) of the tasks that have not finished. */
  unfinished(): string[] {
    return [...this.tasks.keys()].filter((k) => !this.finished.has(k));
  }

  /** The task running subtask `subtask` of the vertex whose chain holds node `nodeId`. */
  taskOfNode(nodeId: number, subtask: number): Task {
    const v = this.plan.vertexOfNode(nodeId);
    const t = this.tasks.get(`${v.id}.${subtask}`);
    if (!t) throw new LocalJobError(`no subtask ${subtask} of ${v.name}`);
    return t;
  }

  /** What every operator of every task shows of itself, in task order. */
  inspect(): { task: string; subtask: number; operator: string; view: Partial<OperatorView> }[] {
    const out: { task: string; subtask: number; operator: string; view: Partial<OperatorView> }[] = [];
    for (const t of this.tasks.values()) for (const o of t.inspect()) out.push({ task: t.name, subtask: t.subtask, ...o });
    return out;
  }

  /**
   * Takes a checkpoint: barriers from every source (and every finished
   * task), aligned or not as the guarantee says, then every task's
   * snapshot. Returns it once complete; the tasks are told it completed.
   */
  checkpoint(): LocalSnapshot {
    const id = this.nextCheckpoint++;
    this.acks.set(id, {});
    for (const pt of this.plan.tasks) {
      const t = this.tasks.get(pt.key)!;
      if (pt.isSource || t.isFinished) t.triggerCheckpoint(id);
    }
    this.runDue();
    const acked = this.acks.get(id)!;
    this.acks.delete(id);
    const declined = this.declined.get(id);
    this.declined.delete(id);
    if (declined !== undefined) throw new LocalJobError(`checkpoint ${id} did not complete: ${declined}`);
    const missing = [...this.tasks.values()].filter((t) => acked[t.key] === undefined).map((t) => t.name);
    if (missing.length > 0) throw new LocalJobError(`checkpoint ${id} did not complete: no snapshot from ${missing.join(', ')}`);
    for (const t of this.tasks.values()) t.notifyCheckpointComplete(id);
    this.runDue();
    return { checkpoint: id, vertices: this.vertexNames(), tasks: acked };
  }

  /** Replaces every task by a fresh one restored from `snapshot` (a job restart); processing time goes on. */
  restore(snapshot: LocalSnapshot): void {
    this.start(snapshot);
  }

  private vertexNames(): string[] {
    return this.plan.vertices.map((v) => `${v.name}×${v.parallelism}`);
  }

  private checkSnapshot(s: LocalSnapshot): void {
    const here = this.vertexNames();
    if (JSON.stringify(s.vertices.map(vertexName)) !== JSON.stringify(here.map(vertexName))) {
      throw new LocalJobError(`the snapshot is of another job (vertices ${s.vertices.join(', ')}; this job has ${here.join(', ')})`);
    }
  }

  /**
   * Several snapshots of the same job as one (Flink's
   * `AbstractStreamOperatorTestHarness.repackageState`): restored, every
   * keyed subtask takes the keys of its key-group range from all of them;
   * a task that is not keyed restores from the first one that has it.
   */
  static repackage(snapshots: LocalSnapshot[]): LocalSnapshot {
    const parts = snapshots.flatMap((s) => s.parts ?? [s]);
    if (parts.length === 0) throw new LocalJobError('nothing to repackage');
    const names = JSON.stringify(parts[0]!.vertices.map(vertexName));
    for (const p of parts) {
      if (JSON.stringify(p.vertices.map(vertexName)) !== names) throw new LocalJobError(`snapshots of different jobs cannot be repackaged (${p.vertices.join(', ')}; ${parts[0]!.vertices.join(', ')})`);
    }
    return { checkpoint: Math.max(...parts.map((p) => p.checkpoint)), vertices: parts[0]!.vertices.slice(), tasks: {}, parts };
  }

  /**
   * What each task restores. A vertex at the snapshot's parallelism (and a
   * snapshot not repackaged) restores task by task. Otherwise a keyed
   * vertex's subtask i restores from every old subtask of it, keeping the
   * keys whose key group is in i's range (Flink's KeyGroupRange), with the
   * watermarks of the old subtask that had the lowest; a vertex that is not
   * keyed restores subtask by subtask from the first part at its
   * parallelism, or fails if it has state and none is.
   */
  private restores(s: LocalSnapshot): Map<string, TaskRestore> {
    const out = new Map<string, TaskRestore>();
    const parts = s.parts ?? [s];
    const graph = this.plan.graph;
    for (const pt of this.plan.tasks) {
      const v = this.plan.vertices[pt.vertexId]!;
      if (s.parts === undefined && vertexParallelism(s.vertices[v.id]!) === v.parallelism) {
        const snap = s.tasks[pt.key];
        if (snap) out.set(pt.key, { snap });
        continue;
      }
      const old = parts.flatMap((p) =>
        Object.entries(p.tasks)
          .filter(([k]) => k.startsWith(`${v.id}.`))
          .sort(([a], [b]) => Number(a.slice(a.indexOf('.') + 1)) - Number(b.slice(b.indexOf('.') + 1)))
          .map(([, t]) => t),
      );
      if (old.length === 0) continue;
      if (old.some((t) => (t.inFlight?.length ?? 0) > 0)) throw new LocalJobError(`${v.name}: records in flight at an unaligned checkpoint cannot be restored into another parallelism`);
      const keyed = v.nodes.some((n) => graph.nodes[n]?.keyed === true);
      if (!keyed) {
        const same = parts.find((p) => vertexParallelism(p.vertices[v.id]!) === v.parallelism)?.tasks[pt.key];
        if (same) out.set(pt.key, { snap: same });
        else if (old.some((t) => t.ops.some((o) => o !== undefined))) throw new LocalJobError(`${v.name} is not keyed and keeps state: it cannot be restored into another parallelism`);
        continue;
      }
      const maxP = graph.maxParallelism;
      const range = keyGroupRange(pt.subtask, v.parallelism, maxP);
      const owns = (key: string): boolean => {
        const g = keyGroupForKey(key, maxP);
        return g >= range.first && g <= range.last;
      };
      const base = old.reduce((a, b) => (b.watermark < a.watermark ? b : a));
      out.set(pt.key, { snap: base, rescale: { parts: old, owns } });
    }
    return out;
  }

  private cancelAll(): void {
    for (const t of this.tasks.values()) t.cancel();
    this.tasks = new Map();
  }

  private schedule(delayMs: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.clock + delayMs, seq: this.seq++, fn, cancelled: false };
    this.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }

  private deliver(msg: DataMessage): void {
    this.schedule(0, () => {
      if (msg.attempt !== this.attempt) return;
      this.tasks.get(msg.task)?.onData(msg.ch, msg.seq, msg.items);
    });
  }

  private taskEnv(attempt: number, restoredCheckpoint: number): TaskEnv {
    const job = this;
    const log = new LogClient(this.ctx, 'broker');
    return {
      ctx: this.ctx,
      log,
      // No broker: nothing is ever written, so the producer is the same client and nothing is held.
      producer: () => log,
      holdProducer: () => () => {},
      bugs: this.bugs,
      settings: this.settings,
      graph: this.plan.graph,
      vertices: this.plan.vertices,
      attempt,
      restoredCheckpoint,
      writerFor(edge: GraphEdge, fromSubtask: number, onFirstBuffered: () => void, onSent: OnSent): EdgeWriter {
        return new EdgeWriter(edge, job.plan.targetsOf(edge, fromSubtask), attempt, job.settings.bufferRecords, (msg) => job.deliver(msg), onFirstBuffered, onSent, job.settings.bufferTimeoutMs === 0);
      },
      failTask(task: Task, reason: string): void {
        throw new LocalJobError(`${task.name} failed: ${reason}`);
      },
      reportFinished(task: Task): void {
        if (attempt === job.attempt) job.finished.add(task.key);
      },
      ackCheckpoint(task: Task, id: number, snap: TaskSnapshot): void {
        const acked = job.acks.get(id);
        if (acked && attempt === job.attempt) acked[task.key] = JSON.parse(JSON.stringify(snap)) as TaskSnapshot;
      },
      declineCheckpoint(task: Task, id: number, reason: string): void {
        if (attempt === job.attempt && job.acks.has(id)) job.declined.set(id, `${task.name} declined it: ${reason}`);
      },
      unroutedSide(task: Task, operator: string, tag: string, value: unknown, ts: number): void {
        job.opts.onUnroutedSide?.(operator, tag, value, ts, { name: task.name, subtask: task.subtask, watermark: task.currentWatermark });
      },
    };
  }

  private processContext(): ProcessContext {
    const job = this;
    const trace = this.opts.trace;
    const tracer: Tracer = {
      detailed: trace !== undefined,
      wants: () => trace !== undefined,
      emit(kind: string, fields?: TraceFields): void {
        if (trace) trace({ seq: job.traceSeq++, t: job.clock, p: 'local', kind, ...fields });
      },
    };
    const clock: Clock = { now: () => job.clock };
    const timers: Timers = { after: (delayMs, fn) => job.schedule(delayMs, fn) };
    const noProcess = (to: ProcessId): never => {
      throw new LocalJobError(`a test harness has no ${to === 'broker' ? 'log broker' : `process ${to}`}: read from scripts or harness inputs, and collect with harness sinks, instead of fromLog and sinkTo`);
    };
    const net: Network = { send: noProcess, sendReliable: noProcess };
    const refuse = (): never => {
      throw new LocalJobError('a test harness has no disk');
    };
    const disk: Disk = { write: refuse, append: refuse, fsync: refuse, rename: refuse, read: () => undefined, list: () => [], delete: refuse, appendFrame: refuse, writeFrames: refuse, readFrames: () => undefined };
    return { id: 'local', incarnation: 0, clock, timers, net, disk, trace: tracer, buggify: () => false };
  }

  private push(p: Pending): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Pending {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
