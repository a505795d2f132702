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

export interface SideBySide {
  runs: readonly Replay[];
  /** The latest event time over the runs. */
  endMs: number;
  /** Every fault or recovery step of every run, by time (then run). */
  faults: readonly { t: number; run: number; index: number }[];
}

export function openSideBySide(runs: readonly Replay[]): SideBySide {
  const faults: { t: number; run: number; index: number }[] = [];
  runs.forEach((r, run) => {
    for (let at = r.index.jump('fault', -1, 1); at !== undefined; at = r.index.jump('fault', at, 1)) {
      faults.push({ t: r.index.events[at]!.t, run, index: at });
    }
  });
  faults.sort((a, b) => a.t - b.t || a.run - b.run);
  const endMs = Math.max(0, ...runs.map((r) => r.index.events[r.index.length - 1]?.t ?? 0));
  return { runs, endMs, faults };
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
}

export type SideBySideAction = 'next' | 'prev' | 'forward' | 'back' | 'fault' | 'fault-back' | 'first' | 'last';

/** Virtual time `]` and `[` move the cursor by. */
export const STRIDE_MS = 100;

export function reduceSideBySide(sbs: SideBySide, ui: SideBySideUi, a: SideBySideAction): SideBySideUi {
  const at = (t: number | undefined, none: string): SideBySideUi => (t === undefined ? { ...ui, note: none } : { t, note: undefined });
  switch (a) {
    case 'next':
      return at(nextEventTime(sbs, ui.t), 'no run has an event after this time');
    case 'prev':
      return at(prevEventTime(sbs, ui.t), 'no run has an event before this time');
    case 'forward':
      return { t: Math.min(sbs.endMs, ui.t + STRIDE_MS), note: undefined };
    case 'back':
      return { t: Math.max(0, ui.t - STRIDE_MS), note: undefined };
    case 'first':
      return { t: 0, note: undefined };
    case 'last':
      return { t: sbs.endMs, note: undefined };
    case 'fault':
    case 'fault-back': {
      const f = a === 'fault' ? sbs.faults.find((x) => x.t > ui.t) : [...sbs.faults].reverse().find((x) => x.t < ui.t);
      if (!f) return { ...ui, note: `no ${a === 'fault' ? 'next' : 'previous'} fault in any run` };
      const r = sbs.runs[f.run]!;
      return { t: f.t, note: `${engineName(r)}: ${describeEvent(r.index.events[f.index]!)} at ${fmtNum(f.t)} ms` };
    }
  }
}

export function sideBySideKey(input: string, key: Partial<Key>): SideBySideAction | 'quit' | undefined {
  if (input === 'q' || (key.ctrl && input === 'c')) return 'quit';
  if (key.rightArrow || input === 'l') return 'next';
  if (key.leftArrow || input === 'h') return 'prev';
  if (key.home) return 'first';
  if (key.end) return 'last';
  const chars: Record<string, SideBySideAction> = { ']': 'forward', '[': 'back', f: 'fault', F: 'fault-back', g: 'first', G: 'last' };
  return chars[input];
}

export const SIDE_BY_SIDE_KEYS = '→← next/prev event (any run)  ][ ±100 ms  f/F fault  g/G start/end  q quit';

// ---- the screen ----------------------------------------------------------

function engineName(r: Replay): string {
  return r.rec.meta.engine ?? r.engine;
}

