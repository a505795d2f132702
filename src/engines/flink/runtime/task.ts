/**
 * One running subtask of one vertex (a chain of operators) in one job
 * attempt: Flink's StreamTask with its input gate, watermark valve, barrier
 * handler and record writers.
 *
 * Input: items arrive per channel and are queued; a channel blocked by
 * barrier alignment keeps its queue until the alignment ends, every other
 * channel is drained at once, in order. Records go to the head operator
 * (after its key is set), watermarks through the valve (min over channels),
 * barriers through the aligner.
 *
 * Invariants: the task's watermark never goes backwards within an attempt
 * (asserted where it is emitted); a snapshot is taken exactly once per
 * checkpoint, between the records before and after the barrier; nothing is
 * processed before the task has restored its state.
 */
import { assert } from '../assert.ts';
import { cloneJson } from '../../../stream/plain-data.ts';
import type { GraphNode } from '../graph.ts';
import type { Output, OperatorContext, OperatorView, StreamOperator } from '../operators/operator.ts';
import { KeyedStateBackend } from '../state/backend.ts';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../../stream/watermark.ts';
import { taskInputs, type TaskInputs } from '../time/inputs.ts';
import type { TraceFields } from '../../../runtime/types.ts';
import { BarrierAligner, type AlignmentMode } from './aligner.ts';
import { BARRIER, CANCEL, END, IDLE, WATERMARK } from './items.ts';
import { EdgeWriter, type InputChannel, type OnSent } from './writer.ts';
import type { TaskEnv } from './task-env.ts';

interface OpInstance {
  node: GraphNode;
  op: StreamOperator;
  out: Output;
  /** Where the main output goes. */
  main: Targets;
  /** Where each side output goes, by tag. */
  side: Map<string, Targets>;
  /** The main targets, then each side output's: where watermarks and idleness go (set once the chain is built). */
  all: Targets[];
  /** The operator marked its output idle (and has not marked it active since). */
  outputIdle: boolean;
}

/** The receivers of one output: operators chained in this task, and network edges. */
interface Targets {
  chained: OpInstance[];
  writers: EdgeWriter[];
}

interface QueuedChannel {
  /** The sequence number the next message on this channel must carry. */
  expectedSeq: number;
  queue: unknown[][];
  pos: number;
  ended: boolean;
}

export interface TaskSnapshot {
  ops: unknown[];
  valve: unknown;
  watermark: number;
  /**
   * Unaligned checkpoints: the records that arrived on each input channel
   * after the snapshot and before that channel's barrier, as
   * `[channel, value, timestamp]` in arrival order. A restored task
   * processes them before anything else.
   */
  inFlight?: [number, unknown, number][];
}

/** An unaligned checkpoint under way: its snapshot is taken, its in-flight records are still being collected. */
interface PendingUnaligned {
  id: number;
  inFlight: [number, unknown, number][];
  /** Acknowledges the checkpoint once the in-flight records are complete (and the operators' snapshots are done). */
  complete: () => void;
}

/** Flink's SubtaskCheckpointCoordinatorImpl remembers at most this many aborted checkpoints a task has not reached. */
const MAX_ABORTED_IDS = 128;

/** The reason a task's `checkpoint.abort` gives when it skips a checkpoint the coordinator aborted before the task reached it. */
export const SKIPPED_ABORTED = 'the coordinator aborted it before this task reached it';

export class Task {
  readonly name: string;
  private ops: OpInstance[] = [];
  private readonly channels: QueuedChannel[];
  /** The valve (two, combined, for a two-input head) over the input channels. */
  private readonly valve: TaskInputs | undefined;
  /** A two-input task's input (0 or 1) per channel, traced with its channels' watermarks; undefined for one input. */
  private readonly inputOf: readonly number[] | undefined;
  private readonly aligner: BarrierAligner;
  private watermark = MIN_WATERMARK;
  private started = false;
  private cancelled = false;
  private finished = false;
  private flushScheduled = false;
  private readonly writers: EdgeWriter[] = [];
  private draining = false;
  private unaligned: PendingUnaligned | undefined;
  /** The newest checkpoint this task reached or gave up (Flink's `lastCheckpointId` in SubtaskCheckpointCoordinatorImpl). */
  private lastCheckpointId = -1;
  /** Checkpoints the coordinator aborted before this task reached them, oldest first (Flink keeps at most 128). */
  private readonly abortedIds = new Set<number>();
  /** Planted bug `idle-not-chained`: idleness reaches the writers but not the chained operators. */
  readonly idleStopsAtChain: boolean;

