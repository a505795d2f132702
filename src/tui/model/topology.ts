/**
 * The dataflow of a run, recovered from its trace alone: vertices, their
 * subtasks, and which upstream subtask feeds each input channel.
 *
 * Tasks and their channel counts are read from task-scoped events. Which
 * upstream task a channel carries is read from the buffers sent on it
 * (`buffer.send` names the sender, the receiver and the channel); for a
 * channel no buffer was seen on (a trace of an older weir), it is inferred
 * from watermarks: channels are FIFO and a task forwards its own watermark
 * unchanged, so the values received on channel `ch` of a task are values
 * its upstream task emitted. Each channel is matched to the task of another
 * vertex whose emitted watermarks contain most of the channel's first
 * received values (the end-of-input maximum and the initial minimum match
 * everything and are left out). A channel with no usable watermarks takes
 * the upstream vertex of its task's (or its vertex's) other channels, or
 * else the first source vertex (one whose tasks have no input channel), and
 * the subtask `ch mod parallelism` — the engine's numbering for all-to-all
 * edges.
 * Vertices are ordered sources first, then downstream in topological order.
 */
import type { TraceEvent } from '../../runtime/trace-event.ts';
import { num, parseTaskName, str } from './fields.ts';

export interface TopoTask {
  name: string;
  vertex: string;
  subtask: number;
  /** The upstream task of each input channel (undefined when it could not be told). */
  inputs: (string | undefined)[];
}

export interface TopoVertex {
  name: string;
  /** Task names by subtask. */
  tasks: string[];
  /** Vertices feeding this one. */
  upstream: string[];
  isSource: boolean;
  /** Some subtask of this vertex writes sink transactions (a chained two-phase-commit sink). */
  hasSink: boolean;
}

export interface Topology {
  vertices: TopoVertex[];
  tasks: Map<string, TopoTask>;
  /** Tasks in display order: by vertex, then subtask. */
  order: string[];
  /** The vertex that fires windows or drops late records (or the last vertex): its watermark decides lateness. */
  timeVertex: string | undefined;
}

const SAMPLE = 32;
/** Emitted values kept per task: the first ones, enough to cover every channel's sample across a few restarts. */
const EMITTED_KEPT = 1024;
/**
 * Watermark events looked at: the matching needs only the start of each
 * series, and channel counts also come from barriers, so a long trace's
 * later watermarks are skipped (they are a quarter of all its events).
 */
const WATERMARKS_SAMPLED = 50_000;
const LIMIT = Number.MAX_SAFE_INTEGER;

export class TopologyBuilder {
  private readonly vertexOrder: string[] = [];
  private readonly taskNames = new Set<string>();
  private readonly channelCount = new Map<string, number>();
  private readonly emitted = new Map<string, Set<number>>();
  /** The first received values, by task and channel. */
  private readonly received = new Map<string, number[][]>();
  private readonly sinks = new Set<string>();
  /** Per receiving task, the sender of each channel, as the buffers sent on it say. */
  private readonly sentBy = new Map<string, (string | undefined)[]>();
  private timeVertex: string | undefined;
  private watermarksSeen = 0;

  onEvent(e: TraceEvent): void {
    const task = str(e, 'task');
    if (task === undefined || e.kind === 'checkpoint.ack') return;
    if (!this.taskNames.has(task)) this.addTask(task);
    if (e.kind.startsWith('txn.')) this.sinks.add(parseTaskName(task).vertex);
    else if (e.kind === 'watermark') {
      if (this.watermarksSeen++ < WATERMARKS_SAMPLED) this.onWatermark(e, task);
    }
    else if (e.kind === 'barrier.receive') this.noteChannel(task, num(e, 'ch') ?? 0);
    else if (e.kind === 'buffer.send') this.onBuffer(e, task);
    else if (this.timeVertex === undefined && (e.kind === 'window.fire' || e.kind === 'record.late')) this.timeVertex = parseTaskName(task).vertex;
  }

  private addTask(task: string): void {
    this.taskNames.add(task);
    const v = parseTaskName(task).vertex;
    if (!this.vertexOrder.includes(v)) this.vertexOrder.push(v);
  }

  private noteChannel(task: string, ch: number): void {
    if (ch >= 0 && ch + 1 > (this.channelCount.get(task) ?? 0)) this.channelCount.set(task, ch + 1);
  }

  private onBuffer(e: TraceEvent, from: string): void {
    const to = str(e, 'to');
    const ch = num(e, 'ch');
    if (to === undefined || ch === undefined || !Number.isInteger(ch) || ch < 0) return;
    if (!this.taskNames.has(to)) this.addTask(to);
    this.noteChannel(to, ch);
    let senders = this.sentBy.get(to);
    if (!senders) this.sentBy.set(to, (senders = []));
    senders[ch] ??= from;
  }

