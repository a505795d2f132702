/**
 * The watermark oracle (DESIGN "The checkers" 2), a streaming checker over
 * the engine's trace events (see the trace contract) plus the committed
 * output at the end. `onEvent` is cheap and keeps per-channel state only;
 * `finish` returns one verdict per property:
 *
 * - `watermark.monotone`: per (task, attempt, ch), channel -1 (the task's own
 *   watermark) included, a watermark never goes below the previous one
 *   (repeating a value is allowed).
 * - `watermark.min-of-inputs`: a task's own watermark never exceeds the
 *   minimum over its counted input channels, modelled as Flink's
 *   StatusWatermarkValve: an idle channel does not count; a channel that
 *   becomes active again counts only once its watermark has caught up with
 *   the task's watermark; when no channel counts (all idle), the maximum
 *   over channels is the bound (the flush on all-idle). A two-input task
 *   (an interval join: its channel events name their `input`) has a valve
 *   per input and combines them as Flink's CombinedWatermarkStatus: the
 *   bound is the minimum over the inputs with an active channel of what
 *   each input's valve emitted, an input back from idleness counting at
 *   once. Checked only for tasks that reported an input channel in that
 *   attempt; a channel that never reported anything is unknown to the
 *   checker.
 * - `watermark.on-time-firing`: every 'window.fire' has `wm >= end - 1`
 *   (firing 0 is the on-time firing; later firings come after it).
 * - `watermark.lateness`: every id in a final result but not in the firing-0
 *   result of that window had a 'window.late' event for that (id, window) in
 *   some attempt (for sessions, for that (id, key): merges move records
 *   between windows); and each lateness decision in the trace was right for
 *   its watermark W with allowed lateness L: 'window.late' needs
 *   `end - 1 <= W < end - 1 + L`, 'window.skip' needs `end - 1 + L <= W`,
 *   'record.late' needs the record's last-closing window (sessions: its
 *   proto-window `[ts, ts + gap)`) to have `end - 1 + L <= W`.
 * - `watermark.liveness`: every (key, window) of the reference that holds a
 *   record neither late ('record.late') nor skipped for it ('window.skip')
 *   has a final result; for sessions, every record not late is in some
 *   final session of its key.
 */
import type { InputRecord, WindowResult } from '../stream/records.ts';
import { selectFinals } from './finals.ts';
import { describeResult } from './lineage.ts';
import { referenceModel } from './reference.ts';
import { formatCount, formatWindow, Problems } from './report.ts';
import type { CheckResult, TraceEvent, WindowSpec } from './types.ts';
import { windowCleanupTime, keyedWindowId, windowsOf } from './window-math.ts';

interface Channel {
  wm: number;
  idle: boolean;
  /** Counted in the minimum (see StatusWatermarkValve). */
  aligned: boolean;
  /** A two-input task's channel: its input (0 or 1), whose own valve it counts in. */
  input?: number;
}

interface TaskWatermarks {
  channels: Map<number, Channel>;
  /** Per channel (-1: the output), the highest watermark seen: the monotonicity baseline. */
  last: Map<number, number>;
  output: number;
  /** The output watermark before the latest advance. */
  previous: number;
  /**
   * A two-input task (its channel events name their `input`): per input, an upper bound of what
   * that input's valve has emitted. The valve's own output is not traced; after a restore the
   * bound starts at the highest restored channel watermark of the input, never below the valve's.
   */
  valves?: Map<number, number>;
}

interface Decision {
  kind: 'window.late' | 'window.skip' | 'record.late';
  seq: number;
  id: number;
  key: string;
  start: number;
  end: number;
  ts: number;
  wm: number;
}

const num = (e: TraceEvent, f: string): number => e[f] as number;
const str = (e: TraceEvent, f: string): string => String(e[f]);

/** The trace kinds `onEvent` below reads. */
const KINDS: readonly string[] = ['watermark', 'window.fire', 'window.late', 'window.skip', 'record.late'];