  constructor(
    private readonly env: TaskEnv,
    readonly key: string,
    readonly vertexId: number,
    readonly subtask: number,
    private readonly inputs: InputChannel[],
  ) {
    const v = env.vertices[vertexId]!;
    this.name = `${v.name}[${subtask}]`;
    this.idleStopsAtChain = env.bugs.has('idle-not-chained');
    this.channels = inputs.map(() => ({ expectedSeq: 0, queue: [], pos: 0, ended: false }));
    const inputOf = inputs.map((c) => c.edge.input);
    this.valve = taskInputs(inputOf);
    if (inputOf.some((i) => i !== 0)) this.inputOf = inputOf;
    this.aligner = new BarrierAligner(inputs.length, alignmentMode(env), { keepBlockedOnNewer: env.bugs.has('newer-barrier-keeps-blocked') });
    this.buildChain(v.nodes);
  }

  private buildChain(nodeIds: readonly number[]): void {
    const byNode = new Map<number, OpInstance>();
    for (const id of nodeIds) {
      const node = this.env.graph.nodes[id]!;
      const inst: OpInstance = { node, op: node.create(), out: undefined as unknown as Output, main: { chained: [], writers: [] }, side: new Map(), all: [], outputIdle: false };
      byNode.set(id, inst);
      this.ops.push(inst);
    }
    for (const inst of this.ops) {
      for (const e of inst.node.outputs) {
        const targets = e.sideTag !== undefined ? this.sideTargets(inst, e.sideTag) : inst.main;
        if (this.env.graph.isChained(e)) targets.chained.push(byNode.get(e.to)!);
        else {
          const w = this.env.writerFor(e, this.subtask, () => this.scheduleFlush(), this.onSent);
          targets.writers.push(w);
          this.writers.push(w);
        }
      }
      inst.all = [inst.main, ...inst.side.values()];
      inst.out = this.makeOutput(inst);
    }
  }

  private sideTargets(inst: OpInstance, tag: string): Targets {
    let s = inst.side.get(tag);
    if (!s) inst.side.set(tag, (s = { chained: [], writers: [] }));
    return s;
  }

  private makeOutput(inst: OpInstance): Output {
    const task = this;
    const toTargets = (t: Targets, value: unknown, ts: number): void => {
      for (const c of t.chained) c.op.processElement(value, ts, 0);
      for (const w of t.writers) w.record(value, ts);
    };
    return {
      collect(value, ts) {
        toTargets(inst.main, value, ts);
      },
      side(tag, value, ts) {
        const t = inst.side.get(tag);
        if (t) toTargets(t, value, ts);
        else task.env.unroutedSide?.(task, inst.node.name, tag, value, ts);
      },
      emitWatermark(wm) {
        // As Flink's WatermarkToDataOutput: a watermark from an idle output first marks it active,
        // or downstream valves would ignore it (the final watermark of a source that went idle).
        if (inst.outputIdle) this.emitIdle(false);
        if (inst === task.ops[0] && inst.node.isSource) task.advanceOwnWatermark(wm);
        // Watermarks go to every output, side outputs included (Flink broadcasts them the same way).
        for (const t of inst.all) {
          for (const c of t.chained) task.watermarkInto(c, wm);
          for (const w of t.writers) w.watermark(wm);
        }
      },
      emitIdle(idle) {
        // Idleness travels as watermarks do: to the writers and through the chained operators
        // (Flink forwards a WatermarkStatus down the operator chain).
        if (inst.outputIdle === idle) return;
        inst.outputIdle = idle;
        // The task's own status (its head operator's output): traced for the replay's dataflow.
        if (inst === task.ops[0]) task.env.ctx.trace.emit('task.idle', { task: task.name, attempt: task.env.attempt, idle });
        const chainIdle = !task.idleStopsAtChain;
        for (const t of inst.all) {
          if (chainIdle) for (const c of t.chained) if (c.op.ignoresInputIdleness !== true) c.out.emitIdle(idle);
          for (const w of t.writers) w.idle(idle);
        }
      },
    };
  }