/** The run's first line: engine, which run, its step, faults so far and what is down. */
function headLine(r: Replay, s: ReplayState, step: number): Segment[] {
  const m = r.rec.meta;
  const checks = m.checks;
  const failed = checks?.filter((c) => !c.ok) ?? [];
  return [
    { text: engineName(r), bold: true, color: 'cyan' },
    { text: `  faults ${s.faults}`, color: s.faults > 0 ? 'yellow' : undefined, bold: s.faults > 0 },
    { text: s.down.length > 0 ? `  down: ${s.down.join(', ')}` : '', color: 'red', bold: true },
    { text: `  step ${fmtNum(step)}/${fmtNum(r.index.length - 1)}`, dim: true },
    { text: `  ${m.title}`, dim: true },
    { text: checks === undefined ? '' : failed.length === 0 ? `  ✓ ${checks.length} checks` : `  ✗ ${failed.map((c) => c.name).join(', ')}`, color: failed.length > 0 ? 'red' : 'green' },
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
    { text: `  checkpoints ${s.checkpointsCompleted}${s.checkpointsAborted > 0 ? ` (+${s.checkpointsAborted} aborted)` : ''}  txns ${s.txnsCommitted} committed, ${s.txnsAborted} aborted  late ${fmtNum(s.lateRecords)}` },
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
  const tasks = [...byStatus].map(([k, n]) => `${n} ${k}`).join(', ');
  const open = [...s.checkpoints.values()].filter((c) => c.status === 'in progress');
  return [
    [
      { text: s.tasks.size === 0 ? 'no task deployed yet' : `tasks ${tasks}`, bold: true, color: crashedOn.size > 0 ? 'red' : undefined },
      { text: crashedOn.size > 0 ? ` (on ${[...crashedOn].join(', ')})` : '', color: 'red' },
    ],
    ...lastFault,
    [{ text: open.length > 0 ? `checkpoint ${open.map((c) => `c${c.id} ${c.acked}/${c.of || '?'} acks`).join(', ')}` : 'no checkpoint in progress' }],
    [{ text: `output visible ${fmtNum(s.committedOutput)}, pending ${fmtNum([...s.pendingOutput.values()].reduce((a, b) => a + b, 0))}` }],
  ];
}

/** Events nearest the cursor: about half at or before it (the last one marked ▶), the rest after it, dimmed. */
function eventLines(r: Replay, step: number, rows: number): Segment[][] {
  if (rows <= 0) return [];
  const n = r.index.length;
  let start = Math.max(0, step - Math.ceil(rows / 2) + 1);
  start = Math.max(0, Math.min(start, n - rows));
  const out: Segment[][] = [];
  for (let i = start; i < Math.min(n, start + rows); i++) {
    const e = r.index.events[i]!;
    const text = `${i === step ? '▶' : ' '}${fmtNum(e.t).padStart(7)} ${e.p} ${describeEvent(e)}`;
    out.push([{ text, inverse: i === step, bold: i === step, dim: i > step }]);
  }
  return out;
}

/** Least events shown per run when there is room for them. */
const MIN_EVENTS = 3;

/** One run's block at time `t`, at most `height` lines (not padded). */
export function runBlock(r: Replay, t: number, height: number): Segment[][] {
  const step = stepAtTime(r.index, t);
  const s = r.index.stateAt(step);
  const head = [headLine(r, s, step), countersLine(s)].slice(0, Math.max(0, height));
  const rest = Math.max(0, height - head.length);
  const state = stateLines(s);
  const stateRows = Math.min(state.length, Math.max(rest > MIN_EVENTS ? 1 : 0, rest - MIN_EVENTS));
  const events = rest - stateRows;
  return [...head, ...state.slice(0, stateRows), ...eventLines(r, step, events)];
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
  const title: Segment[] = [
    { text: 'weir replay ', bold: true, color: 'cyan' },
    { text: `t ${fmtNum(ui.t)} ms`, bold: true },
    { text: ` of ${fmtNum(sbs.endMs)} ms · ${n} runs, each at its last event ≤ t` },
  ];
  const body = Math.max(0, rows - 2);
  const lines: Segment[][] = [fit(title, cols)];
  const columnWidth = Math.floor((cols - (n - 1)) / n);
  if (columnWidth >= MIN_COLUMN) {
    const blocks = sbs.runs.map((r) => runBlock(r, ui.t, body));
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
      const b = runBlock(r, ui.t, h);
      for (let i = 0; i < h; i++) lines.push(fit(b[i] ?? [], cols));
      used += h;
    });
  }
  lines.push(fit(ui.note ? [{ text: ui.note, color: 'yellow' }] : [{ text: SIDE_BY_SIDE_KEYS, dim: true }], cols));
  return lines.slice(0, rows);
}

/** The frame as plain text (no styles, trailing spaces trimmed). */
export function frameText(lines: readonly Segment[][]): string {
  return lines.map((l) => l.map((s) => s.text).join('').trimEnd()).join('\n');
}