export class WatermarkChecker {
  private readonly monotone = new Problems();
  private readonly minOfInputs = new Problems();
  private readonly onTime = new Problems();
  /** Task → attempt → its watermarks. */
  private readonly tasks = new Map<string, Map<number, TaskWatermarks>>();
  private taskAttempts = 0;
  private readonly decisions: Decision[] = [];
  private readonly lateJoins = new Set<string>();
  private readonly lateIds = new Set<number>();
  private readonly skips = new Set<string>();
  /** Windows (per task attempt) that a late record created or re-opened. */
  private readonly lateWindows = new Set<string>();
  /**
   * On-time firings that came after the watermark had already reached end - 1.
   * Judged for tumbling and sliding windows only: a merged session window can
   * come into being after the watermark passed its end, without a late record.
   */
  private readonly firedLate: string[] = [];
  private watermarkEvents = 0;
  private fires = 0;

  /** The watermarks of one task attempt; created on its first watermark event (`create`). */
  private taskOf(task: string, attempt: number, create: boolean): TaskWatermarks | undefined {
    let attempts = this.tasks.get(task);
    let t = attempts?.get(attempt);
    if (t || !create) return t;
    if (!attempts) this.tasks.set(task, (attempts = new Map()));
    attempts.set(attempt, (t = { channels: new Map(), last: new Map(), output: Number.NEGATIVE_INFINITY, previous: Number.NEGATIVE_INFINITY }));
    this.taskAttempts++;
    return t;
  }

  /** The kinds `onEvent` reads (see `TraceReader`). */
  get kinds(): readonly string[] {
    return KINDS;
  }

  onEvent(e: TraceEvent): void {
    switch (e.kind) {
      case 'watermark':
        return this.onWatermark(e);
      case 'window.fire':
        return this.onFire(e);
      case 'window.late':
      case 'window.skip':
      case 'record.late':
        return this.onLateness(e);
    }
  }

  private onWatermark(e: TraceEvent): void {
    const task = str(e, 'task');
    const attempt = num(e, 'attempt');
    const ch = num(e, 'ch');
    const t = this.taskOf(task, attempt, true)!;
    if (typeof e.idle === 'boolean') {
      if (ch >= 0) this.onIdleness(t, channelOf(t, ch, e.input), e.idle);
      return;
    }
    const wm = num(e, 'wm');
    if (e.restored === true) {
      // A restore sets where this attempt starts: a baseline, not a step to judge.
      t.last.set(ch, wm);
      if (ch >= 0) {
        const c = channelOf(t, ch, e.input);
        c.wm = wm;
        c.idle = e.restoredIdle === true;
        if (c.input !== undefined) t.valves!.set(c.input, Math.max(t.valves!.get(c.input)!, wm));
        // As the valve has it: an idle channel is not counted; an active one is once it has caught up.
        c.aligned = !c.idle && wm >= alignedFrom(t, c);
      } else {
        t.output = wm;
        t.previous = Number.NEGATIVE_INFINITY;
        // The channels may have been restored first: judge their alignment against the restored output.
        for (const c of t.channels.values()) c.aligned = !c.idle && c.wm >= alignedFrom(t, c);
      }
      return;
    }
    this.watermarkEvents++;
    const where = (): string => `task ${task} attempt ${attempt} ${ch < 0 ? 'output' : `channel ${ch}`}`;
    const prev = t.last.get(ch);
    // Monotonicity is a property of what a task emits (ch -1); an input channel's value is
    // the upstream task's output, judged there, and the valve ignores a lower one.
    if (ch < 0 && prev !== undefined && wm < prev) this.monotone.add(`${where()}: watermark went back from ${prev} to ${wm} (seq ${e.seq})`);
    if (prev === undefined || wm > prev) t.last.set(ch, wm);
    if (ch >= 0) return this.onChannelWatermark(t, channelOf(t, ch, e.input), wm);
    if (t.channels.size > 0) {
      const bound = inputBound(t);
      if (wm > bound.wm) {
        this.minOfInputs.add(`${where()}: watermark ${wm} above the minimum ${bound.wm} of its input channels ` +
          `(${bound.why}) (seq ${e.seq})`);
      }
    }
    t.previous = t.output;
    t.output = Math.max(t.output, wm);
  }

