/**
 * Flink's WindowOperator with every part pluggable: any trigger, any window
 * function (reduce, aggregate of any type, process window function, or an
 * aggregate with a process function), an optional evictor (Flink's
 * EvictingWindowOperator), and the Flink-only assigners (GlobalWindows,
 * processing-time windows) beside the shared event-time ones.
 *
 * A windowed stream uses it when the job asks for any of that; the plain
 * `window(assigner).aggregate(numberAggregate)` keeps the dedicated
 * EventTimeTrigger operator (`window.ts`), whose traces the checkers and
 * the recorded runs depend on. Given `EventTimeTrigger` and a number
 * aggregate, this operator computes the same results and traces the same
 * `window.fire` / `window.late` / `window.skip` / `session.add` /
 * `record.late` events (with a `timing` field added to `window.fire`).
 *
 * The per-element path, as WindowOperator.processElement:
 * for each assigned window (merged first for session windows): skip it if
 * it is late (`cleanupTime <= W`, event time only); add the element; ask
 * `trigger.onElement`; FIRE emits the contents, PURGE clears them; register
 * the cleanup timer. An element skipped by every window goes to the late
 * side output. On a timer (event time when the watermark reaches it,
 * processing time when the clock does): ask the trigger; FIRE emits if the
 * window has contents; PURGE clears them; at the cleanup time
 * (`maxTimestamp + allowedLateness` for event time, `maxTimestamp` for
 * processing time, none when that is the end of time) the trigger is
 * cleared and the window's state dropped. Timers fire before the watermark
 * is forwarded. Results are stamped `maxTimestamp = end - 1`.
 *
 * Panes (see `PaneInfo`): every result carries its pane. EARLY while the
 * window's clock (the watermark — or, for a firing by an event-time timer,
 * the timer's time; processing time for processing-time windows) is below
 * maxTimestamp; at or past it the first firing caused by
 * a timer is ON_TIME and every other one LATE (so is a firing caused by a
 * late element). `isLast` marks the window's final pane, fired at its
 * cleanup: by the trigger if it fires then, otherwise — with a closing
 * behaviour (Beam's ClosingBehavior; Flink has none and fires nothing of
 * its own at cleanup) — by the operator, if elements came since the last
 * pane (FIRE_IF_NON_EMPTY) or in any case (FIRE_ALWAYS). With a closing
 * behaviour a window Flink never cleans up (the global window) closes at
 * the final watermark. When
 * session windows merge, the merged window's pane count starts over, as the
 * default operator's `firing` does.
 *
 * Beam-style triggers (those with `finishesOnFire`: AfterWatermark,
 * AfterPane) add Beam's ReduceFnRunner rules. A firing after which the
 * trigger has finished emits the window's last pane and closes the window:
 * contents and trigger state go, later elements are dropped
 * (`window.closed-drop`; counted as Beam's droppedDueToClosedWindow, and,
 * when no window took the record, sent to the late side output or counted
 * as a late drop), and no closing pane follows. A firing emits an empty
 * pane when it is ON_TIME under the on-time behaviour FIRE_ALWAYS (the
 * default for these triggers), or final under the closing behaviour
 * FIRE_ALWAYS; pane indices count emitted panes only.
 *
 * Where weir stops short of Flink: at the final watermark (end of input) a
 * trigger's event-time timers registered during that last advance are not
 * kept unless they are at the end of time — Flink would fire a
 * ContinuousEventTimeTrigger of a GlobalWindow once per interval up to
 * Long.MAX_VALUE; weir fires what was pending and the end-of-time timers.
 * After end of input no processing-time timer fires (Flink quiesces the
 * processing-time service when a bounded input finishes).
 */
