/**
 * The event-time window operator (Flink's WindowOperator with the
 * EventTimeTrigger), for tumbling, sliding and session windows.
 *
 * Per key it keeps one accumulator per window plus the ids of the records in
 * it (lineage, for the checkers). Each window has an event-time timer at
 * `maxTimestamp = end - 1` (the on-time firing) and a cleanup timer at
 * `maxTimestamp + allowedLateness` (state purge); with no lateness they are
 * the same timer.
 *
 * Lateness, exactly as Flink decides it:
 * - a window is late when `maxTimestamp + allowedLateness <= watermark`; a
 *   record skips every late window it belongs to;
 * - a record that joins a window whose `maxTimestamp <= watermark` (already
 *   fired, or never fired for lack of data) makes it fire at once: a late
 *   firing, with `firing` one higher than the last;
 * - a record skipped by every window goes to the late side output, or,
 *   without one, is dropped and counted (Flink's numLateRecordsDropped) —
 *   never silently nowhere: `record.late` is traced either way. One skipped
 *   by some windows only joins the rest (sliding windows) and the skips are
 *   traced.
 *
 * Panes (Beam's PaneInfo, as the general operator `triggered-window.ts`
 * labels them under EventTimeTrigger): the firing by the window's timer at
 * `maxTimestamp` is ON_TIME, every firing caused by a late element is LATE;
 * the pane index is `firing` (the window's firing count, checkpointed with
 * its state, so a restored window goes on numbering where it was), `isFirst`
 * marks index 0, and `isLast` marks a pane fired at the window's cleanup time
 * (no allowed lateness: the on-time pane is the only one). A window first
 * fired by a late element (it had no data when the watermark passed its end)
 * starts with a LATE pane 0. A merged session window starts its panes over:
 * the merge result is always a new window, and Beam forgets the panes of the
 * windows merged away (its merge result starts fresh when new); the general
 * path does the same.
 */
import { sortEntries, type Output, type OperatorContext, type OperatorView, type StateEntryView, type StreamOperator } from './operator.ts';
import type { AggregateFunction } from './aggregates.ts';
import { assignWindows, isMerging, tumblingWindowStart, type WindowAssigner } from '../../../stream/assigners.ts';
import { maxTimestamp, windowKey, type TimeWindow } from '../../../stream/time-window.ts';
import { cleanupTime, isWindowLate } from '../windows/lateness.ts';
import { MergingWindowSet } from '../windows/merging.ts';
import { TimerService, type TimerServiceSnapshot } from '../time/timers.ts';
import { ownedEntries, rescaleTimers } from '../state/rescale.ts';
import type { LateRecord, PaneInfo, WindowResult } from '../../../stream/records.ts';
import { cloneJson } from '../../../stream/plain-data.ts';
import { sortedNumbers } from '../../../runtime/arrays.ts';

export type { AggregateFunction } from './aggregates.ts';

export interface WindowOperatorOptions {
  assigner: WindowAssigner;
  allowedLatenessMs: number;
  lateTag: string | undefined;
  aggregate: AggregateFunction;
}

interface WindowState {
  start: number;
  end: number;
  acc: unknown;
  ids: number[];
  /** How many times this window has fired. */
  fired: number;
}

interface WindowSnapshot {
  windows: [string, number, number, unknown, number[], number][];
  sessions: [string, TimeWindow[]][];
  timers: unknown;
}

/** A record's lineage id (undefined for an element without a numeric `id`). */
const idOf = (v: unknown): number | undefined => {
  const id = (v as { id?: unknown } | null)?.id;
  return typeof id === 'number' ? id : undefined;
};