  private onChannelWatermark(t: TaskWatermarks, c: Channel, wm: number): void {
    // The valve ignores a watermark on an idle channel; so does the model.
    if (c.idle || wm <= c.wm) return;
    c.wm = wm;
    if (!c.aligned && wm >= alignedFrom(t, c)) c.aligned = true;
    if (c.input !== undefined) advanceValve(t, c.input);
  }

  private onIdleness(t: TaskWatermarks, c: Channel, idle: boolean): void {
    if (idle) {
      c.idle = true;
      c.aligned = false;
    } else {
      c.idle = false;
      c.aligned = c.wm >= alignedFrom(t, c);
    }
    if (c.input !== undefined) advanceValve(t, c.input);
  }

  private onFire(e: TraceEvent): void {
    this.fires++;
    const end = num(e, 'end');
    const wm = num(e, 'wm');
    const t = this.taskOf(str(e, 'task'), num(e, 'attempt'), false);
    // On time means at the first watermark that reaches end - 1: if the watermark had already
    // reached it before this advance, the firing came late (unless a late record created the window).
    if (num(e, 'firing') === 0 && t && t.previous >= end - 1 &&
      !this.lateWindows.has(`${str(e, 'task')}#${num(e, 'attempt')}|${str(e, 'key')}|${num(e, 'start')}|${end}`)) {
      this.firedLate.push(`task ${str(e, 'task')} attempt ${num(e, 'attempt')} fired key ${str(e, 'key')} window ` +
        `${formatWindow(num(e, 'start'), end)} only at watermark ${wm}, though the watermark had reached ${t.previous} >= end - 1 before (seq ${e.seq})`);
    }
    if (wm < end - 1) {
      this.onTime.add(`task ${str(e, 'task')} attempt ${num(e, 'attempt')} fired key ${str(e, 'key')} window ` +
        `${formatWindow(num(e, 'start'), end)} firing ${num(e, 'firing')} at watermark ${wm} < end - 1 = ${end - 1} (seq ${e.seq})`);
    }
  }

  private onLateness(e: TraceEvent): void {
    if (e.kind === 'window.late') this.lateWindows.add(`${str(e, 'task')}#${num(e, 'attempt')}|${str(e, 'key')}|${num(e, 'start')}|${num(e, 'end')}`);
    const kind = e.kind as Decision['kind'];
    const d: Decision = {
      kind, seq: e.seq, id: num(e, 'id'), key: str(e, 'key'), wm: num(e, 'wm'),
      start: kind === 'record.late' ? 0 : num(e, 'start'),
      end: kind === 'record.late' ? 0 : num(e, 'end'),
      ts: kind === 'record.late' ? num(e, 'ts') : 0,
    };
    this.decisions.push(d);
    if (kind === 'window.late') {
      this.lateJoins.add(keyedWindowId(`${d.id}`, d.start, d.end));
      this.lateJoins.add(`${d.id}#${d.key}`);
    } else if (kind === 'window.skip') this.skips.add(keyedWindowId(`${d.id}`, d.start, d.end));
    else this.lateIds.add(d.id);
  }