import { sortEntries, type Output, type OperatorContext, type OperatorView, type StateEntryView, type StreamOperator } from './operator.ts';
import { windowKey, type TimeWindow } from '../../../stream/time-window.ts';
import { MAX_WATERMARK } from '../../../stream/watermark.ts';
import type { LateRecord, PaneInfo } from '../../../stream/records.ts';
import { cleanupTime as eventCleanupTime, isWindowLate } from '../windows/lateness.ts';
import { MergingWindowSet } from '../windows/merging.ts';
import { TimerService, type TimerServiceSnapshot } from '../time/timers.ts';
import { ownedEntries, rescaleTimers } from '../state/rescale.ts';
import { cloneJson } from '../../../stream/plain-data.ts';
import { sortedNumbers } from '../../../runtime/arrays.ts';
import { assignFlinkWindows, isEventTimeAssigner, isMergingAssigner, type FlinkWindowAssigner } from '../windows/flink-assigners.ts';
import { isBeamTrigger, isFire, isPurge, windowMaxTimestamp, type OnMergeContext, type PartitionedState, type StateDescriptor, type Trigger, type TriggerContext, type TriggerResult } from '../windows/triggers.ts';
import type { Evictor, EvictorContext, ProcessWindowContext, TimestampedValue, WindowFunctionSpec, WindowValueState } from '../windows/functions.ts';

export interface TriggeredWindowOptions {
  assigner: FlinkWindowAssigner;
  allowedLatenessMs: number;
  lateTag: string | undefined;
  trigger: Trigger;
  fn: WindowFunctionSpec;
  evictor?: Evictor;
  /** Beam's discarding mode: every firing also purges the window's contents. */
  discarding?: boolean;
  /**
   * Beam's closing behaviour: whether a final pane is emitted when the
   * window is cleaned up and its trigger did not fire then. Unset: Flink's
   * rule, the trigger alone decides (see the module comment).
   */
  closing?: ClosingBehavior;
  /**
   * Beam's on-time behaviour: whether an ON_TIME pane is emitted when the
   * window is empty (after discarding firings). Unset: `FIRE_ALWAYS` for a
   * Beam-style trigger (one that can finish, as `AfterWatermark`), as in
   * Beam; for Flink's triggers an empty window emits nothing, as in Flink.
   */
  onTime?: OnTimeBehavior;
}

/**
 * Beam's `Window.OnTimeBehavior`: `FIRE_ALWAYS` emits the ON_TIME pane even
 * when the window is empty (every element already went out in discarding
 * early panes), `FIRE_IF_NON_EMPTY` only when it holds elements.
 */
export type OnTimeBehavior = 'FIRE_ALWAYS' | 'FIRE_IF_NON_EMPTY';

/**
 * Beam's `Window.ClosingBehavior`: at the window's cleanup, `FIRE_IF_NON_EMPTY`
 * emits a final pane only if elements arrived since the last pane,
 * `FIRE_ALWAYS` emits one in any case (empty in discarding mode).
 */
export type ClosingBehavior = 'FIRE_IF_NON_EMPTY' | 'FIRE_ALWAYS';

/** One window of one key: its contents, lineage, pane count and trigger/user state. */
interface Entry {
  start: number;
  end: number;
  /** Whether the window has contents (elements added since it was created or last purged). */
  has: boolean;
  /** Elements arrived since the last pane fired (Beam's NonEmptyPanes): what FIRE_IF_NON_EMPTY asks at cleanup. */
  fresh?: boolean;
  /** Incremental functions: the accumulator. */
  acc: unknown;
  /** With an evictor or a process function alone: every element, in arrival order. */
  elements: TimestampedValue[];
  /** Ids of the records in the contents (incremental functions). */
  ids: number[];
  /** Panes fired so far (the next pane's index). */
  panes: number;
  /** An ON_TIME or LATE pane has fired. */
  onTime: boolean;
  /** The last pane fired (for the process function's clear). */
  lastPane: PaneInfo | undefined;
  /**
   * The trigger has finished (Beam's closed window): contents and trigger
   * state are gone, later elements are dropped, no pane fires; the entry
   * stays until the window's cleanup time (checkpointed, as Beam keeps the
   * finished bits until garbage collection).
   */
  closed?: boolean;
  trig: Record<string, unknown>;
  user: Record<string, unknown>;
}

interface Snapshot {
  entries: [string, string, Entry][];
  sessions: [string, TimeWindow[]][];
  global: [string, Record<string, unknown>][];
  timers: unknown;
}

type Cause = 'element' | 'event' | 'processing';

const idOf = (v: unknown): number | undefined => {
  const id = (v as { id?: unknown } | null)?.id;
  return typeof id === 'number' ? id : undefined;
};