  private watermarkInto(inst: OpInstance, wm: number): void {
    if (inst.op.processWatermark) inst.op.processWatermark(wm);
    else inst.out.emitWatermark(wm);
  }

  private advanceOwnWatermark(wm: number): void {
    // Checked before the message is built: this runs for every watermark a source task emits.
    if (wm < this.watermark) assert(false, `${this.name}: watermark went back from ${this.watermark} to ${wm}`);
    if (wm === this.watermark) return;
    this.watermark = wm;
    this.env.ctx.trace.emit('watermark', { task: this.name, attempt: this.env.attempt, ch: -1, wm });
  }

  /**
   * Opens the operators, restores `snap` if given, and starts processing.
   * With `rescale`, `snap` is the old subtask whose watermarks are restored
   * (the input channels' only when their number is unchanged) and the
   * operators restore from every old subtask's state in `rescale.parts`,
   * keeping the keys `rescale.owns` gives this subtask (see
   * `StreamOperator.rescaleState`).
   */
  start(snap: TaskSnapshot | undefined, rescale?: { parts: TaskSnapshot[]; owns: (key: string) => boolean }): void {
    for (const inst of this.ops) inst.op.open(this.operatorContext(inst), inst.out);
    if (snap) this.restore(snap, rescale);
    this.started = true;
    for (const inst of this.ops) inst.op.run?.();
    // Unaligned checkpoints: the records that were in flight at the restored checkpoint come first.
    for (const [ch, value, ts] of snap?.inFlight ?? []) if (!this.cancelled) this.onRecord(ch, value, ts);
    for (let ch = 0; ch < this.channels.length; ch++) this.drain(ch);
  }

  private restore(snap: TaskSnapshot, rescale?: { parts: TaskSnapshot[]; owns: (key: string) => boolean }): void {
    this.ops.forEach((inst, i) => {
      if (!rescale) {
        if (snap.ops[i] !== undefined) inst.op.restoreState?.(snap.ops[i]);
        return;
      }
      const states = rescale.parts.map((p) => p.ops[i]).filter((s) => s !== undefined);
      if (states.length === 0) return;
      if (inst.op.rescaleState) inst.op.rescaleState(states, rescale.owns);
      else if (inst.op.restoreState) throw new Error(`${this.name}: operator ${i} keeps state that cannot be restored into another parallelism`);
    });
    if (this.env.bugs.has('watermark-not-checkpointed')) return;
    // The input channels' watermarks come back only onto the same channels (a rescale may change them).
    if (this.valve && snap.valve !== undefined) this.valve.restore(snap.valve);
    this.watermark = snap.watermark;
    // An idle valve means this task had marked its output idle before the snapshot (downstream
    // restores that too); its outputs start idle again, so the next watermark marks them active.
    if (this.valve?.isIdle()) this.ops[0]!.out.emitIdle(true);
    // The restored watermarks are traced, so a checker knows where this attempt starts from.
    const trace = this.env.ctx.trace;
    const attempt = this.env.attempt;
    const valve = this.valve;
    valve?.channelWatermarks().forEach((wm, ch) => {
      const e = this.channelEvent(ch);
      e.wm = wm;
      e.restored = true;
      e.restoredIdle = valve.isChannelIdle(ch);
      trace.emit('watermark', e);
    });
    trace.emit('watermark', { task: this.name, attempt, ch: -1, wm: this.watermark, restored: true });
  }

