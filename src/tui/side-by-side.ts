/**
 * Several runs side by side on one cursor — `weir replay A B C`, `weir
 * compare … --replay`. The cursor is a virtual time, not a step: each run
 * shows its state after its last event at or before that time (before its
 * first event, its empty state), so the same crash at the same virtual time
 * lines up in every run whatever the runs' event counts.
 *
 * Everything here is a pure function of the runs' trace indexes: the keys'
 * moves (`reduceSideBySide`) and the screen as lines of styled segments
 * (`sideBySideFrame`), which the Ink component draws and the plain-text
 * output prints.
 */
import type { Key } from 'ink';
import type { Replay } from './open.ts';
import type { TraceIndex } from './model/trace-index.ts';
import type { ReplayState } from './model/types.ts';
import type { Segment } from './components/Line.tsx';
import { describeEvent, fmtNum, fmtWm } from './model/format.ts';
import { isZombie, ksInstanceStatus } from './model/kstreams.ts';
import { matchKinds } from './model/log-window.ts';
import { upperBound } from './model/int-list.ts';
import { PLAY_SPEEDS_MS } from './controller.ts';

export interface SideBySide {
  runs: readonly Replay[];
  /** The latest event time over the runs. */
  endMs: number;
  /** Every fault or recovery step of every run, by time (then run). */
  faults: readonly { t: number; run: number; index: number }[];
  /** Every failed check's step in every run, by time (then run). */
  violations: readonly { t: number; run: number; index: number; check: string; why: string }[];
}

export function openSideBySide(runs: readonly Replay[]): SideBySide {
  const faults: { t: number; run: number; index: number }[] = [];
  runs.forEach((r, run) => {
    for (let at = r.index.jump('fault', -1, 1); at !== undefined; at = r.index.jump('fault', at, 1)) {
      faults.push({ t: r.index.events[at]!.t, run, index: at });
    }
  });
  faults.sort((a, b) => a.t - b.t || a.run - b.run);
  const violations = runs.flatMap((r, run) => r.violations.map((v) => ({ t: r.index.events[v.index]?.t ?? 0, run, index: v.index, check: v.check, why: v.why })));
  violations.sort((a, b) => a.t - b.t || a.run - b.run);
  const endMs = Math.max(0, ...runs.map((r) => r.index.events[r.index.length - 1]?.t ?? 0));
  return { runs, endMs, faults, violations };
}

/** The run's step at virtual time `t`: its last event at or before `t`, or -1 when its first event comes later. */
export function stepAtTime(index: TraceIndex, t: number): number {
  if (index.length === 0 || index.events[0]!.t > t) return -1;
  return index.stepAtTime(t);
}

/** The earliest event time strictly after `t` in any run. */
export function nextEventTime(sbs: SideBySide, t: number): number | undefined {
  let best: number | undefined;
  for (const r of sbs.runs) {
    const next = r.index.events[stepAtTime(r.index, t) + 1]?.t;
    if (next !== undefined && (best === undefined || next < best)) best = next;
  }
  return best;
}

/** The latest event time strictly before `t` in any run. */
export function prevEventTime(sbs: SideBySide, t: number): number | undefined {
  let best: number | undefined;
  for (const r of sbs.runs) {
    // The last event at or before t, then back over the events at t itself.
    let i = stepAtTime(r.index, t);
    while (i >= 0 && r.index.events[i]!.t >= t) i--;
    const prev = i >= 0 ? r.index.events[i]!.t : undefined;
    if (prev !== undefined && (best === undefined || prev > best)) best = prev;
  }
  return best;
}

export interface SideBySideUi {
  /** The cursor: a virtual time in ms. */
  t: number;
  /** One line of feedback (a jump that found nothing, which run's fault the cursor is on). */
  note: string | undefined;
  /** Playing: each tick moves the cursor on by the speed's virtual ms. */
  playing?: boolean;
  /** Index into PLAY_SPEEDS_MS (default 2). */
  speed?: number;
  /** The event lists' filter (comma-separated pieces of kind names); '' or absent shows everything. */
  filter?: string;
  /** The filter being typed, when the filter prompt is open. */
  editing?: string;
  /** How many failed checks `v` has visited (the next one is this, modulo their number). */
  violation?: number;
  /**
   * Set by `v`: the run whose failed check the cursor is on, shown at that check's own step
   * (as `v` in a single replay) rather than after every event of its millisecond. Any other
   * key lets go of it.
   */
  pin?: { run: number; step: number };
}