  finish(input: readonly InputRecord[], results: readonly WindowResult[], spec: WindowSpec): CheckResult[] {
    const sel = selectFinals(results, spec);
    if (spec.assigner.kind !== 'session') for (const p of this.firedLate) this.onTime.add(p);
    const lateness = this.checkLateness(sel.byWindow, sel.finals, spec);
    const liveness = this.checkLiveness(input, sel.finals, spec);
    return [
      this.monotone.verdict('watermark.monotone',
        `${formatCount(this.watermarkEvents)} watermarks over ${formatCount(this.taskAttempts)} task attempts, none went back`),
      this.minOfInputs.verdict('watermark.min-of-inputs', 'no task watermark above the minimum of its inputs'),
      this.onTime.verdict('watermark.on-time-firing', `${formatCount(this.fires)} firings, none before its window's end - 1`),
      lateness,
      liveness,
    ];
  }

  private checkLateness(
    byWindow: ReadonlyMap<string, WindowResult[]>, finals: ReadonlyMap<string, WindowResult>, spec: WindowSpec,
  ): CheckResult {
    const problems = new Problems();
    const L = spec.allowedLatenessMs;
    for (const d of this.decisions) checkDecision(d, spec, problems);
    let lateJoined = 0;
    for (const [k, r] of finals) {
      if (r.firing === 0) continue;
      // Every on-time firing of the window: a replay under at-least-once can commit one per attempt.
      const onTime = new Set(byWindow.get(k)!.flatMap((x) => (x.firing === 0 ? x.ids : [])));
      for (const id of r.ids) {
        if (onTime.has(id)) continue;
        lateJoined++;
        const seen = spec.assigner.kind === 'session'
          ? this.lateJoins.has(`${id}#${r.key}`)
          : this.lateJoins.has(keyedWindowId(`${id}`, r.start, r.end));
        if (!seen) problems.add(`record ${id} is in ${describeResult(r)} but not in its on-time firing, and no 'window.late' event says it joined late`);
      }
    }
    return problems.verdict('watermark.lateness',
      `${formatCount(this.decisions.length)} lateness decisions right at allowed lateness ${L}ms, ` +
      `${formatCount(lateJoined)} late joins traced`);
  }

  private checkLiveness(input: readonly InputRecord[], finals: ReadonlyMap<string, WindowResult>, spec: WindowSpec): CheckResult {
    const problems = new Problems();
    if (spec.assigner.kind === 'session') {
      const inFinal = new Set<number>();
      for (const r of finals.values()) for (const id of r.ids) inFinal.add(id);
      for (const rec of input) {
        if (!this.lateIds.has(rec.id) && !inFinal.has(rec.id)) {
          problems.add(`record ${rec.id} (key ${rec.key}, ts ${rec.ts}) is not late, but no final session holds it`);
        }
      }
      return problems.verdict('watermark.liveness', `every record not late is in a fired session`);
    }
    let live = 0;
    const model = referenceModel(input, spec);
    const fired = model.resultsOf(finals);
    for (const w of model.windows.values()) {
      const skips = this.skips.size > 0 ? this.skips : undefined;
      const holder = w.ids.find((id) => !this.lateIds.has(id) && !(skips && skips.has(keyedWindowId(`${id}`, w.start, w.end))));
      if (holder === undefined) continue;
      live++;
      if (!fired.has(w)) {
        problems.add(`key ${w.key} window ${formatWindow(w.start, w.end)} holds on-time record ${holder} but never fired`);
      }
    }
    return problems.verdict('watermark.liveness', `all ${formatCount(live)} windows with on-time data fired`);
  }
}

/** Channel `ch` of `t`; `input` (traced by two-input tasks) places it in that input's valve. */
function channelOf(t: TaskWatermarks, ch: number, input: unknown): Channel {
  let c = t.channels.get(ch);
  if (!c) {
    t.channels.set(ch, (c = { wm: Number.NEGATIVE_INFINITY, idle: false, aligned: true }));
    if (typeof input === 'number') {
      c.input = input;
      t.valves ??= new Map();
      if (!t.valves.has(input)) t.valves.set(input, Number.NEGATIVE_INFINITY);
    }
  }
  return c;
}

