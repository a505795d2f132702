/**
 * What the replay keys do, as plain functions: a key press becomes an
 * action, an action moves the cursor or changes a setting. Kept apart from
 * the components so it is testable without a terminal and shared by
 * `weir replay` and the walkthroughs.
 */
import type { Key } from 'ink';
import type { JumpKind, TraceIndex } from './model/trace-index.ts';
import type { ViolationSite } from './model/violations.ts';
import { PLOT_SCALES_MS } from './model/plot.ts';
import { fmtNum } from './model/format.ts';
import { matchKinds } from './model/log-window.ts';
import { nextAfter, prevBefore } from './model/int-list.ts';

/** Virtual milliseconds one play tick advances (10 ticks a second), slowest first. */
export const PLAY_SPEEDS_MS = [1, 5, 20, 100, 500, 2000, 10_000] as const;
export const TICK_MS = 100;

export interface ReplayUi {
  cursor: number;
  playing: boolean;
  speed: number;
  /** The event log's filter (comma-separated pieces of kind names); '' shows everything. */
  filter: string;
  /** The filter being typed, when the filter prompt is open. */
  editing: string | undefined;
  help: boolean;
  /** Index into PLOT_SCALES_MS. */
  zoom: number;
  /** The failing check `v` jumps to next. */
  violation: number;
  /** One line of feedback (a jump that found nothing, where a jump landed). */
  note: string | undefined;
  /** The store view (Kafka Streams), when open: which instance (0: all, k: the k-th) and which page. */
  stores: StoreViewUi | undefined;
  /**
   * While playing: the virtual time the play has reached (the cursor is the last event at or
   * before it), so that a tick moves time by the speed even where no event falls in it.
   */
  playMs?: number;
}

export interface StoreViewUi {
  instance: number;
  page: number;
}

export type Action =
  | { type: 'step'; by: number }
  | { type: 'goto'; index: number; note?: string }
  | { type: 'jump'; kind: JumpKind; dir: 1 | -1 }
  | { type: 'violation' }
  | { type: 'play' }
  | { type: 'tick' }
  | { type: 'speed'; dir: 1 | -1 }
  | { type: 'zoom'; dir: 1 | -1 }
  | { type: 'help' }
  | { type: 'stores' }
  | { type: 'stores-instance'; dir: 1 | -1 }
  | { type: 'stores-page'; dir: 1 | -1 }
  | { type: 'filter-open' }
  | { type: 'filter-type'; text: string }
  | { type: 'filter-back' }
  | { type: 'filter-done' }
  | { type: 'filter-cancel' }
  | { type: 'set-filter'; filter: string };

export interface UiContext {
  index: TraceIndex;
  violations: readonly ViolationSite[];
  /** False for a trace file, which holds no verdicts (a token's run has them). */
  verdicts?: boolean;
}

export function initialUi(cursor = 0, filter = ''): ReplayUi {
  return { cursor, playing: false, speed: 2, filter, editing: undefined, help: false, zoom: 3, violation: 0, note: undefined, stores: undefined };
}

const JUMP_NAMES: Record<JumpKind, string> = { checkpoint: 'checkpoint step', fault: 'fault', watermark: 'watermark change' };