export type SideBySideAction =
  | 'next' | 'prev' | 'forward' | 'back' | 'fault' | 'fault-back' | 'first' | 'last'
  | 'play' | 'tick' | 'faster' | 'slower' | 'violation'
  | 'filter-open' | 'filter-back' | 'filter-done' | 'filter-cancel' | { type: 'filter-type'; text: string };

const DEFAULT_SPEED = 2;

/** Virtual time `]` and `[` move the cursor by. */
export const STRIDE_MS = 100;

export function reduceSideBySide(sbs: SideBySide, ui: SideBySideUi, a: SideBySideAction): SideBySideUi {
  if (typeof a === 'object') return ui.editing === undefined ? ui : { ...ui, editing: ui.editing + a.text };
  const moved = reduceMove(sbs, a === 'violation' || a.startsWith('filter') ? ui : { ...ui, pin: undefined }, a);
  // A key that moves the cursor by hand stops playing.
  return a === 'tick' || a === 'play' || a === 'faster' || a === 'slower' || a.startsWith('filter') ? moved : { ...moved, playing: false };
}

function reduceMove(sbs: SideBySide, ui: SideBySideUi, a: Exclude<SideBySideAction, object>): SideBySideUi {
  const at = (t: number | undefined, none: string): SideBySideUi => (t === undefined ? { ...ui, note: none } : { ...ui, t, note: undefined });
  const speed = ui.speed ?? DEFAULT_SPEED;
  switch (a) {
    case 'play':
      return { ...ui, playing: !ui.playing && ui.t < sbs.endMs, note: undefined };
    case 'tick': {
      if (!ui.playing) return ui;
      const t = Math.min(sbs.endMs, ui.t + PLAY_SPEEDS_MS[speed]!);
      return { ...ui, t, playing: t < sbs.endMs };
    }
    case 'faster':
    case 'slower': {
      const next = Math.min(PLAY_SPEEDS_MS.length - 1, Math.max(0, speed + (a === 'faster' ? 1 : -1)));
      return { ...ui, speed: next, note: `${fmtNum(PLAY_SPEEDS_MS[next]!)} ms of virtual time per tick` };
    }
    case 'violation': {
      if (sbs.violations.length === 0) {
        const judged = sbs.runs.filter((r) => r.rec.meta.checks !== undefined).length;
        const note = judged === sbs.runs.length ? 'no check failed in any run'
          : judged === 0 ? 'trace files hold no verdicts: replay the runs\' tokens to see their failed checks'
            : 'no check failed in the runs replayed from tokens (a trace file holds no verdicts)';
        return { ...ui, note };
      }
      const k = ui.violation ?? 0;
      const v = sbs.violations[k % sbs.violations.length]!;
      return { ...ui, t: v.t, pin: { run: v.run, step: v.index }, violation: k + 1, note: `${engineName(sbs.runs[v.run]!)}: ✗ ${v.check} at ${fmtNum(v.t)} ms, step ${fmtNum(v.index)}: ${v.why}` };
    }
    case 'filter-open':
      return { ...ui, editing: ui.filter ?? '', playing: false };
    case 'filter-back':
      return ui.editing === undefined ? ui : { ...ui, editing: ui.editing.slice(0, -1) };
    case 'filter-done':
      return { ...ui, filter: (ui.editing ?? ui.filter ?? '').trim(), editing: undefined };
    case 'filter-cancel':
      return { ...ui, editing: undefined };
    case 'next':
      return at(nextEventTime(sbs, ui.t), 'no run has an event after this time');
    case 'prev':
      return at(prevEventTime(sbs, ui.t), 'no run has an event before this time');
    case 'forward':
      return { ...ui, t: Math.min(sbs.endMs, ui.t + STRIDE_MS), note: undefined };
    case 'back':
      return { ...ui, t: Math.max(0, ui.t - STRIDE_MS), note: undefined };
    case 'first':
      return { ...ui, t: 0, note: undefined };
    case 'last':
      return { ...ui, t: sbs.endMs, note: undefined };
    case 'fault':
    case 'fault-back': {
      const f = a === 'fault' ? sbs.faults.find((x) => x.t > ui.t) : [...sbs.faults].reverse().find((x) => x.t < ui.t);
      if (!f) return { ...ui, note: `no ${a === 'fault' ? 'next' : 'previous'} fault in any run` };
      const r = sbs.runs[f.run]!;
      return { ...ui, t: f.t, note: `${engineName(r)}: ${describeEvent(r.index.events[f.index]!)} at ${fmtNum(f.t)} ms` };
    }
  }
}