  private operatorContext(inst: OpInstance): OperatorContext {
    const env = this.env;
    const state = inst.node.keyed ? new KeyedStateBackend(() => env.ctx.clock.now(), { ttlReturnsExpired: env.bugs.has('ttl-returns-expired') }) : undefined;
    return {
      taskName: this.name,
      operatorName: inst.node.name,
      subtask: this.subtask,
      parallelism: inst.node.parallelism,
      attempt: env.attempt,
      restoredCheckpoint: env.restoredCheckpoint,
      instance: `${env.ctx.id}#${env.ctx.incarnation}/a${env.attempt}`,
      state,
      now: () => env.ctx.clock.now(),
      trace: env.ctx.trace,
      bugs: env.bugs,
      log: env.log,
      // A method, not a getter: an accessor in this literal made every operator's context slower to read (~11% of a bank run's instructions).
      producer: () => env.producer(),
      holdProducer: () => env.holdProducer(),
      after: (ms, fn) => {
        env.ctx.timers.after(ms, () => {
          if (!this.cancelled) fn();
        });
      },
      currentWatermark: () => this.watermark,
      checkpointGuarantee: env.settings.guarantee,
      finishSource: () => this.finishSource(),
      fail: (reason) => this.fail(reason),
      buggify: (site) => env.ctx.buggify(site),
    };
  }

  /** Items for channel `ch` arrived. */
  onData(ch: number, seq: number, items: unknown[]): void {
    if (this.cancelled) return;
    const c = this.channels[ch]!;
    if (seq !== c.expectedSeq) return this.fail(`channel ${ch} lost data (message ${c.expectedSeq} missing, got ${seq})`);
    c.expectedSeq++;
    c.queue.push(items);
    if (this.started) this.drain(ch);
  }

  private drain(ch: number): void {
    const c = this.channels[ch]!;
    while (c.queue.length > 0 && !this.cancelled) {
      if (this.aligner.isBlocked(ch)) return;
      const items = c.queue[0]!;
      const a = items[c.pos]!;
      const b = items[c.pos + 1] as number;
      c.pos += 2;
      if (c.pos >= items.length) {
        c.queue.shift();
        c.pos = 0;
      }
      this.onItem(ch, a, b);
    }
  }

  private onItem(ch: number, a: unknown, b: number): void {
    if (a === WATERMARK) this.onWatermark(ch, b);
    else if (a === IDLE) this.onIdle(ch, b === 1);
    else if (a === BARRIER) this.onBarrier(ch, b);
    else if (a === CANCEL) this.onCancel(ch, b);
    else if (a === END) this.onEnd(ch);
    else this.onRecord(ch, a, b);
  }

  private onRecord(ch: number, value: unknown, ts: number): void {
    // Unaligned: a record behind the snapshot but ahead of its channel's barrier is in flight for the checkpoint.
    if (this.unaligned && this.aligner.isAwaiting(ch) && !this.env.bugs.has('unaligned-drops-in-flight')) {
      this.unaligned.inFlight.push([ch, value, ts]);
    }
    const c = this.inputs[ch]!;
    const head = this.ops[0]!;
    if (c.edge.key && head.op.setCurrentKey) head.op.setCurrentKey(c.edge.key(value));
    head.op.processElement(value, ts, c.edge.input);
  }

  private onWatermark(ch: number, wm: number): void {
    const e = this.channelEvent(ch);
    e.wm = wm;
    this.env.ctx.trace.emit('watermark', e);
    const valve = this.valve!;
    if (this.env.bugs.has('watermark-max')) return this.maxWatermark(ch, wm);
    valve.watermark(ch, wm, this.advanceFromInputs);
  }

  /** The fields a channel's watermark event starts with: task, attempt, channel, and a two-input task's input. */
  private channelEvent(ch: number): TraceFields {
    const e: TraceFields = { task: this.name, attempt: this.env.attempt, ch };
    if (this.inputOf !== undefined) e.input = this.inputOf[ch];
    return e;
  }

  /** A combined watermark from the inputs: the task's, if it rises. */
  private readonly advanceFromInputs = (wm: number): void => {
    if (wm > this.watermark) this.emitTaskWatermark(wm);
  };