export function reduceUi(ui: ReplayUi, a: Action, ctx: UiContext): ReplayUi {
  const last = Math.max(0, ctx.index.length - 1);
  const at = (i: number, note?: string): ReplayUi => ({ ...ui, cursor: Math.min(last, Math.max(0, i)), note });
  switch (a.type) {
    case 'step':
      return { ...at(stepTarget(ctx.index, ui.cursor, a.by, ui.filter)), playing: false };
    case 'goto':
      return { ...at(a.index, a.note), playing: false };
    case 'jump': {
      const to = ctx.index.jump(a.kind, ui.cursor, a.dir);
      if (to === undefined) return { ...ui, note: `no ${a.dir > 0 ? 'next' : 'previous'} ${JUMP_NAMES[a.kind]}` };
      return { ...at(to), playing: false };
    }
    case 'violation': {
      if (ctx.verdicts === false) return { ...ui, note: 'a trace file holds no verdicts: replay the run\'s token to see its failed checks' };
      if (ctx.violations.length === 0) return { ...ui, note: 'no check failed in this run' };
      const v = ctx.violations[ui.violation % ctx.violations.length]!;
      return { ...at(v.index, `✗ ${v.check} at step ${fmtNum(v.index)}: ${v.why}`), violation: ui.violation + 1, playing: false };
    }
    case 'play': {
      const playing = !ui.playing && ui.cursor < last;
      return { ...ui, playing, playMs: playing ? ctx.index.events[ui.cursor]?.t ?? 0 : undefined, note: undefined };
    }
    case 'tick': {
      if (!ui.playing) return ui;
      // The play's own clock moves by the speed; the cursor follows it to the last event at or before it.
      const clock = (ui.playMs ?? ctx.index.events[ui.cursor]?.t ?? 0) + PLAY_SPEEDS_MS[ui.speed]!;
      const next = Math.max(ui.cursor, ctx.index.stepAtTime(clock));
      const playing = next < last;
      return { ...at(next), playing, playMs: playing ? clock : undefined };
    }
    case 'speed':
      return { ...ui, speed: clamp(ui.speed + a.dir, PLAY_SPEEDS_MS.length - 1) };
    case 'zoom':
      return { ...ui, zoom: clamp(ui.zoom + a.dir, PLOT_SCALES_MS.length - 1) };
    case 'help':
      return { ...ui, help: !ui.help };
    case 'stores':
      if (ui.stores !== undefined) return { ...ui, stores: undefined };
      if (ctx.index.engine !== 'kstreams') return { ...ui, note: 'the store view (s) reads Kafka Streams state stores; this run is not on Kafka Streams' };
      return { ...ui, stores: { instance: 0, page: 0 }, help: false, note: undefined };
    case 'stores-instance':
      return ui.stores === undefined ? ui : { ...ui, stores: { instance: ui.stores.instance + a.dir, page: 0 } };
    case 'stores-page':
      return ui.stores === undefined ? ui : { ...ui, stores: { ...ui.stores, page: ui.stores.page + a.dir } };
    case 'filter-open':
      return { ...ui, editing: ui.filter, playing: false };
    case 'filter-type':
      return ui.editing === undefined ? ui : { ...ui, editing: ui.editing + a.text };
    case 'filter-back':
      return ui.editing === undefined ? ui : { ...ui, editing: ui.editing.slice(0, -1) };
    case 'filter-done':
      return { ...ui, filter: (ui.editing ?? ui.filter).trim(), editing: undefined };
    case 'filter-cancel':
      return { ...ui, editing: undefined };
    case 'set-filter':
      return { ...ui, filter: a.filter };
  }
}

/**
 * Where `by` steps from `cursor` lead. With a filter, only matching events
 * count as steps, so → walks from one barrier to the next when the filter
 * is `barrier`.
 */
export function stepTarget(index: TraceIndex, cursor: number, by: number, filter: string): number {
  if (filter.trim() === '') return cursor + by;
  const lists = matchKinds(index, filter).map((k) => index.positions(k));
  let at = cursor;
  for (let n = 0; n < Math.abs(by); n++) {
    let best: number | undefined;
    for (const l of lists) {
      const c = by > 0 ? nextAfter(l, at) : prevBefore(l, at);
      if (c !== undefined && (best === undefined || (by > 0 ? c < best : c > best))) best = c;
    }
    if (best === undefined) break;
    at = best;
  }
  return at;
}

function clamp(v: number, max: number): number {
  return Math.min(max, Math.max(0, v));
}

export type KeyResult = Action | 'quit' | undefined;

/**
 * Keys that arrive together (typed ahead, held down, or sent at once by a
 * script) reach the input handler as one string, like a paste; split them so
 * that each counts. Plain ASCII, Enter and the erase keys (DEL, which
 * terminals send for Backspace, and Ctrl-H) are split, each erase key into a
 * backspace; anything else (an escape sequence) stays whole.
 */
export function splitKeys(input: string, key: Partial<Key>): [string, Partial<Key>][] {
  if (input === '\b') return [['', { backspace: true }]];
  if (input.length <= 1 || /[^\r\b\x20-\x7f]/.test(input)) return [[input, key]];
  return [...input].map((ch): [string, Partial<Key>] => (ch === '\r' ? ['', { return: true }] : ch === '\x7f' || ch === '\b' ? ['', { backspace: true }] : [ch, {}]));
}

/** The replay's key map. In the filter prompt, keys edit the filter. */
export function keyAction(input: string, key: Partial<Key>, ui: ReplayUi): KeyResult {
  if (ui.editing !== undefined) {
    if (key.return) return { type: 'filter-done' };
    if (key.escape) return { type: 'filter-cancel' };
    if (key.backspace || key.delete || (key.ctrl && input === 'h')) return { type: 'filter-back' };
    if (input && !key.ctrl && !key.meta) return { type: 'filter-type', text: input };
    return undefined;
  }
  if (input === 'q' || (key.ctrl && input === 'c')) return 'quit';
  if (ui.help && (key.escape || input === '?')) return { type: 'help' };
  if (ui.stores !== undefined && !ui.help) {
    if (key.escape) return { type: 'stores' };
    if (key.downArrow) return { type: 'stores-page', dir: 1 };
    if (key.upArrow) return { type: 'stores-page', dir: -1 };
    if (input === 'i') return { type: 'stores-instance', dir: 1 };
    if (input === 'I') return { type: 'stores-instance', dir: -1 };
  }
  if (key.rightArrow) return { type: 'step', by: 1 };
  if (key.leftArrow) return { type: 'step', by: -1 };
  if (key.pageDown) return { type: 'step', by: 100 };
  if (key.pageUp) return { type: 'step', by: -100 };
  if (key.home) return { type: 'goto', index: 0 };
  if (key.end) return { type: 'goto', index: Number.MAX_SAFE_INTEGER };
  return CHAR_KEYS[input];
}