/** The key map; in the filter prompt (`editing`), keys edit the filter. */
export function sideBySideKey(input: string, key: Partial<Key>, editing = false): SideBySideAction | 'quit' | undefined {
  if (editing) {
    if (key.return) return 'filter-done';
    if (key.escape) return 'filter-cancel';
    if (key.backspace || key.delete) return 'filter-back';
    if (input && !key.ctrl && !key.meta) return { type: 'filter-type', text: input };
    return undefined;
  }
  if (input === 'q' || (key.ctrl && input === 'c')) return 'quit';
  if (key.rightArrow || input === 'l') return 'next';
  if (key.leftArrow || input === 'h') return 'prev';
  if (key.home) return 'first';
  if (key.end) return 'last';
  const chars: Record<string, SideBySideAction> = {
    ']': 'forward', '[': 'back', f: 'fault', F: 'fault-back', g: 'first', G: 'last',
    ' ': 'play', '+': 'faster', '=': 'faster', '-': 'slower', v: 'violation', '/': 'filter-open',
  };
  return chars[input];
}

export const SIDE_BY_SIDE_KEYS = 'space play ±speed  →← event  ][ ±100ms  f/F fault  v failed check  / filter  q';

// ---- the screen ----------------------------------------------------------

function engineName(r: Replay): string {
  return r.rec.meta.engine ?? r.engine;
}

/** The run's first line: engine, which run, its step, faults so far and what is down. */
function headLine(r: Replay, s: ReplayState, step: number): Segment[] {
  const m = r.rec.meta;
  const checks = m.checks;
  const failed = checks?.filter((c) => !c.ok) ?? [];
  // The checks right after the engine's name (✓ and how many passed, or ✗ and the failed ones): a narrow column cuts the line's end, and the verdict matters most.
  return [
    { text: engineName(r), bold: true, color: 'cyan' },
    { text: checks === undefined ? '' : failed.length === 0 ? `  ✓ ${checks.length}` : `  ✗ ${failed.map((c) => c.name).join(', ')}`, color: failed.length > 0 ? 'red' : 'green' },
    { text: `  faults ${s.faults}`, color: s.faults > 0 ? 'yellow' : undefined, bold: s.faults > 0 },
    { text: s.down.length > 0 ? `  down: ${s.down.join(', ')}` : '', color: 'red', bold: true },
    { text: `  step ${fmtNum(step)}/${fmtNum(r.index.length - 1)}`, dim: true },
    { text: `  ${m.title}`, dim: true },
  ];
}

/** The engine's counters, as its single replay's header has them (the words that change in a run first). */
function countersLine(s: ReplayState): Segment[] {
  if (s.ks) {
    const g = s.ks.group;
    return [
      { text: `gen ${g.generation < 0 ? '—' : g.generation}`, bold: true },
      { text: g.rebalancing ? ' rebalancing' : '', color: 'yellow' },
      { text: `  commits ${fmtNum(s.ks.commits)}  rebalances ${s.ks.rebalances}  restores ${s.ks.restores}  fenced ${s.ks.fenced}  dropped ${fmtNum(s.ks.dropped)}` },
    ];
  }
  if (s.spark) {
    const sp = s.spark;
    const b = sp.batches.get(sp.batch);
    return [
      { text: `batch ${sp.batch < 0 ? '—' : sp.batch}${b && b.runs > 1 ? ` (run ${b.runs})` : ''}`, bold: true },
      { text: `  wm ${fmtWm(sp.watermark)}  re-runs ${sp.reruns}  retries ${sp.retries}  late rows ${fmtNum(sp.lateRows)}  skips ${sp.sinkSkips}` },
    ];
  }
  return [
    { text: `attempt ${s.jobAttempt < 0 ? '—' : s.jobAttempt}`, bold: true },
    { text: `  checkpoints ${s.checkpointsCompleted}${s.checkpointsAborted > 0 ? ` (+${s.checkpointsAborted} aborted)` : ''}${s.checkpointsLost > 0 ? ` (+${s.checkpointsLost} lost)` : ''}  txns ${s.txnsCommitted} committed, ${s.txnsAborted} aborted  late ${fmtNum(s.lateRecords)}` },
  ];
}