  private maxWatermark(ch: number, wm: number): void {
    this.valve!.watermark(ch, wm, () => {});
    const max = Math.max(...this.valve!.channelWatermarks());
    if (max > this.watermark) this.emitTaskWatermark(max);
  }

  /**
   * An input channel went idle or active. As Flink's StatusWatermarkValve: when the last
   * active channel goes idle the task first flushes the max watermark over its channels
   * (the valve returns it) and then marks its own output idle; when a channel comes back,
   * the output is active again (a watermark it lets through would mark it so first). A
   * two-input task does so per input, and its output is idle when both inputs are.
   */
  private onIdle(ch: number, idle: boolean): void {
    const e = this.channelEvent(ch);
    e.idle = idle;
    this.env.ctx.trace.emit('watermark', e);
    const valve = this.valve!;
    const wasIdle = valve.isIdle();
    valve.idleness(ch, idle, this.advanceFromInputs);
    const head = this.ops[0]!;
    if (valve.isIdle() !== wasIdle && head.op.ignoresInputIdleness !== true) head.out.emitIdle(valve.isIdle());
  }

  private emitTaskWatermark(wm: number): void {
    this.advanceOwnWatermark(wm);
    this.watermarkInto(this.ops[0]!, wm);
  }

  private onBarrier(ch: number, id: number): void {
    this.env.ctx.trace.emit('barrier.receive', { task: this.name, attempt: this.env.attempt, ch, checkpoint: id });
    const r = this.aligner.onBarrier(ch, id);
    if (r.abandoned !== undefined) this.abandon(r.abandoned, 'newer barrier during alignment', r.silent === true);
    if (this.aligner.mode === 'unaligned') {
      if (r.started !== undefined) this.startUnaligned(r.started);
      if (r.aligned !== undefined) this.finishUnaligned(r.aligned);
    } else if (r.aligned !== undefined) this.alignedBarrier(r.aligned);
    // The channels the alignment held (or the aborted one held) may have items queued.
    if (r.abandoned !== undefined || r.aligned !== undefined) this.drainOthers(ch);
  }

  /** A cancellation marker: the sender aborted checkpoint `id` and will send no barrier of it. */
  private onCancel(ch: number, id: number): void {
    this.env.ctx.trace.emit('barrier.cancel', { task: this.name, attempt: this.env.attempt, ch, checkpoint: id });
    const r = this.aligner.onCancel(ch, id);
    if (r.abandoned !== undefined) this.abandon(r.abandoned, `cancellation barrier of checkpoint ${id}`, r.silent === true);
    if (r.cancelled === undefined) return;
    this.abandon(r.cancelled, 'cancellation barrier', false);
    this.drainOthers(ch);
  }

  /**
   * The task gives up checkpoint `id` (Flink's abortCheckpointOnBarrier):
   * unless `silent`, it declines the checkpoint to the coordinator and tells
   * every receiver not to wait for its barrier of `id`.
   */
  private abandon(id: number, reason: string, silent: boolean): void {
    this.env.ctx.trace.emit('checkpoint.abort', { task: this.name, attempt: this.env.attempt, checkpoint: id, reason });
    this.passCheckpoint(id);
    if (this.unaligned !== undefined && this.unaligned.id <= id) this.unaligned = undefined;
    if (silent) return;
    this.env.declineCheckpoint(this, id, reason);
    if (!this.finished) for (const w of this.writers) w.cancel(id);
  }

  /** Unaligned: the first barrier of `id` is in; snapshot now and forward the barrier at once. */
  private startUnaligned(id: number): void {
    if (!this.reachCheckpoint(id)) return;
    const inFlight: [number, unknown, number][] = [];
    // Records are processed (and collected) only after this barrier is handled, so the order here is free.
    this.unaligned = { id, inFlight, complete: this.snapshotAndForward(id, () => inFlight) };
  }

  /** Unaligned: the last barrier of `id` is in; its in-flight records are complete. */
  private finishUnaligned(id: number): void {
    const pending = this.unaligned;
    if (pending === undefined || pending.id !== id) return;
    this.unaligned = undefined;
    this.env.ctx.trace.emit('barrier.align', { task: this.name, attempt: this.env.attempt, checkpoint: id, unaligned: true, inFlight: pending.inFlight.length });
    pending.complete();
  }