export class WindowOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private out!: Output;
  private key = '';
  private readonly state = new Map<string, Map<string, WindowState>>();
  private readonly sessions = new Map<string, MergingWindowSet>();
  private timers = new TimerService<string>();
  private readonly merging: boolean;
  /** The namespace string of the window last added to: a dense stream adds to the same window again and again. */
  private lastStart = 0;
  private lastEnd = 0;
  private lastWk: string | undefined;
  /** The window list of the last tumbling assignment, reused while records fall into the same window. */
  private tumblingWindows: readonly TimeWindow[] | undefined;
  /** Planted bugs, read once at open (a run's bug switches do not change). */
  private latenessOffByOne = false;
  private fireAtEnd = false;
  private touchingMerges = true;
  private paneCountLost = false;
  /** Records dropped as late by this instance (not checkpointed: a metric, as Flink's counter). */
  private lateDropped = 0;

  constructor(private readonly opts: WindowOperatorOptions) {
    this.merging = isMerging(opts.assigner);
  }

  open(ctx: OperatorContext, out: Output): void {
    this.ctx = ctx;
    this.out = out;
    this.latenessOffByOne = ctx.bugs.has('lateness-off-by-one');
    this.fireAtEnd = ctx.bugs.has('fire-at-end');
    this.touchingMerges = !ctx.bugs.has('session-merge-off-by-one');
    this.paneCountLost = ctx.bugs.has('pane-index-not-restored');
  }

  setCurrentKey(key: string): void {
    this.key = key;
  }

  private isLate(w: TimeWindow, wm: number): boolean {
    // The planted bug judges the window against a watermark one millisecond ahead.
    return isWindowLate(w, this.latenessOffByOne ? wm + 1 : wm, this.opts.allowedLatenessMs);
  }

  /** `assignWindows`; a tumbling assignment reuses the list (windows are immutable) while the window stays the same. */
  private assign(ts: number): readonly TimeWindow[] {
    const a = this.opts.assigner;
    if (a.kind !== 'tumbling') return assignWindows(a, ts);
    const start = tumblingWindowStart(a, ts);
    const cached = this.tumblingWindows;
    if (cached !== undefined && cached[0]!.start === start) return cached;
    return (this.tumblingWindows = [{ start, end: start + a.sizeMs }]);
  }

  processElement(value: unknown, ts: number): void {
    const wm = this.ctx.currentWatermark();
    const windows = this.assign(ts);
    let joined = 0;
    let skipped: TimeWindow[] | undefined;
    for (const assigned of windows) {
      const w = this.merging ? this.mergeSession(assigned) : assigned;
      if (this.isLate(w, wm)) {
        if (this.merging) this.sessions.get(this.key)?.remove(w);
        (skipped ??= []).push(w);
        continue;
      }
      joined++;
      // Session windows: which session the record joined, at which watermark (the session judge
      // reads when each record arrived, to tell a legitimate split from a merge that was missed).
      if (this.merging) this.ctx.trace.emit('session.add', { task: this.ctx.taskName, attempt: this.ctx.attempt, id: idOf(value), key: this.key, start: w.start, end: w.end, wm });
      this.addTo(w, value, wm);
    }
    if (joined === 0) this.late(value, ts, wm);
    else if (skipped) {
      for (const w of skipped) {
        this.ctx.trace.emit('window.skip', { task: this.ctx.taskName, attempt: this.ctx.attempt, id: idOf(value), key: this.key, start: w.start, end: w.end, wm });
      }
    }
  }

  /**
   * A record too late for every window: to the late side output, or, without one, dropped and
   * counted (Flink's numLateRecordsDropped). `record.late` carries `dropped: true` for a drop.
   */
  private late(value: unknown, ts: number, wm: number): void {
    const id = idOf(value);
    // The planted bug makes the same late decision (traced, so a replay can show where the record's
    // fate was decided) and then drops the record instead of sending it to the side output.
    if (this.opts.lateTag === undefined || this.ctx.bugs.has('drop-late-silently')) {
      this.lateDropped++;
      this.ctx.trace.emit('record.late', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, ts, wm, dropped: true });
      return;
    }
    this.ctx.trace.emit('record.late', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, ts, wm });
    const rec: LateRecord = { type: 'late', id: id ?? -1, key: this.key, ts, watermark: wm, record: value };
    this.out.side(this.opts.lateTag, rec, ts);
  }

  private windowsOfKey(): Map<string, WindowState> {
    let m = this.state.get(this.key);
    if (!m) this.state.set(this.key, (m = new Map()));
    return m;
  }

  private windowKeyOf(w: TimeWindow): string {
    if (this.lastWk === undefined || w.start !== this.lastStart || w.end !== this.lastEnd) {
      this.lastStart = w.start;
      this.lastEnd = w.end;
      this.lastWk = windowKey(w);
    }
    return this.lastWk;
  }

  private addTo(w: TimeWindow, value: unknown, wm: number): void {
    const wk = this.windowKeyOf(w);
    const windows = this.windowsOfKey();
    let st = windows.get(wk);
    if (!st) {
      st = { start: w.start, end: w.end, acc: this.opts.aggregate.createAccumulator(), ids: [], fired: 0 };
      windows.set(wk, st);
      this.registerTimers(w, wk);
    }
    st.acc = this.opts.aggregate.add(value, st.acc);
    const id = idOf(value);
    // Lineage is of records with ids; a typed element without one counts in the result only.
    if (id !== undefined) st.ids.push(id);
    if (maxTimestamp(w) <= wm) {
      // The watermark is already past this window's end: Flink's trigger fires at once.
      this.ctx.trace.emit('window.late', { task: this.ctx.taskName, attempt: this.ctx.attempt, id, key: this.key, start: w.start, end: w.end, wm });
      this.fire(st, wm, 'LATE', false);
    }
  }

  /** When the on-time firing is due (the planted bug `fire-at-end` moves it one millisecond late). */
  private fireTime(w: TimeWindow): number {
    return this.fireAtEnd ? w.end : maxTimestamp(w);
  }

  private registerTimers(w: TimeWindow, wk: string): void {
    this.timers.registerEventTimeTimer(this.key, wk, this.fireTime(w));
    this.timers.registerEventTimeTimer(this.key, wk, cleanupTime(w, this.opts.allowedLatenessMs));
  }

  /** Adds a session window to the key's merging set; merges state of the windows it absorbed. */
  private mergeSession(w: TimeWindow): TimeWindow {
    let set = this.sessions.get(this.key);
    if (!set) this.sessions.set(this.key, (set = new MergingWindowSet([], { touchingMerges: this.touchingMerges })));
    return set.addWindow(w, (merged, from) => {
      const windows = this.windowsOfKey();
      const mk = windowKey(merged);
      let target: WindowState | undefined;
      from.forEach((f, i) => {
        const fk = windowKey(f);
        const st = windows.get(fk);
        windows.delete(fk);
        this.deleteTimers(f, fk);
        if (!st || (i === 0 && from.length > 1 && this.ctx.bugs.has('session-merge-loses-side'))) return;
        if (!target) target = { start: merged.start, end: merged.end, acc: st.acc, ids: st.ids, fired: 0 };
        else {
          target.acc = this.opts.aggregate.merge(target.acc, st.acc);
          target.ids = target.ids.concat(st.ids);
        }
      });
      if (target) {
        windows.set(mk, target);
        this.registerTimers(merged, mk);
      }
    });
  }

  private deleteTimers(w: TimeWindow, wk: string): void {
    this.timers.deleteEventTimeTimer(this.key, wk, this.fireTime(w));
    this.timers.deleteEventTimeTimer(this.key, wk, cleanupTime(w, this.opts.allowedLatenessMs));
  }

  private fire(st: WindowState, wm: number, timing: 'ON_TIME' | 'LATE', isLast: boolean): void {
    const ids = sortedNumbers(st.ids);
    const pane: PaneInfo = { timing, index: st.fired, isFirst: st.fired === 0, isLast };
    const result: WindowResult = {
      type: 'window',
      key: this.key,
      start: st.start,
      end: st.end,
      value: this.opts.aggregate.getResult(st.acc),
      firing: st.fired,
      ids,
      ts: st.end - 1,
      pane,
    };
    this.ctx.trace.emit('window.fire', { task: this.ctx.taskName, attempt: this.ctx.attempt, key: this.key, start: st.start, end: st.end, wm, firing: st.fired, count: ids.length });
    st.fired++;
    this.out.collect(result, result.ts);
  }

  processWatermark(wm: number): void {
    // A restored timer service may already be ahead of a watermark that was not restored.
    if (wm > this.timers.currentWatermark()) this.timers.advanceWatermark(wm, (key, wk, ts) => this.onEventTime(key, wk, ts, wm));
    this.out.emitWatermark(wm);
  }

  private onEventTime(key: string, wk: string, ts: number, wm: number): void {
    const windows = this.state.get(key);
    const st = windows?.get(wk);
    if (!windows || !st) return;
    this.key = key;
    const w = { start: st.start, end: st.end };
    const cleanup = ts === cleanupTime(w, this.opts.allowedLatenessMs);
    if (ts === this.fireTime(w) && st.fired === 0) this.fire(st, wm, 'ON_TIME', cleanup);
    if (cleanup) {
      windows.delete(wk);
      if (windows.size === 0) this.state.delete(key);
      if (this.merging) this.sessions.get(key)?.remove(w);
    }
  }

  inspect(): Partial<OperatorView> {
    const timers = this.timers.views();
    const state: StateEntryView[] = [];
    for (const [key, m] of this.state) {
      for (const st of m.values()) {
        state.push({ name: 'window', key, namespace: windowKey(st), value: { accumulator: cloneJson(st.acc), ids: st.ids.slice(), firings: st.fired } });
      }
    }
    return { eventTimeTimers: timers.eventTime, processingTimeTimers: timers.processingTime, state: sortEntries(state), lateRecordsDropped: this.lateDropped };
  }

  snapshotState(): WindowSnapshot {
    const windows: WindowSnapshot['windows'] = [];
    for (const [key, m] of this.state) {
      // Live accumulators and id lists: the task copies the snapshot at once.
      for (const st of m.values()) windows.push([key, st.start, st.end, st.acc, st.ids, st.fired]);
    }
    const sessions: WindowSnapshot['sessions'] = [];
    for (const [key, set] of this.sessions) sessions.push([key, set.snapshot()]);
    return { windows, sessions, timers: this.timers.snapshot() };
  }

  rescaleState(states: unknown[], owns: (key: string) => boolean): void {
    const parts = states as WindowSnapshot[];
    this.restoreState({
      windows: ownedEntries(parts.map((p) => p.windows), owns),
      sessions: ownedEntries(parts.map((p) => p.sessions), owns),
      timers: rescaleTimers(parts.map((p) => p.timers as TimerServiceSnapshot<string>), owns),
    } satisfies WindowSnapshot);
  }

  restoreState(snap: unknown): void {
    const s = snap as WindowSnapshot;
    this.state.clear();
    this.sessions.clear();
    for (const [key, start, end, acc, ids, fired] of s.windows) {
      let m = this.state.get(key);
      if (!m) this.state.set(key, (m = new Map()));
      // The planted bug restores the window's contents but not its pane count.
      m.set(windowKey({ start, end }), { start, end, acc: cloneJson(acc), ids: ids.slice(), fired: this.paneCountLost ? 0 : fired });
    }
    for (const [key, ws] of s.sessions) this.sessions.set(key, new MergingWindowSet(ws, { touchingMerges: this.touchingMerges }));
    this.timers = new TimerService<string>();
    this.timers.restore(s.timers as never);
  }
}