/** A few lines of the run's state: what is where, most telling first (a short block keeps only the first). */
function stateLines(s: ReplayState): Segment[][] {
  const lastFault = s.lastFault ? [[{ text: `last fault: ${s.lastFault.text}`, color: 'yellow' }]] : [];
  if (s.ks) {
    const ks = s.ks;
    const all = [...ks.instances.values()];
    const bad = all.some((i) => ['crashed', 'lost'].includes(ksInstanceStatus(ks, i)) || isZombie(ks, i));
    const summary: Segment[] = [{
      text: all.length === 0 ? 'no instance yet' : all.map((i) => `${i.name} ${isZombie(ks, i) ? 'zombie' : ksInstanceStatus(ks, i)}${i.cutOff.length > 0 ? ' (cut off)' : ''}`).join(', '),
      bold: true,
      color: bad ? 'red' : undefined,
    }];
    // Then each instance's tasks (the single replay's instances panel has their stream times).
    const tasks = all.map((i): Segment[] => [{ text: `${i.name} tasks ${i.tasks.length > 0 ? i.tasks.join(' ') : '—'}${i.generation >= 0 ? ` (gen ${i.generation})` : ''}`, dim: true }]);
    const restoring = [...ks.stores.values()].filter((x) => x.status === 'restoring').length;
    return [summary, ...lastFault, ...tasks, [{ text: `stores restored ${ks.stores.size - restoring}${restoring > 0 ? `, restoring ${restoring}` : ''}  txns ${ks.txnsCommitted} committed, ${ks.txnsAborted} aborted` }]];
  }
  if (s.spark) {
    const sp = s.spark;
    const execs = [...sp.executors.values()];
    const log = (name: string, top: number): string => (top < 0 ? `${name}/ empty` : `${name}/0–${top}`);
    return [
      // Executors first: a narrow column cuts from the right, and the driver is rarely the one down.
      [
        { text: execs.length > 0 ? `${execs.map((e) => `${e.name} ${e.up ? 'up' : 'down'}`).join(', ')}  ` : '', bold: true, color: execs.some((e) => !e.up) ? 'red' : undefined },
        { text: `driver ${sp.driver}`, bold: sp.driver === 'crashed', color: sp.driver === 'crashed' ? 'red' : undefined },
      ],
      ...lastFault,
      [{ text: `logs ${log('offsets', sp.offsetsLog)}  ${log('commits', sp.commitsLog)}` }],
      [{ text: `sink ${sp.sinkCommitted} txns committed, ${sp.sinkAborted} aborted` }],
    ];
  }
  const byStatus = new Map<string, number>();
  const crashedOn = new Set<string>();
  for (const t of s.tasks.values()) {
    byStatus.set(t.status, (byStatus.get(t.status) ?? 0) + 1);
    if (t.status === 'crashed' && t.process) crashedOn.add(t.process);
  }
  // "2 running, 2 crashed (tm-0)": the task manager goes with the crashed tasks, not after the list.
  const tasks = [...byStatus].map(([k, n]) => `${n} ${k}${k === 'crashed' && crashedOn.size > 0 ? ` (${[...crashedOn].join(', ')})` : ''}`).join(', ');
  const open = [...s.checkpoints.values()].filter((c) => c.status === 'in progress');
  return [
    [
      { text: s.tasks.size === 0 ? 'no task deployed yet' : `tasks ${tasks}`, bold: true, color: crashedOn.size > 0 ? 'red' : undefined },
    ],
    ...lastFault,
    [{ text: open.length > 0 ? `checkpoint ${open.map((c) => `c${c.id} ${c.acked}/${c.of || '?'} acks`).join(', ')}` : 'no checkpoint in progress' }],
    [{ text: `output visible ${fmtNum(s.committedOutput)}, pending ${fmtNum([...s.pendingOutput.values()].reduce((a, b) => a + b, 0))}` }],
  ];
}

/**
 * Events nearest the cursor: about half at or before it (the last one marked
 * ▶), the rest after it, dimmed. With a filter, only events whose kind
 * matches it, around the cursor in the same way.
 */
function eventLines(r: Replay, step: number, rows: number, filter = ''): Segment[][] {
  if (rows <= 0) return [];
  const shown = filter.trim() === '' ? undefined : matchingPositions(r, filter);
  const n = shown?.length ?? r.index.length;
  const at = (k: number): number => (shown === undefined ? k : shown[k]!);
  // The position (in the shown list) of the last shown event at or before the step.
  const here = shown === undefined ? step : upperBound(shown, step) - 1;
  let start = Math.max(0, here - Math.ceil(rows / 2) + 1);
  start = Math.max(0, Math.min(start, n - rows));
  const out: Segment[][] = [];
  if (shown !== undefined && n === 0) return [[{ text: `no event matches "${filter}"`, dim: true }]];
  for (let k = start; k < Math.min(n, start + rows); k++) {
    const i = at(k);
    const e = r.index.events[i]!;
    const mark = k === here && i <= step;
    const text = `${mark ? '▶' : ' '}${fmtNum(e.t).padStart(7)} ${e.p} ${describeEvent(e)}`;
    out.push([{ text, inverse: mark, bold: mark, dim: i > step }]);
  }
  return out;
}