  private alignedBarrier(id: number): void {
    this.env.ctx.trace.emit('barrier.align', { task: this.name, attempt: this.env.attempt, checkpoint: id });
    if (this.reachCheckpoint(id)) this.snapshotAndForward(id);
  }

  /** The task is done with every checkpoint up to `id` (Flink's abortCheckpointOnBarrier moves `lastCheckpointId` so): older aborted ids are forgotten. */
  private passCheckpoint(id: number): void {
    if (id <= this.lastCheckpointId) return;
    this.lastCheckpointId = id;
    for (const a of this.abortedIds) if (a < id) this.abortedIds.delete(a);
  }

  /**
   * The task reached checkpoint `id`: its barriers are in, or the coordinator
   * triggered this source (Flink's `checkpointState`). False when the
   * coordinator had already aborted it: the task skips it, taking no
   * snapshot, and sends a cancellation marker where the barrier would go, so
   * its receivers stop waiting for that barrier.
   */
  private reachCheckpoint(id: number): boolean {
    this.passCheckpoint(id);
    if (!this.abortedIds.delete(id)) return true;
    this.env.ctx.trace.emit('checkpoint.abort', { task: this.name, attempt: this.env.attempt, checkpoint: id, reason: SKIPPED_ABORTED });
    if (!this.finished) for (const w of this.writers) w.cancel(id);
    return false;
  }

  /**
   * The coordinator aborted checkpoint `id` (Flink's notifyCheckpointAborted):
   * if this task has not reached it yet, it remembers to skip it. A task past
   * it changes nothing: its snapshot's acknowledgement is ignored.
   */
  notifyCheckpointAborted(id: number): void {
    if (this.cancelled || id <= this.lastCheckpointId) return;
    this.abortedIds.add(id);
    if (this.abortedIds.size > MAX_ABORTED_IDS) this.abortedIds.delete(this.abortedIds.values().next().value!);
  }

  /**
   * After an alignment ends (or is abandoned), the channels it blocked may hold
   * queued items. Draining them can complete the next alignment and call this
   * again; the flag keeps that inner call from starting a second pass, since
   * the outer loop visits every channel anyway.
   */
  private drainOthers(except: number): void {
    if (this.draining) return;
    this.draining = true;
    for (let c = 0; c < this.channels.length; c++) if (c !== except) this.drain(c);
    this.draining = false;
  }

  private onEnd(ch: number): void {
    this.channels[ch]!.ended = true;
    const r = this.aligner.onEnd(ch);
    if (r.aligned !== undefined) {
      if (this.aligner.mode === 'unaligned') this.finishUnaligned(r.aligned);
      else this.alignedBarrier(r.aligned);
      this.drainOthers(ch);
    }
    if (this.channels.every((c) => c.ended)) this.endOfInput();
  }

  /**
   * A source read all its input: the final watermark, then end of output. A source restored as
   * finished (its restored watermark already the final one) sends the final watermark again, as
   * Flink's `StreamTaskFinishedOnRestoreSourceInput` does: a downstream task restored from an
   * unaligned snapshot taken before that watermark reached it would otherwise wait for it for good.
   */
  private finishSource(): void {
    this.ops[0]!.out.emitWatermark(MAX_WATERMARK);
    this.endOfInput();
  }

  private endOfInput(): void {
    if (this.finished) return;
    this.finished = true;
    for (const inst of this.ops) inst.op.endInput?.();
    for (const w of this.writers) w.end();
    this.env.reportFinished(this);
  }

  /** Sources: the coordinator triggered checkpoint `id`. */
  triggerCheckpoint(id: number): void {
    if (this.cancelled) return;
    // A task still restoring cannot snapshot (Flink declines as not ready, and sends a cancellation marker).
    if (!this.started) return this.abandon(id, 'task not ready', false);
    // A finished task has no barrier to wait for: it snapshots at once (Flink's
    // checkpoints after tasks finished, FLIP-147), so sinks can commit their tail.
    if (this.reachCheckpoint(id)) this.snapshotAndForward(id);
  }

