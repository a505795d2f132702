/**
 * The index over a recorded trace that makes every step of a replay cheap,
 * backwards as much as forwards.
 *
 * Built in one pass: the replay state is folded over the events and copied
 * every `every` events (copies are small: the state is bounded), so the
 * state at step i is the nearest copy at or before i plus fewer than `every`
 * applications — the same cost in either direction. The pass also records
 * where the events of each kind are (for the filtered event log), the steps
 * worth jumping to (checkpoints, faults, watermark changes), the watermark
 * that decides lateness over time (for the plot), and the dataflow.
 *
 * Step i means "after applying events 0..i"; the cursor sits on event i.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { applyEvent } from './apply.ts';
import { isFaultEvent } from './faults.ts';
import { num, parseTaskName, str } from './fields.ts';
import { cloneState, emptyState } from './state.ts';
import { TopologyBuilder, type Topology } from './topology.ts';
import type { ReplayState } from './types.ts';
import { IntList, nextAfter, prevBefore } from './int-list.ts';
import { engineOf, type EngineKind } from './engine.ts';

export type JumpKind = 'checkpoint' | 'fault' | 'watermark';

export interface WatermarkPoint {
  index: number;
  t: number;
  wm: number;
}

export interface IndexOptions {
  /** Events between state copies; default: 256, more for very long traces (at most ~4096 copies). */
  every?: number;
  /** The engine the run ran on; default: told from the events (model/engine.ts). */
  engine?: EngineKind;
}

export class TraceIndex {
  readonly events: readonly TraceEvent[];
  readonly topology: Topology;
  readonly every: number;
  readonly engine: EngineKind;
  private readonly snapshots: ReplayState[] = [];
  private readonly byKind = new Map<string, Int32Array>();
  private readonly jumps: Record<JumpKind, Int32Array>;
  /** The minimum task watermark of the time vertex, each time it changes. */
  readonly timeWatermarks: WatermarkPoint[];
  readonly finalState: ReplayState;

  constructor(events: readonly TraceEvent[], opts: IndexOptions = {}) {
    this.events = events;
    this.every = opts.every ?? Math.max(256, Math.ceil(events.length / 4096));
    this.engine = opts.engine ?? engineOf(undefined, events);
    const topo = new TopologyBuilder();
    for (const e of events) topo.onEvent(e);
    this.topology = topo.finish();
    const kinds = new Map<string, IntList>();
    const jumps = { checkpoint: new IntList(), fault: new IntList(), watermark: new IntList() };
    const series = new TimeWatermark(this.topology);
    const state = emptyState(this.engine);
    let sparkWm: number | undefined;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (i % this.every === 0) this.snapshots.push(cloneState(state));
      applyEvent(state, e, i);
      let list = kinds.get(e.kind);
      if (!list) kinds.set(e.kind, (list = new IntList()));
      list.push(i);
      if (isCheckpointStep(e)) jumps.checkpoint.push(i);
      else if (isFaultEvent(e)) jumps.fault.push(i);
      else if (e.kind === 'watermark' && num(e, 'ch') === -1) jumps.watermark.push(i);
      if (e.kind === 'spark.batch') {
        // Spark's lateness is decided by the batch's late watermark (the previous batch's): a change is a watermark step.
        const wm = num(e, 'wmLate');
        if (wm !== undefined && wm !== sparkWm) {
          jumps.watermark.push(i);
          if (this.engine === 'spark') series.points.push({ index: i, t: e.t, wm });
          sparkWm = wm;
        }
      }
      if (this.engine === 'flink') series.onEvent(e, i);
    }
    for (const [k, l] of kinds) this.byKind.set(k, l.toArray());
    this.jumps = { checkpoint: jumps.checkpoint.toArray(), fault: jumps.fault.toArray(), watermark: jumps.watermark.toArray() };
    this.timeWatermarks = series.points;
    this.finalState = state;
  }

  get length(): number {
    return this.events.length;
  }

  /** The state after events 0..i (i is clamped to the trace; -1 gives the empty state). */
  stateAt(i: number): ReplayState {
    const at = Math.min(Math.max(i, -1), this.events.length - 1);
    if (at < 0) return emptyState(this.engine);
    const k = Math.floor(at / this.every);
    const s = cloneState(this.snapshots[k]!);
    for (let j = k * this.every; j <= at; j++) applyEvent(s, this.events[j]!, j);
    return s;
  }

  /** The next (dir 1) or previous (dir -1) step of a kind strictly after / before `from`, or undefined. */
  jump(kind: JumpKind, from: number, dir: 1 | -1): number | undefined {
    const list = this.jumps[kind];
    return dir > 0 ? nextAfter(list, from) : prevBefore(list, from);
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  /** Positions of events of `kind`, ascending. */
  positions(kind: string): Int32Array {
    return this.byKind.get(kind) ?? new Int32Array(0);
  }

  /** The lateness-deciding watermark at step i (undefined before the first). */
  timeWatermarkAt(i: number): number | undefined {
    const pts = this.timeWatermarks;
    let lo = 0;
    let hi = pts.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]!.index <= i) {
        found = pts[mid]!.wm;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The last step whose virtual time is at most `t` (at least 0). */
  stepAtTime(t: number): number {
    let lo = 0;
    let hi = this.events.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.t <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

/**
 * The steps of a checkpoint worth stopping at: the coordinator's injection,
 * completion and abort. Kafka Streams and Spark take no checkpoints; their
 * counterparts are a stream thread's commit and a batch's start and commit.
 */
function isCheckpointStep(e: TraceEvent): boolean {
  if (e.kind === 'checkpoint.complete' || e.kind === 'ks.commit' || e.kind === 'spark.batch' || e.kind === 'spark.commit') return true;
  return (e.kind === 'barrier.inject' || e.kind === 'checkpoint.abort') && e.task === undefined;
}

/** Tracks the minimum own watermark over the time vertex's current tasks, recording each change. */
class TimeWatermark {
  readonly points: WatermarkPoint[] = [];
  private readonly current = new Map<string, number>();

  constructor(private readonly topo: Topology) {}

  onEvent(e: TraceEvent, index: number): void {
    if (e.kind !== 'watermark' && e.kind !== 'task.deploy') return;
    const task = str(e, 'task');
    if (task === undefined || parseTaskName(task).vertex !== this.topo.timeVertex) return;
    if (e.kind === 'task.deploy') this.current.delete(task);
    else if (e.kind === 'watermark' && num(e, 'ch') === -1) {
      const wm = num(e, 'wm');
      if (wm === undefined) return;
      this.current.set(task, wm);
    } else return;
    const expected = this.topo.vertices.find((v) => v.name === this.topo.timeVertex)?.tasks.length ?? 0;
    if (this.current.size < expected) return;
    let min = Infinity;
    for (const v of this.current.values()) min = Math.min(min, v);
    const last = this.points[this.points.length - 1];
    if (!last || last.wm !== min) this.points.push({ index, t: e.t, wm: min });
  }
}