/** The positions of the run's events whose kind matches `filter`, ascending. */
function matchingPositions(r: Replay, filter: string): number[] {
  const out: number[] = [];
  for (const kind of matchKinds(r.index, filter)) for (const i of r.index.positions(kind)) out.push(i);
  return out.sort((a, b) => a - b);
}

/** Least events shown per run when there is room for them. */
const MIN_EVENTS = 3;

/** One run's block at time `t` (or at `pinned`, a step of that time), at most `height` lines (not padded); `filter` narrows its events. */
export function runBlock(r: Replay, t: number, height: number, filter = '', pinned?: number): Segment[][] {
  const step = pinned ?? stepAtTime(r.index, t);
  const s = r.index.stateAt(step);
  const head = [headLine(r, s, step), countersLine(s)].slice(0, Math.max(0, height));
  const rest = Math.max(0, height - head.length);
  const state = stateLines(s);
  const stateRows = Math.min(state.length, Math.max(rest > MIN_EVENTS ? 1 : 0, rest - MIN_EVENTS));
  const events = rest - stateRows;
  return [...head, ...state.slice(0, stateRows), ...eventLines(r, step, events, filter)];
}

/** Segments cut to `width` (the last cut one ends in …) and padded with spaces to exactly `width`. */
export function fit(segs: readonly Segment[], width: number): Segment[] {
  let room = width;
  const out: Segment[] = [];
  for (const s of segs) {
    if (room <= 0 || s.text === '') continue;
    const text = s.text.length > room ? `${s.text.slice(0, Math.max(0, room - 1))}…` : s.text;
    room -= text.length;
    out.push({ ...s, text });
  }
  if (room > 0) out.push({ text: ' '.repeat(room) });
  return out;
}

/** Columns need this many characters each; below it the runs are stacked in rows. */
export const MIN_COLUMN = 36;

/**
 * The whole screen at the cursor: a title line, one column per run (or, on
 * a narrow terminal, one band of rows per run), a footer. Exactly `rows`
 * lines, none wider than `cols`.
 */
export function sideBySideFrame(sbs: SideBySide, ui: SideBySideUi, cols: number, rows: number): Segment[][] {
  const n = sbs.runs.length;
  const filter = ui.filter ?? '';
  const title: Segment[] = [
    { text: 'weir replay ', bold: true, color: 'cyan' },
    { text: `t ${fmtNum(ui.t)} ms`, bold: true },
    { text: ` of ${fmtNum(sbs.endMs)} ms` },
    { text: ui.playing ? ` ▶ ${fmtNum(PLAY_SPEEDS_MS[ui.speed ?? DEFAULT_SPEED]!)} ms/tick` : '', color: 'green', bold: true },
    { text: ` · ${n} runs, each at its last event ≤ t` },
    { text: filter !== '' ? ` · filter: ${filter}` : '', color: 'yellow' },
  ];
  const body = Math.max(0, rows - 2);
  const lines: Segment[][] = [fit(title, cols)];
  const columnWidth = Math.floor((cols - (n - 1)) / n);
  if (columnWidth >= MIN_COLUMN) {
    const blocks = sbs.runs.map((r, k) => runBlock(r, ui.t, body, filter, ui.pin?.run === k ? ui.pin.step : undefined));
    for (let i = 0; i < body; i++) {
      const line: Segment[] = [];
      blocks.forEach((b, k) => {
        if (k > 0) line.push({ text: '│', dim: true });
        line.push(...fit(b[i] ?? [], columnWidth));
      });
      lines.push(line);
    }
  } else {
    const each = Math.floor(body / n);
    let used = 0;
    sbs.runs.forEach((r, k) => {
      const h = k === n - 1 ? body - used : each;
      const b = runBlock(r, ui.t, h, filter, ui.pin?.run === k ? ui.pin.step : undefined);
      for (let i = 0; i < h; i++) lines.push(fit(b[i] ?? [], cols));
      used += h;
    });
  }
  const footer: Segment[] = ui.editing !== undefined ? [{ text: `filter (kinds, comma-separated; Enter to apply, Esc to cancel): ${ui.editing}▌`, color: 'yellow' }]
    : ui.note ? [{ text: ui.note, color: 'yellow' }] : [{ text: SIDE_BY_SIDE_KEYS, dim: true }];
  lines.push(fit(footer, cols));
  return lines.slice(0, rows);
}

/** The frame as plain text (no styles, trailing spaces trimmed). */
export function frameText(lines: readonly Segment[][]): string {
  return lines.map((l) => l.map((s) => s.text).join('').trimEnd()).join('\n');
}