/** The watermark a channel must reach to count again: its valve's output (the task's, for one input). */
function alignedFrom(t: TaskWatermarks, c: Channel): number {
  return c.input === undefined ? t.output : t.valves!.get(c.input)!;
}

/**
 * Input `input`'s valve after a change of its channels, as StatusWatermarkValve: its output rises
 * to the minimum over its counted channels, or, once every channel is idle, to their maximum.
 */
function advanceValve(t: TaskWatermarks, input: number): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let active = false;
  for (const c of t.channels.values()) {
    if (c.input !== input) continue;
    max = Math.max(max, c.wm);
    if (!c.idle) active = true;
    if (c.aligned && !c.idle && c.wm < min) min = c.wm;
  }
  const out = active ? (min === Number.POSITIVE_INFINITY ? undefined : min) : max;
  if (out !== undefined && out > t.valves!.get(input)!) t.valves!.set(input, out);
}

/**
 * A two-input task's bound, as the operator's CombinedWatermarkStatus: the minimum over the inputs
 * with an active channel of what their valves emitted (an input back from idleness counts at once,
 * caught up or not); with every input idle, the highest of them.
 */
function combinedBound(t: TaskWatermarks, valves: Map<number, number>): { wm: number; why: string } {
  const active = new Set<number>();
  for (const c of t.channels.values()) if (!c.idle && c.input !== undefined) active.add(c.input);
  let min = Number.POSITIVE_INFINITY;
  let minInput = -1;
  let max = Number.NEGATIVE_INFINITY;
  for (const [input, out] of valves) {
    max = Math.max(max, out);
    if (active.has(input) && out < min) {
      min = out;
      minInput = input;
    }
  }
  if (minInput < 0) return { wm: max, why: 'both inputs idle; bound is the higher' };
  return { wm: min, why: `input ${minInput}'s channels at ${min}` };
}

/** The highest watermark the task may emit now, and which channel holds it there. */
function inputBound(t: TaskWatermarks): { wm: number; why: string } {
  if (t.valves !== undefined) return combinedBound(t, t.valves);
  let min = Number.POSITIVE_INFINITY;
  let minCh = -1;
  let max = Number.NEGATIVE_INFINITY;
  for (const [ch, c] of t.channels) {
    max = Math.max(max, c.wm);
    if (!c.idle && c.aligned && c.wm < min) {
      min = c.wm;
      minCh = ch;
    }
  }
  if (minCh < 0) return { wm: max, why: 'no channel counts; bound is the maximum' };
  return { wm: min, why: `channel ${minCh} at ${min}` };
}

function checkDecision(d: Decision, spec: WindowSpec, problems: Problems): void {
  const L = spec.allowedLatenessMs;
  const at = `(seq ${d.seq}, watermark ${d.wm}, allowed lateness ${L})`;
  if (d.kind === 'record.late') {
    const wins = windowsOf(spec.assigner, d.ts);
    const last = wins[wins.length - 1];
    const closedAt = last ? windowCleanupTime(last, L) : d.ts + L;
    if (closedAt > d.wm) {
      problems.add(`record ${d.id} (ts ${d.ts}) was sent to the late output, but ` +
        `${last ? `window ${formatWindow(last.start, last.end)} was still open` : 'it was not late'} ${at}`);
    }
    return;
  }
  const w = { start: d.start, end: d.end };
  const closed = windowCleanupTime(w, L) <= d.wm;
  if (d.kind === 'window.skip' && !closed) {
    problems.add(`record ${d.id} skipped window ${formatWindow(d.start, d.end)} of key ${d.key}, which was still open ${at}`);
  }
  if (d.kind === 'window.late' && (closed || d.wm < d.end - 1)) {
    problems.add(`record ${d.id} joined window ${formatWindow(d.start, d.end)} of key ${d.key} as late, but the window was ` +
      `${closed ? 'already past allowed lateness' : 'not yet fired'} ${at}`);
  }
}