  /**
   * Snapshots every operator and forwards barrier `id`. With `inFlight`
   * (unaligned), the acknowledgement also waits for the returned callback,
   * called once the in-flight records are complete.
   */
  private snapshotAndForward(id: number, inFlight?: () => [number, unknown, number][]): () => void {
    let pending = inFlight ? 2 : 1;
    const ops: unknown[] = [];
    // Everything is captured now, at the barrier: a sink finishing its part later must not
    // let watermarks that arrive meanwhile into the snapshot.
    const valve = this.valve?.snapshot();
    const watermark = this.watermark;
    const done = (): void => {
      pending--;
      if (pending > 0) return;
      // An asynchronous operator's part is final only now (a sink fills in what its flush learnt).
      this.ops.forEach((inst, i) => {
        if (inst.op.asyncSnapshot) ops[i] = cloneJson(ops[i]);
      });
      const snap: TaskSnapshot = { ops, valve, watermark };
      // In-flight records are values the task processes and passes on: the snapshot keeps its own copies.
      if (inFlight) snap.inFlight = cloneJson(inFlight());
      this.env.ackCheckpoint(this, id, snap);
    };
    for (const inst of this.ops) {
      if (inst.op.asyncSnapshot) pending++;
      // A synchronous operator's part is copied here, at the barrier: it may hand out live structures (see StreamOperator).
      const part = inst.op.snapshotState ? inst.op.snapshotState(id, done) : undefined;
      ops.push(inst.op.asyncSnapshot ? part : cloneJson(part));
    }
    this.env.ctx.trace.emit('barrier.inject', { task: this.name, attempt: this.env.attempt, checkpoint: id });
    if (!this.finished) for (const w of this.writers) w.barrier(id);
    done();
    return done;
  }

  notifyCheckpointComplete(id: number): void {
    if (this.cancelled) return;
    for (const inst of this.ops) inst.op.notifyCheckpointComplete?.(id);
  }

  /**
   * Traces each network buffer this task sends (`buffer.send`): to which task and channel, how
   * many records it held, and why it went now: `full`, `timeout` (the buffer timeout ran out) or
   * the marker that flushed it (`barrier` and `cancel` with the checkpoint, `end`).
   */
  private readonly onSent: OnSent = (to, records, reason, checkpoint) => {
    const trace = this.env.ctx.trace;
    trace.emit('buffer.send', trace.wants('buffer.send') ? { task: this.name, attempt: this.env.attempt, to: to.name, ch: to.ch, records, reason, checkpoint } : undefined);
  };

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.env.ctx.timers.after(this.env.settings.bufferTimeoutMs, () => {
      this.flushScheduled = false;
      if (!this.cancelled) for (const w of this.writers) w.flush();
    });
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const inst of this.ops) inst.op.close?.();
  }

  /**
   * The task cannot go on (lost data, an operator's failure): it stops as a cancelled one does, its
   * operators closed (a two-phase sink aborts its open transaction), and then reports the failure, as
   * Flink's `Task` cleans up its invokable before it reports FAILED. Once only.
   */
  fail(reason: string): void {
    if (this.cancelled) return;
    this.cancel();
    this.env.failTask(this, reason);
  }

  /** What each operator of the chain shows of itself (`StreamOperator.inspect`), head first. */
  inspect(): { operator: string; view: Partial<OperatorView> }[] {
    return this.ops.map((inst) => ({ operator: inst.node.name, view: inst.op.inspect?.() ?? {} }));
  }

  /** The task's current watermark (its input's, or a source's own). */
  get currentWatermark(): number {
    return this.watermark;
  }

  get isFinished(): boolean {
    return this.finished;
  }
}

function alignmentMode(env: TaskEnv): AlignmentMode {
  if (env.settings.guarantee !== 'exactly-once' || env.bugs.has('no-alignment')) return 'none';
  return env.settings.unalignedCheckpoints ? 'unaligned' : 'aligned';
}