const CHAR_KEYS: Readonly<Record<string, Action>> = {
  ' ': { type: 'play' },
  l: { type: 'step', by: 1 },
  h: { type: 'step', by: -1 },
  ']': { type: 'step', by: 10 },
  '[': { type: 'step', by: -10 },
  '}': { type: 'step', by: 100 },
  '{': { type: 'step', by: -100 },
  g: { type: 'goto', index: 0 },
  G: { type: 'goto', index: Number.MAX_SAFE_INTEGER },
  c: { type: 'jump', kind: 'checkpoint', dir: 1 },
  C: { type: 'jump', kind: 'checkpoint', dir: -1 },
  f: { type: 'jump', kind: 'fault', dir: 1 },
  F: { type: 'jump', kind: 'fault', dir: -1 },
  w: { type: 'jump', kind: 'watermark', dir: 1 },
  W: { type: 'jump', kind: 'watermark', dir: -1 },
  v: { type: 'violation' },
  '/': { type: 'filter-open' },
  '?': { type: 'help' },
  s: { type: 'stores' },
  '+': { type: 'speed', dir: 1 },
  '=': { type: 'speed', dir: 1 },
  '-': { type: 'speed', dir: -1 },
  z: { type: 'zoom', dir: -1 },
  Z: { type: 'zoom', dir: 1 },
};

/** What `c C` steps through on each engine, for the help screen. */
const C_KEY: Record<string, string> = {
  flink: 'c C        next / previous checkpoint step (inject, complete, abort)',
  kstreams: 'c C        next / previous commit step',
  spark: 'c C        next / previous micro-batch step (started, committed)',
};

/** How each engine's runs name what the screens show: the help screen's lines after the keys. */
const NAME_LINES: Record<string, readonly string[]> = {
  flink: [
    'window[1]     subtask 1 of vertex window (a checkpoint ack says 1.1)',
    'sink-0-a1-c3  sink subtask 0\'s transaction in job attempt 1 for checkpoint',
    '              3: the records before barrier 3, pre-committed at it,',
    '              committed once checkpoint 3 completes',
  ],
  kstreams: [
    '1_2           a task: sub-topology 1 on partition 2 of its topics',
    'weir-app-ks-0-0  a transactional id: application id, instance, thread;',
    '              #10 is its 10th transaction',
    'weir-app-counts-changelog, weir-app-counts-repartition  internal topics',
  ],
  spark: [
    'batch 14      micro-batch 14: offsets/14 plans it, commits/14 ends it',
    'spark-sink-1  the sink\'s transactional id for output partition 1; its',
    '              offset in group spark-sink marks "batch N written"',
  ],
};

/** The help screen's lines for a run of `engine` (the `c C` line says what that engine commits by). */
export function helpLines(engine: string): string[] {
  return HELP_LINES.map((l) => (l.startsWith('c C ') ? C_KEY[engine] ?? l : l));
}

/** The help screen's names for a run of `engine`: how its tasks, transactions and logs are named. */
export function nameLines(engine: string): readonly string[] {
  return NAME_LINES[engine] ?? [];
}

/** The help screen's lines (Flink's; `helpLines` gives an engine's). */
export const HELP_LINES: readonly string[] = [
  'space      play / pause (+ and - change the speed)',
  '→ ←  l h   one step forward / back (with a filter: to the next matching event)',
  '] [        ten steps        } {  PgDn PgUp  a hundred',
  'g G        first / last step (Home / End)',
  'c C        next / previous checkpoint step (inject, complete, abort)',
  'f F        next / previous fault or recovery step',
  'w W        next / previous task watermark change',
  'v          the step where a failed check shows (again: the next one)',
  '/          filter by kind (e.g. barrier,txn): the log shows and → ← ] [ step',
  '           through matching events only; an empty filter shows all',
  'z Z        zoom the plot in / out',
  's          Kafka Streams: the stores of every instance at this step, as',
  '           interactive queries answer (the token\'s run re-run, paused here);',
  '           in it: i I next / previous instance (or all), ↓ ↑ page, Esc closes',
  '?          this help (Esc or ? closes it)',
  'q          quit',
];