function parseKey(wk: string): TimeWindow {
  const i = wk.indexOf(':', 1);
  return { start: Number(wk.slice(0, i)), end: Number(wk.slice(i + 1)) };
}

export class TriggeredWindowOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private out!: Output;
  private key = '';
  private entries = new Map<string, Map<string, Entry>>();
  private sessions = new Map<string, MergingWindowSet>();
  private global = new Map<string, Record<string, unknown>>();
  private timers = new TimerService<string>();
  private readonly eventTime: boolean;
  private readonly merging: boolean;
  /** Keeps every element (evictor, or a process function without an incremental function). */
  private readonly buffered: boolean;
  /** The watermark being advanced to while timers fire (undefined outside processWatermark). */
  private advancing: number | undefined;
  /** The processing time of the earliest wake-up scheduled (undefined when none). */
  private armedAt: number | undefined;
  private quiesced = false;
  /** Records dropped as late by this instance (not checkpointed: a metric, as Flink's counter). */
  private lateDropped = 0;
  /** (record, window) pairs dropped because the window was closed (Beam's droppedDueToClosedWindow). */
  private closedDropped = 0;
  /** The on-time behaviour in force (see `TriggeredWindowOptions.onTime`). */
  private readonly onTime: OnTimeBehavior | undefined;

  constructor(private readonly opts: TriggeredWindowOptions) {
    this.eventTime = isEventTimeAssigner(opts.assigner);
    this.merging = isMergingAssigner(opts.assigner);
    this.buffered = opts.evictor !== undefined || opts.fn.kind === 'process';
    this.onTime = opts.onTime ?? (isBeamTrigger(opts.trigger) ? 'FIRE_ALWAYS' : undefined);
    if (this.merging && !opts.trigger.canMerge()) {
      throw new Error(`a merging window assigner cannot be used with a trigger that cannot merge (${opts.trigger.name})`);
    }
  }

  open(ctx: OperatorContext, out: Output): void {
    this.ctx = ctx;
    this.out = out;
  }

  setCurrentKey(key: string): void {
    this.key = key;
  }

  private watermark(): number {
    return this.advancing ?? this.ctx.currentWatermark();
  }

  // ---- state ------------------------------------------------------------------------------

  private entriesOfKey(): Map<string, Entry> {
    let m = this.entries.get(this.key);
    if (!m) this.entries.set(this.key, (m = new Map()));
    return m;
  }

  private entry(w: TimeWindow): Entry {
    const m = this.entriesOfKey();
    const wk = windowKey(w);
    let e = m.get(wk);
    if (!e) {
      e = { start: w.start, end: w.end, has: false, acc: undefined, elements: [], ids: [], panes: 0, onTime: false, lastPane: undefined, trig: {}, user: {} };
      m.set(wk, e);
    }
    return e;
  }

  private peek(w: TimeWindow): Entry | undefined {
    return this.entries.get(this.key)?.get(windowKey(w));
  }

  private dropEntry(w: TimeWindow): void {
    const m = this.entries.get(this.key);
    if (!m) return;
    m.delete(windowKey(w));
    if (m.size === 0) this.entries.delete(this.key);
  }

  private purge(e: Entry): void {
    e.has = false;
    e.fresh = false;
    e.acc = undefined;
    e.elements = [];
    e.ids = [];
  }

  private addTo(e: Entry, value: unknown, ts: number): void {
    if (this.buffered) e.elements.push({ value, ts });
    else {
      const agg = (this.opts.fn as Extract<WindowFunctionSpec, { kind: 'aggregate' }>).aggregate;
      e.acc = agg.add(value, e.has ? e.acc : agg.createAccumulator());
      const id = idOf(value);
      if (id !== undefined) e.ids.push(id);
    }
    e.has = true;
    e.fresh = true;
  }

  // ---- contexts -----------------------------------------------------------------------------

  private triggerContext(w: TimeWindow): TriggerContext {
    const key = this.key;
    const wk = windowKey(w);
    const op = this;
    return {
      getCurrentProcessingTime: () => op.ctx.now(),
      getCurrentWatermark: () => op.watermark(),
      registerEventTimeTimer(t) {
        // The final watermark: only end-of-time timers still make sense (see the module comment).
        if (op.advancing === MAX_WATERMARK && t < MAX_WATERMARK) return;
        op.timers.registerEventTimeTimer(key, wk, t);
      },
      registerProcessingTimeTimer(t) {
        op.timers.registerProcessingTimeTimer(key, wk, t);
        op.armProcessingTime();
      },
      deleteEventTimeTimer: (t) => op.timers.deleteEventTimeTimer(key, wk, t),
      deleteProcessingTimeTimer: (t) => op.timers.deleteProcessingTimeTimer(key, wk, t),
      getPartitionedState: <T>(d: StateDescriptor<T>) => op.partitionedState<T>(w, d),
    };
  }

  private partitionedState<T>(w: TimeWindow, d: StateDescriptor<T>): PartitionedState<T> {
    const op = this;
    const read = (): Record<string, unknown> | undefined => op.peek(w)?.trig;
    return {
      get: () => read()?.[d.name] as T | undefined,
      update(v: T) {
        op.entry(w).trig[d.name] = v;
      },
      add(v: T) {
        const cur = read()?.[d.name] as T | undefined;
        if (cur !== undefined && !d.reduce) throw new Error(`trigger state '${d.name}' has no reduce function to add with`);
        op.entry(w).trig[d.name] = cur === undefined ? v : d.reduce!(cur, v);
      },
      clear() {
        const t = read();
        if (t) delete t[d.name];
      },
    };
  }

  private mergeContext(merged: TimeWindow, from: TimeWindow[]): OnMergeContext {
    const base = this.triggerContext(merged);
    return {
      ...base,
      mergePartitionedState: <T>(d: StateDescriptor<T>) => {
        if (!d.reduce) throw new Error(`trigger state '${d.name}' needs a reduce function to be merged`);
        let acc = this.peek(merged)?.trig[d.name] as T | undefined;
        for (const m of from) {
          const v = this.peek(m)?.trig[d.name] as T | undefined;
          if (v !== undefined) acc = acc === undefined ? v : d.reduce(acc, v);
        }
        if (acc !== undefined) this.entry(merged).trig[d.name] = acc;
      },
    };
  }

  private valueState<T>(bag: () => Record<string, unknown>, name: string): WindowValueState<T> {
    return {
      value: () => bag()[name] as T | undefined,
      update: (v: T) => void (bag()[name] = v),
      clear: () => void delete bag()[name],
    };
  }

  private processContext(w: TimeWindow, pane: PaneInfo): ProcessWindowContext {
    const key = this.key;
    const op = this;
    return {
      key,
      window: { start: w.start, end: w.end },
      pane,
      currentWatermark: () => op.watermark(),
      currentProcessingTime: () => op.ctx.now(),
      windowState: <T>(name: string) => {
        if (op.merging) throw new Error('per-window state is not supported with merging windows (as in Flink)');
        return op.valueState<T>(() => op.entry(w).user, name);
      },
      globalState: <T>(name: string) =>
        op.valueState<T>(() => {
          let g = op.global.get(key);
          if (!g) op.global.set(key, (g = {}));
          return g;
        }, name),
      output: (tag, value) => op.out.side(tag, value, windowMaxTimestamp(w)),
    };
  }

  // ---- elements -----------------------------------------------------------------------------

  private cleanupTime(w: TimeWindow): number {
    return this.eventTime ? eventCleanupTime(w, this.opts.allowedLatenessMs) : windowMaxTimestamp(w);
  }

  private isLate(w: TimeWindow, wm: number): boolean {
    return this.eventTime && isWindowLate(w, wm, this.opts.allowedLatenessMs);
  }

  /**
   * The window's cleanup time, or, for a window Flink never cleans up (the
   * global window, or a cleanup time past the end of time) when a closing
   * behaviour is set, the final watermark: Beam closes every window at the
   * end of input.
   */
  private closingTime(w: TimeWindow): number | undefined {
    const t = this.cleanupTime(w);
    if (t < MAX_WATERMARK) return t;
    return this.opts.closing !== undefined ? MAX_WATERMARK : undefined;
  }

  private registerCleanupTimer(w: TimeWindow): void {
    const t = this.cleanupTime(w);
    if (t >= MAX_WATERMARK) {
      if (this.opts.closing !== undefined) this.timers.registerEventTimeTimer(this.key, windowKey(w), MAX_WATERMARK);
      return;
    }
    if (this.eventTime) this.timers.registerEventTimeTimer(this.key, windowKey(w), t);
    else {
      this.timers.registerProcessingTimeTimer(this.key, windowKey(w), t);
      this.armProcessingTime();
    }
  }

  private deleteCleanupTimer(w: TimeWindow): void {
    const t = this.cleanupTime(w);
    if (t >= MAX_WATERMARK) {
      if (this.opts.closing !== undefined) this.timers.deleteEventTimeTimer(this.key, windowKey(w), MAX_WATERMARK);
      return;
    }
    if (this.eventTime) this.timers.deleteEventTimeTimer(this.key, windowKey(w), t);
    else this.timers.deleteProcessingTimeTimer(this.key, windowKey(w), t);
  }

  private sessionSet(): MergingWindowSet {
    let set = this.sessions.get(this.key);
    if (!set) this.sessions.set(this.key, (set = new MergingWindowSet()));
    return set;
  }

  processElement(value: unknown, ts: number): void {
    const wm = this.ctx.currentWatermark();
    const windows = assignFlinkWindows(this.opts.assigner, ts, this.ctx.now());
    let joined = 0;
    let skipped: TimeWindow[] | undefined;
    let closed: TimeWindow[] | undefined;
    for (const assigned of windows) {
      const w = this.merging ? this.sessionSet().addWindow(assigned, (merged, from) => this.onMerge(merged, from)) : assigned;
      if (this.isLate(w, wm)) {
        if (this.merging) this.sessions.get(this.key)?.remove(w);
        (skipped ??= []).push(w);
        continue;
      }
      if (this.peek(w)?.closed) {
        // Beam: the window's trigger has finished; the window takes nothing more.
        (closed ??= []).push(w);
        continue;
      }
      joined++;
      const id = idOf(value);
      const trace = this.ctx.trace;
      if (this.merging && this.eventTime) trace.emit('session.add', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, start: w.start, end: w.end, wm });
      this.addTo(this.entry(w), value, ts);
      if (this.eventTime && windowMaxTimestamp(w) <= wm) {
        trace.emit('window.late', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, start: w.start, end: w.end, wm });
      }
      const r = this.opts.trigger.onElement(value, ts, w, this.triggerContext(w));
      this.apply(w, r, 'element', false);
      // A merging window that just closed is gone (see `closeWindow`): it needs no cleanup timer.
      if (!this.merging || this.sessions.get(this.key)?.has(w)) this.registerCleanupTimer(w);
    }
    if (closed) this.closedDrop(value, ts, wm, closed, joined === 0);
    if (joined === 0 && !closed) this.late(value, ts, wm);
    else if (skipped) {
      for (const w of skipped) {
        this.ctx.trace.emit('window.skip', { task: this.ctx.taskName, attempt: this.ctx.attempt, id: idOf(value), key: this.key, start: w.start, end: w.end, wm });
      }
    }
  }

  /** A record too late for every window: to the late side output, or dropped and counted (`dropped: true` in the trace). */
  private late(value: unknown, ts: number, wm: number): void {
    const id = idOf(value);
    if (this.opts.lateTag === undefined) {
      this.lateDropped++;
      this.ctx.trace.emit('record.late', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, ts, wm, dropped: true });
      return;
    }
    this.ctx.trace.emit('record.late', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, ts, wm });
    const rec: LateRecord = { type: 'late', id: id ?? -1, key: this.key, ts, watermark: wm, record: value };
    this.out.side(this.opts.lateTag, rec, ts);
  }

  /**
   * A record that came for windows whose trigger had finished (Beam's
   * closed windows): traced per window as `window.closed-drop`, counted per
   * window (Beam's droppedDueToClosedWindow). If no window took it, it goes
   * to the late side output when there is one (`sideOutput: true`), else it
   * is dropped and counted with the late drops (`dropped: true`).
   */
  private closedDrop(value: unknown, ts: number, wm: number, windows: TimeWindow[], takenByNone: boolean): void {
    const id = idOf(value);
    this.closedDropped += windows.length;
    const outcome = !takenByNone ? {} : this.opts.lateTag === undefined ? { dropped: true } : { sideOutput: true };
    for (const w of windows) {
      this.ctx.trace.emit('window.closed-drop', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, start: w.start, end: w.end, ts, wm, ...outcome });
    }
    if (!takenByNone) return;
    if (this.opts.lateTag === undefined) {
      this.lateDropped++;
      return;
    }
    const rec: LateRecord = { type: 'late', id: id ?? -1, key: this.key, ts, watermark: wm, record: value };
    this.out.side(this.opts.lateTag, rec, ts);
  }

  /** Session windows merged: trigger state first, then the merged windows' timers, then their contents. */
  private onMerge(merged: TimeWindow, from: TimeWindow[]): void {
    this.opts.trigger.onMerge?.(merged, this.mergeContext(merged, from));
    for (const m of from) {
      this.opts.trigger.clear(m, this.triggerContext(m));
      this.deleteCleanupTimer(m);
    }
    const target = this.entry(merged);
    for (const m of from) {
      const e = this.peek(m);
      if (!e) continue;
      if (e.has) {
        if (!target.has) {
          target.acc = e.acc;
          target.elements = e.elements;
          target.ids = e.ids;
        } else if (this.buffered) target.elements = target.elements.concat(e.elements);
        else {
          const agg = (this.opts.fn as Extract<WindowFunctionSpec, { kind: 'aggregate' }>).aggregate;
          target.acc = agg.merge(target.acc, e.acc);
          target.ids = target.ids.concat(e.ids);
        }
        target.has = true;
        if (e.fresh) target.fresh = true;
      }
      this.dropEntry(m);
    }
  }

  // ---- firing -------------------------------------------------------------------------------

  /**
   * Carries out a trigger's decision; true when a pane was emitted. A
   * firing emits if the window has contents, or, empty, if its pane is
   * ON_TIME under FIRE_ALWAYS, or if it is final (the trigger finished)
   * under the closing behaviour FIRE_ALWAYS — Beam's rule for which panes
   * are observable. A trigger that finished with this firing closes the
   * window, whether or not a pane was emitted.
   */
  private apply(w: TimeWindow, r: TriggerResult, cause: Cause, isLast: boolean, timerTs?: number): boolean {
    const fire = isFire(r);
    let emitted = false;
    let finished = false;
    if (fire) {
      const e = this.peek(w);
      finished = this.opts.trigger.finishesOnFire?.(w, this.triggerContext(w)) === true;
      const last = isLast || finished;
      if (e && !e.closed) {
        const emptyOnTime = this.onTime === 'FIRE_ALWAYS' && this.timingOf(w, e, cause, timerTs) === 'ON_TIME';
        const emptyFinal = last && this.opts.closing === 'FIRE_ALWAYS';
        if (e.has || emptyOnTime || emptyFinal) {
          this.emit(w, e, cause, last, timerTs);
          emitted = true;
        }
      }
    }
    if (isPurge(r) || (fire && this.opts.discarding)) {
      const e = this.peek(w);
      if (e) this.purge(e);
    }
    if (finished) this.closeWindow(w);
    return emitted;
  }

  /**
   * The trigger finished: the window is closed (Beam's ReduceFnRunner,
   * "if trigger is closed we will ignore all new incoming elements"). Its
   * contents and trigger state (timers included) go; a non-merging window
   * keeps a closed entry until its cleanup time so later elements for it
   * are dropped; a merging (session) window is forgotten at once, as Beam
   * removes it from its active windows, so a later element starts a new
   * session.
   */
  private closeWindow(w: TimeWindow): void {
    if (this.merging) {
      this.deleteCleanupTimer(w);
      this.clearAll(w);
      return;
    }
    this.opts.trigger.clear(w, this.triggerContext(w));
    const e = this.entry(w);
    this.purge(e);
    e.trig = {};
    e.closed = true;
  }

  /** The timing of the pane a firing would emit now. */
  private timingOf(w: TimeWindow, e: Entry, cause: Cause, timerTs: number | undefined): PaneInfo['timing'] {
    // An event-time timer is judged by its own time (several can fire in one watermark advance).
    const clock = cause === 'event' ? timerTs! : this.eventTime || this.opts.assigner.kind === 'global' ? this.watermark() : this.ctx.now();
    if (clock < windowMaxTimestamp(w)) return 'EARLY';
    return !e.onTime && cause !== 'element' ? 'ON_TIME' : 'LATE';
  }

  private emit(w: TimeWindow, e: Entry, cause: Cause, isLast: boolean, timerTs: number | undefined): void {
    const wm = this.watermark();
    const maxTs = windowMaxTimestamp(w);
    const timing = this.timingOf(w, e, cause, timerTs);
    if (timing !== 'EARLY') e.onTime = true;
    const firing = e.panes++;
    const pane: PaneInfo = { timing, index: firing, isFirst: firing === 0, isLast };
    e.lastPane = pane;
    e.fresh = false;

    let inputs: unknown[];
    let ids: number[];
    const fn = this.opts.fn;
    if (this.buffered) {
      const ectx: EvictorContext = { getCurrentProcessingTime: () => this.ctx.now(), getCurrentWatermark: () => wm };
      this.opts.evictor?.evictBefore(e.elements, w, ectx);
      ids = [];
      for (const el of e.elements) {
        const id = idOf(el.value);
        if (id !== undefined) ids.push(id);
      }
      if (fn.kind === 'aggregate') {
        let acc = fn.aggregate.createAccumulator();
        for (const el of e.elements) acc = fn.aggregate.add(el.value, acc);
        inputs = [fn.aggregate.getResult(acc)];
      } else inputs = e.elements.map((el) => el.value);
      this.opts.evictor?.evictAfter(e.elements, w, ectx);
    } else {
      ids = e.ids;
      const agg = (fn as Extract<WindowFunctionSpec, { kind: 'aggregate' }>).aggregate;
      // An empty pane (a closing pane under FIRE_ALWAYS after a discarding firing): the empty accumulator's result.
      inputs = [agg.getResult(e.has ? e.acc : agg.createAccumulator())];
    }
    ids = sortedNumbers(ids);
    this.ctx.trace.emit('window.fire', { task: this.ctx.taskName, attempt: this.ctx.attempt, key: this.key, start: w.start, end: w.end, wm, firing, count: ids.length, timing, ...(isLast ? { last: true } : {}) });
    const process = fn.process;
    if (process) {
      const out = this.out;
      process.process(this.key, this.processContext(w, pane), inputs, { collect: (v) => out.collect(v, maxTs) });
      return;
    }
    this.out.collect({ type: 'window', key: this.key, start: w.start, end: w.end, value: inputs[0], firing, ids, ts: maxTs, pane }, maxTs);
  }

  private clearAll(w: TimeWindow): void {
    this.opts.trigger.clear(w, this.triggerContext(w));
    const e = this.peek(w);
    const process = this.opts.fn.process;
    if (process?.clear) process.clear(this.processContext(w, e?.lastPane ?? { timing: 'EARLY', index: -1, isFirst: false, isLast: true }));
    this.dropEntry(w);
    if (this.merging) this.sessions.get(this.key)?.remove(w);
  }

  private onTimer(key: string, wk: string, ts: number, domain: 'event' | 'processing'): void {
    this.key = key;
    const w = parseKey(wk);
    // A timer of a window that was merged away: its state is gone (Flink returns too).
    if (this.merging && !this.sessions.get(key)?.has(w)) return;
    const closeAt = this.closingTime(w);
    const closeDomain = closeAt === MAX_WATERMARK || this.eventTime ? 'event' : 'processing';
    const cleanup = domain === closeDomain && ts === closeAt;
    if (this.peek(w)?.closed) {
      // A closed window (its trigger finished) fires nothing, not even a closing pane; at its
      // cleanup time it is forgotten, and later elements for it are late as usual.
      if (cleanup) this.clearAll(w);
      return;
    }
    const ctx = this.triggerContext(w);
    const r = domain === 'event' ? this.opts.trigger.onEventTime(ts, w, ctx) : this.opts.trigger.onProcessingTime(ts, w, ctx);
    const emitted = this.apply(w, r, domain, cleanup, ts);
    if (cleanup) {
      // Beam's closing pane: the trigger did not fire at the cleanup, yet elements came since the
      // last pane (FIRE_IF_NON_EMPTY), or a final pane is wanted regardless (FIRE_ALWAYS).
      const e = this.peek(w);
      const closing = this.opts.closing;
      if (!emitted && e && !e.closed && closing !== undefined && (e.fresh === true || closing === 'FIRE_ALWAYS')) this.emit(w, e, domain, true, ts);
      // (A session window its trigger closed just now is already gone.)
      if (!this.merging || this.sessions.get(key)?.has(w)) this.clearAll(w);
    }
  }

  processWatermark(wm: number): void {
    if (wm > this.timers.currentWatermark()) {
      this.advancing = wm;
      try {
        this.timers.advanceWatermark(wm, (key, wk, ts) => this.onTimer(key, wk, ts, 'event'));
      } finally {
        this.advancing = undefined;
      }
    }
    this.out.emitWatermark(wm);
  }

  private armProcessingTime(): void {
    const next = this.timers.nextProcessingTime();
    if (next === undefined || this.quiesced || (this.armedAt !== undefined && this.armedAt <= next)) return;
    // A timer earlier than the scheduled wake-up gets its own; a later wake-up then finds nothing due.
    this.armedAt = next;
    this.ctx.after(Math.max(0, next - this.ctx.now()), () => {
      if (this.armedAt === next) this.armedAt = undefined;
      if (this.quiesced) return;
      this.timers.advanceProcessingTime(this.ctx.now(), (key, wk, ts) => this.onTimer(key, wk, ts, 'processing'));
      this.armProcessingTime();
    });
  }

  endInput(): void {
    this.quiesced = true;
  }

  inspect(): Partial<OperatorView> {
    const timers = this.timers.views();
    const state: StateEntryView[] = [];
    for (const [key, m] of this.entries) {
      for (const [wk, e] of m) {
        const contents = this.buffered ? { elements: cloneJson(e.elements) } : { accumulator: e.has ? cloneJson(e.acc) : undefined, ids: e.ids.slice() };
        state.push({ name: 'window', key, namespace: wk, value: { ...contents, panes: e.panes, ...(e.closed ? { closed: true } : {}) } });
        if (Object.keys(e.trig).length > 0) state.push({ name: 'trigger', key, namespace: wk, value: cloneJson(e.trig) });
        if (Object.keys(e.user).length > 0) state.push({ name: 'window-state', key, namespace: wk, value: cloneJson(e.user) });
      }
    }
    for (const [key, g] of this.global) if (Object.keys(g).length > 0) state.push({ name: 'global-state', key, namespace: '', value: cloneJson(g) });
    return { eventTimeTimers: timers.eventTime, processingTimeTimers: timers.processingTime, state: sortEntries(state), lateRecordsDropped: this.lateDropped, droppedDueToClosedWindow: this.closedDropped };
  }

  snapshotState(): Snapshot {
    const entries: Snapshot['entries'] = [];
    // Live entries: the task copies the snapshot at once.
    for (const [key, m] of this.entries) for (const [wk, e] of m) entries.push([key, wk, e]);
    const sessions: Snapshot['sessions'] = [];
    for (const [key, set] of this.sessions) sessions.push([key, set.snapshot()]);
    const global: Snapshot['global'] = [];
    for (const [key, g] of this.global) global.push([key, g]);
    return { entries, sessions, global, timers: this.timers.snapshot() };
  }

  rescaleState(states: unknown[], owns: (key: string) => boolean): void {
    const parts = states as Snapshot[];
    this.restoreState({
      entries: ownedEntries(parts.map((p) => p.entries), owns),
      sessions: ownedEntries(parts.map((p) => p.sessions), owns),
      global: ownedEntries(parts.map((p) => p.global), owns),
      timers: rescaleTimers(parts.map((p) => p.timers as TimerServiceSnapshot<string>), owns),
    } satisfies Snapshot);
  }

  restoreState(snap: unknown): void {
    const s = snap as Snapshot;
    this.entries = new Map();
    for (const [key, wk, e] of s.entries) {
      let m = this.entries.get(key);
      if (!m) this.entries.set(key, (m = new Map()));
      m.set(wk, cloneJson(e));
    }
    this.sessions = new Map(s.sessions.map(([key, ws]) => [key, new MergingWindowSet(ws)]));
    this.global = new Map(s.global.map(([key, g]) => [key, cloneJson(g)]));
    this.timers = new TimerService<string>();
    this.timers.restore(s.timers as never);
    this.armProcessingTime();
  }
}