  private onWatermark(e: TraceEvent, task: string): void {
    const ch = num(e, 'ch') ?? -1;
    this.noteChannel(task, ch);
    const wm = num(e, 'wm');
    if (wm === undefined || e.restored === true || wm <= -LIMIT || wm >= LIMIT) return;
    if (ch < 0) {
      // A channel's first values are its upstream's first values (FIFO): the start of each series suffices.
      let set = this.emitted.get(task);
      if (!set) this.emitted.set(task, (set = new Set()));
      if (set.size < EMITTED_KEPT) set.add(wm);
      return;
    }
    let perChannel = this.received.get(task);
    if (!perChannel) this.received.set(task, (perChannel = []));
    const list = (perChannel[ch] ??= []);
    if (list.length < SAMPLE) list.push(wm);
  }

  finish(): Topology {
    const byVertex = new Map<string, string[]>();
    for (const v of this.vertexOrder) byVertex.set(v, []);
    for (const name of this.taskNames) {
      const { vertex, subtask } = parseTaskName(name);
      byVertex.get(vertex)![subtask] = name;
    }
    const tasks = new Map<string, TopoTask>();
    for (const name of this.taskNames) {
      const { vertex, subtask } = parseTaskName(name);
      tasks.set(name, { name, vertex, subtask, inputs: this.matchChannels(name, vertex) });
    }
    for (const t of tasks.values()) this.fillUnmatched(t, byVertex, tasks);
    const vertices = this.orderVertices(byVertex, tasks);
    const order = vertices.flatMap((v) => v.tasks);
    const last = vertices[vertices.length - 1]?.name;
    return { vertices, tasks, order, timeVertex: this.timeVertex ?? last };
  }

  private matchChannels(name: string, vertex: string): (string | undefined)[] {
    const n = this.channelCount.get(name) ?? 0;
    const out: (string | undefined)[] = [];
    for (let ch = 0; ch < n; ch++) {
      const sender = this.sentBy.get(name)?.[ch];
      if (sender !== undefined) {
        out.push(sender);
        continue;
      }
      const values = this.received.get(name)?.[ch] ?? [];
      let best: string | undefined;
      let bestScore = 0;
      for (const [up, set] of this.emitted) {
        if (parseTaskName(up).vertex === vertex) continue;
        let score = 0;
        for (const v of values) if (set.has(v)) score++;
        const preferred = best !== undefined && score === bestScore && parseTaskName(up).subtask === ch % this.parallelism(up);
        if (score > bestScore || preferred) {
          best = up;
          bestScore = score;
        }
      }
      out.push(bestScore > 0 ? best : undefined);
    }
    return out;
  }

  private parallelism(task: string): number {
    const v = parseTaskName(task).vertex;
    let p = 0;
    for (const name of this.taskNames) {
      const t = parseTaskName(name);
      if (t.vertex === v) p = Math.max(p, t.subtask + 1);
    }
    return Math.max(1, p);
  }

  private fillUnmatched(t: TopoTask, byVertex: Map<string, string[]>, tasks: Map<string, TopoTask>): void {
    if (!t.inputs.includes(undefined)) return;
    const upVertex = this.upstreamVertexOf(t, tasks);
    const ups = upVertex !== undefined ? byVertex.get(upVertex) ?? [] : [];
    if (ups.length === 0) return;
    t.inputs = t.inputs.map((u, ch) => u ?? ups[ch % ups.length]);
  }

  /** For channels no watermark told: the upstream of this task's other channels, of its vertex's other tasks, else the first source vertex. */
  private upstreamVertexOf(t: TopoTask, tasks: Map<string, TopoTask>): string | undefined {
    const known = t.inputs.find((u) => u !== undefined);
    if (known !== undefined) return parseTaskName(known).vertex;
    for (const other of tasks.values()) {
      const u = other.vertex === t.vertex ? other.inputs.find((x) => x !== undefined) : undefined;
      if (u !== undefined) return parseTaskName(u).vertex;
    }
    return this.vertexOrder.find((v) => v !== t.vertex && this.isChannelless(v));
  }

  /** A vertex none of whose tasks has an input channel: a source. */
  private isChannelless(vertex: string): boolean {
    for (const name of this.taskNames) if (parseTaskName(name).vertex === vertex && (this.channelCount.get(name) ?? 0) > 0) return false;
    return true;
  }

  private orderVertices(byVertex: Map<string, string[]>, tasks: Map<string, TopoTask>): TopoVertex[] {
    const upstream = new Map<string, Set<string>>();
    for (const v of this.vertexOrder) upstream.set(v, new Set());
    for (const t of tasks.values()) for (const u of t.inputs) if (u !== undefined) upstream.get(t.vertex)!.add(parseTaskName(u).vertex);
    const placed: string[] = [];
    while (placed.length < this.vertexOrder.length) {
      const next = this.vertexOrder.find((v) => !placed.includes(v) && [...upstream.get(v)!].every((u) => placed.includes(u)))
        ?? this.vertexOrder.find((v) => !placed.includes(v))!;
      placed.push(next);
    }
    return placed.map((name) => ({
      name,
      tasks: (byVertex.get(name) ?? []).filter((x): x is string => x !== undefined),
      upstream: [...upstream.get(name)!],
      isSource: this.isChannelless(name),
      hasSink: this.sinks.has(name),
    }));
  }
}

export function inferTopology(events: readonly TraceEvent[]): Topology {
  const b = new TopologyBuilder();
  for (const e of events) b.onEvent(e);
  return b.finish();
}
