/**
 * The Spark engine's operators as pure functions, so the executor runs them
 * and the tests script them batch by batch:
 *
 * - `mapPartition` (a map task's work): the stateless operators, the
 *   event-time statistics of each watermark operator over the rows that
 *   reach it, and the rows for the stateful operator, split by key hash over
 *   the shuffle partitions. A window aggregation is partially aggregated per
 *   (key, window); a session window gives one partial row per input row, its
 *   own session `[ts, ts + gap)` (Spark's default: no local merge).
 * - `runStateful` (a reduce task's work, part S5): the stateful operator on
 *   state version N and the batch's rows, with the late watermark (batch
 *   N−1's) and the eviction watermark (batch N's); it gives state version
 *   N+1, the rows for the sink and the rows dropped as late.
 *
 * Late filtering and eviction, per operator (exact predicates, S5):
 * - window aggregate: a partial row with `end <= wmLate` is dropped (never in
 *   complete mode); append emits and removes windows with `end <= wmEvict`,
 *   update emits every updated window and removes those with `end <=
 *   wmEvict`, complete emits everything and removes nothing;
 * - session window: a row is dropped iff `ts + gap <= wmLate`; the rest merge
 *   with the key's sessions in state that they overlap or touch, into `[min,
 *   max + gap)`; append emits and removes sessions with `end <= wmEvict`,
 *   complete emits every session every batch (update is refused);
 * - dropDuplicates: with a watermark, a row with `ts <= wmLate` is dropped;
 *   the first row of each dedup key is emitted; state of keys whose event
 *   time is `<= wmEvict` is removed (only when the event-time column is one of
 *   the dedup columns); dropDuplicatesWithinWatermark keeps
 *   `expiresAt = ts + delay` per key and removes it once `expiresAt <= wmEvict`;
 * - flatMapGroupsWithState: per key with rows, in key order, the user
 *   function gets the batch's rows of the key and its state; then every key
 *   whose timeout is strictly below the threshold (the batch timestamp for
 *   ProcessingTimeTimeout, the eviction watermark for EventTimeTimeout) is
 *   called with no rows and `hasTimedOut`. Each call starts with no timeout:
 *   one the call does not set again is cleared. A removed state that keeps a
 *   timeout stays (with no value). Only under EventTimeTimeout are rows with
 *   `ts <= wmLate` dropped as late;
 * - stream-stream join (StreamingSymmetricHashJoinExec): the left rows first,
 *   then the right: a row whose side's watermark column is `<= wmLate` is dropped; the rest probe
 *   the other side's state (same key, `right.time − left.time` in `[lower,
 *   upper]`), each match is emitted and the stored row it matched is marked
 *   matched. A left row is always stored; a right row only when its side's
 *   state watermark does not cover it, or when it matched nothing and a
 *   right or full outer join must emit it later (SPARK-49829). After both
 *   sides, rows at or below their side's state watermark are removed, and on
 *   an outer join's preserved side(s) those never matched are emitted with
 *   nulls for the other side (left side first). A left semi join emits a
 *   left row at its first match, from either pass, and never stores a
 *   matched one. The state watermarks come from the join condition and the
 *   eviction watermark as Spark's StreamingJoinHelper solves them, `<=`
 *   bounds less one: left rows with `time <= wm − upper − 1`, right rows
 *   with `time <= wm + lower − 1`. A side has a state watermark only when
 *   it carries a watermark and the other side's is on the time column
 *   (`getOneSideStateWatermarkPredicate` needs one on the side itself, and
 *   `getStateValueWatermark` one the range condition names on the other):
 *   with a watermark on one side only, the analyzer still accepts an outer
 *   join, but nothing is ever evicted, no row is emitted with nulls, and a
 *   watermark advance alone runs no batch. A side's watermark may be on
 *   another column than the time column: the late filter and its state
 *   watermark's bound then apply to that column, as Spark applies them to
 *   the side's watermarked attribute.
 */
import { hashKey } from '../../stream/partition.ts';
import type { WindowResult } from '../../stream/records.ts';
import { aggregateWatermark, joinWatermarkSides, sparkWindows, watermarkOps, type AggFn, type GroupState, type QueryPlan, type Row, type StatefulOp, type StatelessOp } from './dsl.ts';
import type { EventTimeStats, KeyedRow, PartialRow, ShuffleRow } from './messages.ts';
import { flatMapped, sortedNumbers } from '../../runtime/arrays.ts';
import { jsonCopy } from '../../stream/plain-data.ts';

// ---- map side -----------------------------------------------------------------------------------

/** Runs `ops` over `row`; `stats` collects each watermark operator's event-time statistics (from `base`). */
function runOps(ops: readonly StatelessOp[], row: Row, stats: EventTimeStats[], base: number): Row[] {
  let rows: Row[] = [row];
  let w = base;
  for (const op of ops) {
    if (rows.length === 0) break;
    switch (op.op) {
      case 'where':
        rows = rows.filter((r) => op.pred(r));
        break;
      case 'withColumn':
        rows = rows.map((r) => ({ ...r, [op.name]: op.fn(r) }));
        break;
      case 'flatMap':
        rows = flatMapped(rows, op.fn);
        break;
      case 'watermark': {
        const s = stats[w++]!;
        for (const r of rows) {
          s.max = Math.max(s.max, r[op.column] as number);
          s.count++;
        }
        break;
      }
    }
  }
  return rows;
}

const lineage = (r: Row): number => r.id as number;

/** A map task's work over the rows of one input partition's offset range. */
/** A query without a stateful operator: its stateless operators over each input row, the rows for the sink in input order. */
export function mapStateless(plan: QueryPlan, input: readonly Row[]): { stats: EventTimeStats[]; out: Row[] } {
  const stats: EventTimeStats[] = watermarkOps(plan).map(() => ({ max: Number.MIN_SAFE_INTEGER, count: 0 }));
  const out: Row[] = [];
  for (const source of input) for (const row of runOps(plan.ops, source, stats, 0)) out.push(row);
  return { stats, out };
}

export function mapPartition(plan: QueryPlan, shufflePartitions: number, input: readonly Row[]): { stats: EventTimeStats[]; shuffle: ShuffleRow[][] } {
  const wms = watermarkOps(plan);
  const stats: EventTimeStats[] = wms.map(() => ({ max: Number.MIN_SAFE_INTEGER, count: 0 }));
  const leftWms = plan.ops.filter((o) => o.op === 'watermark').length;
  const st = plan.stateful;
  const shuffle: ShuffleRow[][] = Array.from({ length: shufflePartitions }, () => []);
  const to = (key: string): ShuffleRow[] => shuffle[hashKey(key) % shufflePartitions]!;
  const partial = new Map<string, PartialRow>();
  const timeCol = plan.watermark?.column;
  const aggregate = st?.kind === 'aggregate' ? partialAggregate(st, partial, to) : undefined;
  // Only watermarks before an aggregation (the common case): each input row reaches it as it is.
  const asIs = aggregate !== undefined && plan.ops.every((o) => o.op === 'watermark');
  for (const source of input) {
    const id = lineage(source);
    if (asIs) {
      noteEventTimes(plan.ops, source, stats);
      aggregate!(source, id);
      continue;
    }
    const left = runOps(plan.ops, source, stats, 0);
    if (!st) continue;
    switch (st.kind) {
      case 'aggregate':
        for (const row of left) aggregate!(row, id);
        break;
      case 'dedup':
        for (const row of left) {
          const key = JSON.stringify(st.columns.map((c) => row[c]));
          to(key).push({ key, ts: timeCol ? (row[timeCol] as number) : 0, row, side: 0, id });
        }
        break;
      case 'groups':
        for (const row of left) {
          const key = st.key(row);
          to(key).push({ key, ts: timeCol ? (row[timeCol] as number) : 0, row, side: 0, id });
        }
        break;
      case 'join': {
        const right = runOps(st.right, source, stats, leftWms);
        for (const [side, rows] of [[0, left], [1, right]] as const) {
          for (const row of rows) {
            const key = String(row[st.keyColumn]);
            to(key).push({ key, ts: row[st.timeColumn] as number, row, side, id });
          }
        }
        break;
      }
    }
  }
  for (const p of partial.values()) {
    p.ids = sortedNumbers(p.ids);
    to(p.key).push(p);
  }
  return { stats, shuffle };
}

/** The watermark operators' statistics over one row that every operator passes as it is (`runOps` without the rest). */
function noteEventTimes(ops: readonly StatelessOp[], row: Row, stats: EventTimeStats[]): void {
  let w = 0;
  for (const op of ops) {
    if (op.op !== 'watermark') continue;
    const s = stats[w++]!;
    s.max = Math.max(s.max, row[op.column] as number);
    s.count++;
  }
}

/**
 * A map task's partial aggregation of one row: into its (key, window) partial rows, or for session
 * windows a partial row of its own. A tumbling window (slide = size) is the row's one window.
 */
function partialAggregate(st: Extract<StatefulOp, { kind: 'aggregate' }>, partial: Map<string, PartialRow>, to: (key: string) => ShuffleRow[]): (row: Row, id: number) => void {
  const w = st.window;
  const add = (key: string, start: number, end: number, value: number, id: number): void => {
    const pk = `${key}@${start}`;
    let p = partial.get(pk);
    if (!p) partial.set(pk, (p = { key, start, end, count: 0, sum: 0, ids: [] }));
    p.count++;
    p.sum += value;
    p.ids.push(id);
  };
  return (row, id) => {
    const key = String(row[st.keyColumn]);
    const ts = row[w.column] as number;
    const value = st.agg.fn === 'count' ? 0 : Number(row[st.agg.column]);
    if (w.kind === 'session') {
      to(key).push({ key, start: ts, end: ts + w.gapMs, count: 1, sum: value, ids: [id] });
      return;
    }
    if (w.sizeMs === w.slideMs) {
      const rem = ts % w.slideMs;
      const start = ts - (rem < 0 ? rem + w.slideMs : rem);
      return add(key, start, start + w.sizeMs, value, id);
    }
    for (const win of sparkWindows(w, ts)) add(key, win.start, win.end, value, id);
  };
}

// ---- reduce side --------------------------------------------------------------------------------

export interface StatefulContext {
  batch: number;
  wmLate: number;
  wmEvict: number;
  /** The batch timestamp (batchTimestampMs): processing-time timeouts are measured against it. */
  timestampMs: number;
  /** Traces a decision (`spark.late`, `spark.join.unstored`, `spark.join.outer`, `spark.timeout`). */
  trace(kind: string, fields: Record<string, string | number | boolean>): void;
  /** Planted bugs that live in an operator (off when absent). */
  bugs?: { outerEarly?: boolean; updateAll?: boolean };
}

export interface StatefulResult {
  /** State version N+1. */
  state: unknown[];
  /** The records for the sink, in order. */
  out: unknown[];
  dropped: number;
  /** (flat)MapGroupsWithState: the keys left holding a timeout (the driver runs no-data batches for them). */
  timeouts?: number;
}

/** A window's or session's state (count, sum, lineage) and how often it was emitted. */
interface AggEntry {
  key: string;
  start: number;
  end: number;
  count: number;
  sum: number;
  ids: number[];
  /** Emissions so far with these bounds (update and complete modes emit a window again and again). */
  firing: number;
}

/**
 * Whether the stateful operator of `plan` changes the state entries it is given in place, or depends
 * on their order: a join marks its rows matched in place, and its matches follow the order of its
 * rows. The others leave the entries as they are, return new ones for what they change and order
 * what they emit and keep themselves, so the state store may hand out the entries it holds, in any
 * order, without copying them. (Groups with state hand the user's function a copy of a key's value,
 * as Spark deserializes it from the stored row, and store a copy of what it writes.)
 */
export function changesStateInPlace(plan: QueryPlan): boolean {
  return plan.stateful?.kind === 'join';
}

/** The stateful operator of `plan` over state version N (`null`: none yet) and the batch's rows. */
export function runStateful(plan: QueryPlan, state: unknown[] | null, rows: readonly ShuffleRow[], ctx: StatefulContext): StatefulResult {
  const st = plan.stateful!;
  switch (st.kind) {
    case 'aggregate':
      return st.window.kind === 'session'
        ? sessionAggregate(plan, st.agg, (state ?? []) as AggEntry[], rows as PartialRow[], ctx)
        : windowAggregate(plan, st.agg, (state ?? []) as AggEntry[], rows as PartialRow[], ctx);
    case 'dedup':
      return dedup(plan, st, (state ?? []) as [string, number][], rows as KeyedRow[], ctx);
    case 'groups':
      return groups(plan, st, (state ?? []) as GroupEntry[], rows as KeyedRow[], ctx);
    case 'join':
      return join(plan, st, (state ?? []) as JoinEntry[], rows as KeyedRow[], ctx);
  }
}

const byWindow = (a: AggEntry, b: AggEntry): number => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.end - b.end;

function result(agg: AggFn, e: AggEntry): WindowResult {
  const value = agg.fn === 'count' ? e.count : agg.fn === 'sum' ? e.sum : e.count === 0 ? 0 : Math.floor(e.sum / e.count);
  return { type: 'window', key: e.key, start: e.start, end: e.end, value, firing: e.firing, ids: e.ids, ts: e.end - 1 };
}

function lateRow(ctx: StatefulContext, op: string, r: { key: string; start: number; end: number; ids: number[] }): void {
  ctx.trace('spark.late', { batch: ctx.batch, op, key: r.key, start: r.start, end: r.end, wmLate: ctx.wmLate, ids: r.ids.join(',') });
}

function windowAggregate(plan: QueryPlan, agg: AggFn, entries: AggEntry[], rows: readonly PartialRow[], ctx: StatefulContext): StatefulResult {
  // The watermark filters and evicts only when it is on the window's own column (see aggregateWatermark).
  const watermark = aggregateWatermark(plan);
  const mode = plan.sink.mode;
  // The windows by key, then by start.
  const state = new Map<string, Map<number, AggEntry>>();
  const put = (e: AggEntry): void => {
    const byStart = state.get(e.key);
    if (byStart) byStart.set(e.start, e);
    else state.set(e.key, new Map<number, AggEntry>().set(e.start, e));
  };
  // Every entry indexed, a later one with the same key and start in place of the earlier (a state
  // built from a wrong chain of files, as a planted bug makes, can hold both).
  for (let i = 0; i < entries.length; i++) put(entries[i]!);
  // The entries given are left as they are (see `changesStateInPlace`): a window this batch changes
  // gets its own copy, once, and only that copy is changed.
  const updated = new Set<AggEntry>();
  let dropped = 0;
  for (const r of rows) {
    // Late rows are filtered after partial aggregation, by the previous batch's watermark; never in complete mode.
    if (mode !== 'complete' && watermark && r.end <= ctx.wmLate) {
      dropped++;
      lateRow(ctx, 'window', r);
      continue;
    }
    let e = state.get(r.key)?.get(r.start);
    const first = e === undefined || !updated.has(e);
    if (first) {
      e = e === undefined ? { key: r.key, start: r.start, end: r.end, count: 0, sum: 0, ids: [], firing: -1 } : { ...e };
      put(e);
      updated.add(e);
    }
    e!.count += r.count;
    e!.sum += r.sum;
    // The first change makes the window's lineage a new array of its own; later ones may add to it.
    if (!first && appendsTo(e!.ids, r.ids)) for (const i of r.ids) e!.ids.push(i);
    else e!.ids = mergeSorted(e!.ids, r.ids);
  }
  const out: WindowResult[] = [];
  // Windows neither changed, emitted nor evicted stay as they are, first; the rest follow in window
  // order, the order they are emitted in. (The order of the state itself has no meaning: see
  // `changesStateInPlace`.)
  const kept: AggEntry[] = [];
  const touched: AggEntry[] = [];
  const evicts = (e: AggEntry): boolean => watermark !== undefined && e.end <= ctx.wmEvict;
  // The planted bug: update mode writes every window in state, changed by this batch or not.
  const fires = (e: AggEntry): boolean => mode === 'complete' || (mode === 'update' && (updated.has(e) || ctx.bugs?.updateAll === true)) || (mode === 'append' && evicts(e));
  for (const byStart of state.values()) {
    for (const e of byStart.values()) {
      if (updated.has(e) || fires(e)) touched.push(e);
      else if (mode === 'complete' || !evicts(e)) kept.push(e);
    }
  }
  for (let e of touched.sort(byWindow)) {
    const evict = evicts(e);
    if (fires(e)) {
      if (!updated.has(e)) e = { ...e };
      e.firing++;
      out.push(result(agg, e));
    }
    if (mode === 'complete' || !evict) kept.push(e);
  }
  return { state: kept, out, dropped };
}

function sessionAggregate(plan: QueryPlan, agg: AggFn, entries: AggEntry[], rows: readonly PartialRow[], ctx: StatefulContext): StatefulResult {
  // The watermark filters and evicts only when it is on the window's own column (see aggregateWatermark).
  const watermark = aggregateWatermark(plan);
  const mode = plan.sink.mode;
  const perKey = new Map<string, AggEntry[]>();
  const add = (e: AggEntry): void => {
    const list = perKey.get(e.key);
    if (list) list.push(e);
    else perKey.set(e.key, [e]);
  };
  // The entries given are left as they are (see `changesStateInPlace`): a key's sessions merge
  // into new entries, and a session that fires is emitted and kept as a new one.
  for (let i = 0; i < entries.length; i++) add(entries[i]!);
  let dropped = 0;
  const touched = new Set<string>();
  for (const r of rows) {
    // Per input row: its session [ts, ts + gap) is late iff it ends at or before the late watermark,
    // in every output mode (SessionWindowStateStoreRestoreExec filters its input whatever the mode;
    // only a fixed window's StateStoreSaveExec skips the filter in complete mode).
    if (watermark && r.end <= ctx.wmLate) {
      dropped++;
      lateRow(ctx, 'session', r);
      continue;
    }
    add({ key: r.key, start: r.start, end: r.end, count: r.count, sum: r.sum, ids: r.ids, firing: -1 });
    touched.add(r.key);
  }
  const merged: AggEntry[] = [];
  for (const [key, list] of perKey) {
    if (!touched.has(key)) {
      merged.push(...list);
      continue;
    }
    // Sessions that overlap or touch merge into [min, max + gap): sort by start and sweep. A session
    // keeps its emission count only while its bounds stay the same.
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    let group: AggEntry[] = [];
    const close = (): void => {
      if (group.length === 0) return;
      const start = group[0]!.start;
      const end = Math.max(...group.map((e) => e.end));
      let m: AggEntry = { key, start, end, count: 0, sum: 0, ids: [], firing: -1 };
      for (const e of group) {
        m = { ...m, count: m.count + e.count, sum: m.sum + e.sum, ids: mergeSorted(m.ids, e.ids) };
        if (e.start === start && e.end === end) m.firing = Math.max(m.firing, e.firing);
      }
      merged.push(m);
      group = [];
    };
    let groupEnd = Number.MIN_SAFE_INTEGER;
    for (const e of list) {
      if (group.length > 0 && e.start > groupEnd) close();
      if (group.length === 0) groupEnd = e.end;
      group.push(e);
      groupEnd = Math.max(groupEnd, e.end);
    }
    close();
  }
  const out: WindowResult[] = [];
  const kept: AggEntry[] = [];
  for (let e of merged.sort(byWindow)) {
    const evict = watermark !== undefined && e.end <= ctx.wmEvict;
    if (mode === 'complete' || (mode === 'append' && evict)) {
      e = { ...e, firing: e.firing + 1 };
      out.push(result(agg, e));
    }
    if (mode === 'complete' || !evict) kept.push(e);
  }
  return { state: kept, out, dropped };
}

function dedup(plan: QueryPlan, st: Extract<StatefulOp, { kind: 'dedup' }>, entries: [string, number][], rows: readonly KeyedRow[], ctx: StatefulContext): StatefulResult {
  const wm = plan.watermark;
  // Each key's entry, the very one given while it stays (see `changesStateInPlace`), so the state
  // store keeps its text; a new key gets a new entry.
  const seen = new Map<string, [string, number]>();
  for (let i = 0; i < entries.length; i++) seen.set(entries[i]![0], entries[i]!);
  const out: Row[] = [];
  let dropped = 0;
  for (const r of rows) {
    if (wm && r.ts <= ctx.wmLate) {
      dropped++;
      ctx.trace('spark.late', { batch: ctx.batch, op: 'dedup', key: r.key, ts: r.ts, wmLate: ctx.wmLate, ids: String(r.id) });
      continue;
    }
    if (seen.has(r.key)) continue;
    seen.set(r.key, [r.key, st.withinWatermark ? r.ts + wm!.delayMs : r.ts]);
    out.push(r.row);
  }
  // Eviction: within-watermark state expires at ts + delay; plain dedup state only when its key holds the event time.
  const evicts = wm !== undefined && (st.withinWatermark || st.columns.includes(wm.column));
  const kept = [...seen.values()].filter(([, t]) => !(evicts && t <= ctx.wmEvict)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { state: kept, out, dropped };
}

/** A key's group state: its value (null after `remove()` while a timeout is kept) and its timeout (-1: none). */
export type GroupEntry = [key: string, value: unknown, timeoutMs: number];

const NO_TIMESTAMP = -1;

function groups(plan: QueryPlan, st: Extract<StatefulOp, { kind: 'groups' }>, entries: GroupEntry[], rows: readonly KeyedRow[], ctx: StatefulContext): StatefulResult {
  // Each key's state; `entry`: the entry given, kept as it is while the key's state is not written.
  const state = new Map<string, { value: unknown; timeout: number; entry?: GroupEntry }>();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    // A state built from a wrong chain of files (the planted spark-state-latest-version) can hold two
    // entries of one key: the one whose text sorts last stays, whatever the order they come in.
    const had = state.get(entry[0]);
    if (had !== undefined && JSON.stringify(had.entry) > JSON.stringify(entry)) continue;
    state.set(entry[0], { value: entry[1], timeout: entry[2], entry });
  }
  const byKey = new Map<string, Row[]>();
  let dropped = 0;
  const eventTime = st.timeout === 'EventTimeTimeout';
  for (const r of rows) {
    // With event-time timeouts (only then) rows at or behind the late watermark are dropped.
    if (eventTime && plan.watermark && r.ts <= ctx.wmLate) {
      dropped++;
      ctx.trace('spark.late', { batch: ctx.batch, op: 'groups', key: r.key, ts: r.ts, wmLate: ctx.wmLate, ids: String(r.id) });
      continue;
    }
    const list = byKey.get(r.key);
    if (list) list.push(r.row);
    else byKey.set(r.key, [r.row]);
  }
  const out: Row[] = [];
  const call = (key: string, keyRows: Row[], timedOut: boolean): void => {
    const before = state.get(key);
    // The stored value stays as it is: the function sees a copy, made at its first get (Spark
    // deserializes the key's state row), so a change to it made without update() is written only
    // if the state is written for another reason (a timeout changed), as in Spark.
    let value = before?.value ?? undefined;
    // Whether `value` is the call's own object (the copy handed out, or what update() was given).
    let own = false;
    const current = (): unknown => {
      if (!own) {
        value = jsonCopy(value);
        own = true;
      }
      return value;
    };
    let exists = before !== undefined && before.value !== null;
    let updated = false;
    let removed = false;
    // A fresh GroupState per call: the timeout starts unset, so the call must set it again to keep one.
    let timeout = NO_TIMESTAMP;
    const gs: GroupState<unknown> = {
      hasTimedOut: timedOut,
      exists: () => exists,
      get: () => {
        if (!exists) throw new Error(`GroupState of key ${key}: State is either not defined or has already been removed (check exists() or use getOption())`);
        return current();
      },
      getOption: () => (exists ? current() : undefined),
      update: (s) => {
        if (s === undefined || s === null) throw new Error("GroupState.update: 'null' is not a valid state value");
        value = s;
        own = true;
        exists = true;
        updated = true;
        removed = false;
      },
      remove: () => {
        value = undefined;
        exists = false;
        updated = false;
        removed = true;
      },
      setTimeoutDuration: (ms) => {
        if (st.timeout !== 'ProcessingTimeTimeout') throw new Error('Cannot set timeout duration without enabling processing time timeout in [map|flatMap]GroupsWithState');
        if (!(ms > 0)) throw new Error('Timeout duration must be positive');
        timeout = ms + ctx.timestampMs;
      },
      setTimeoutTimestamp: (ts, additionalMs = 0) => {
        if (st.timeout !== 'EventTimeTimeout') throw new Error('Cannot set timeout timestamp without enabling event time timeout in [map|flatMap]GroupsWithState');
        const at = ts + additionalMs;
        if (!(at > 0)) throw new Error('Timeout timestamp must be positive');
        if (plan.watermark && at < ctx.wmEvict) throw new Error(`Timeout timestamp (${at}) cannot be earlier than the current watermark (${ctx.wmEvict})`);
        timeout = at;
      },
      getCurrentWatermarkMs: () => {
        if (!plan.watermark) throw new Error('Cannot get event time watermark timestamp without setting watermark before [map|flatMap]GroupsWithState');
        return ctx.wmEvict;
      },
      getCurrentProcessingTimeMs: () => ctx.timestampMs,
    };
    out.push(...st.fn(key, keyRows, gs));
    // FlatMapGroupsWithStateExec: a removed state without a timeout goes; otherwise the state is written
    // when it was updated or removed or its timeout changed, the value null when it does not exist.
    // The value written is serialized as the call ends: a later change to the object does not reach the store.
    if (removed && timeout === NO_TIMESTAMP) state.delete(key);
    else if (updated || removed || timeout !== (before?.timeout ?? NO_TIMESTAMP)) state.set(key, { value: exists ? jsonCopy(value) : null, timeout });
  };
  // Spark sorts a partition's rows by grouping key and calls the function once per group with data.
  for (const key of [...byKey.keys()].sort()) call(key, byKey.get(key)!, false);
  // Then every key whose timeout is below the threshold (the batch timestamp, or the eviction
  // watermark) is called with no rows; a key called with data above had its timeout set afresh.
  if (st.timeout !== 'NoTimeout') {
    const threshold = st.timeout === 'ProcessingTimeTimeout' ? ctx.timestampMs : ctx.wmEvict;
    const expired = [...state].filter(([, e]) => e.timeout !== NO_TIMESTAMP && e.timeout < threshold).map(([k, e]) => [k, e.timeout] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, timeoutMs] of expired) {
      ctx.trace('spark.timeout', { batch: ctx.batch, key, timeoutMs, threshold, timeout: st.timeout === 'ProcessingTimeTimeout' ? 'processing-time' : 'event-time' });
      call(key, [], true);
    }
  }
  const kept: GroupEntry[] = [];
  state.forEach((e, k) => kept.push(e.entry ?? [k, e.value, e.timeout]));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { state: kept, out, dropped, timeouts: kept.filter(([, , t]) => t !== NO_TIMESTAMP).length };
}

/** A join row in state, with whether it has matched a row of the other side (state format 2). */
export type JoinEntry = KeyedRow & { matched: boolean };

function join(plan: QueryPlan, st: Extract<StatefulOp, { kind: 'join' }>, entries: JoinEntry[], rows: readonly KeyedRow[], ctx: StatefulContext): StatefulResult {
  // Each side's watermark column (the late filter compares it) and which sides have a state watermark.
  const wms = joinWatermarkSides(plan);
  const wm = ctx.wmEvict;
  const stateWm = [wms.evicts[0] ? wm - st.upperMs - 1 : undefined, wms.evicts[1] ? wm + st.lowerMs - 1 : undefined];
  /** A row's value in its side's watermark column (its `ts` when that is the join's time column). */
  const marked = (r: KeyedRow): number => (wms.onTime[r.side] ? r.ts : (r.row[wms.column[r.side]!] as number));
  const covered = (r: KeyedRow): boolean => stateWm[r.side] !== undefined && marked(r) <= stateWm[r.side]!;
  const type = st.joinType;
  const outer = [type === 'left_outer' || type === 'full_outer', type === 'right_outer' || type === 'full_outer'];
  const sides: Map<string, JoinEntry[]>[] = [new Map(), new Map()];
  const put = (e: JoinEntry): void => {
    const m = sides[e.side]!;
    const list = m.get(e.key);
    if (list) list.push(e);
    else m.set(e.key, [e]);
  };
  // The entries given are the state store's fresh copies (see `changesStateInPlace`): marked in place.
  for (let i = 0; i < entries.length; i++) put(entries[i]!);
  const out: Row[] = [];
  let dropped = 0;
  for (const side of [0, 1] as const) {
    const other = sides[1 - side]!;
    for (const r of rows) {
      if (r.side !== side) continue;
      if (wms.column[side] !== undefined && marked(r) <= ctx.wmLate) {
        dropped++;
        ctx.trace('spark.late', { batch: ctx.batch, op: 'join', side, key: r.key, ts: r.ts, wmLate: ctx.wmLate, ids: String(r.id) });
        continue;
      }
      // Probe the other side's state; a stored row that matches is marked matched.
      let matches = 0;
      for (const o of other.get(r.key) ?? []) {
        // A left semi join's right row matches only left rows that have not matched yet.
        if (type === 'left_semi' && side === 1 && o.matched) continue;
        const [l, rt] = side === 0 ? [r, o] : [o, r];
        const d = rt.ts - l.ts;
        if (d < st.lowerMs || d > st.upperMs) continue;
        matches++;
        o.matched = true;
        if (type !== 'left_semi') out.push(st.select(l.row, rt.row));
        else if (side === 1) out.push(o.row);
      }
      if (type === 'left_semi' && side === 0 && matches > 0) {
        // Emitted at its first match and never stored.
        out.push(r.row);
        continue;
      }
      // SPARK-49829: a left row is always stored (this batch's right rows are yet to probe it); a right
      // row only when it is not evicted in this batch, or when it must wait to be emitted unmatched.
      const store = side === 0 || !covered(r) || (outer[1]! && matches === 0);
      if (!store) {
        ctx.trace('spark.join.unstored', { batch: ctx.batch, side, key: r.key, ts: r.ts, stateWatermark: stateWm[side]!, ids: String(r.id) });
        continue;
      }
      put({ ...r, matched: matches > 0 });
    }
  }
  // Eviction: rows at or below their side's state watermark leave the state; on an outer join's
  // preserved side, those that never matched are emitted with nulls for the other side.
  const early = ctx.bugs?.outerEarly === true;
  const kept: JoinEntry[] = [];
  for (const side of [0, 1] as const) {
    for (const key of [...sides[side]!.keys()].sort()) {
      for (const e of sides[side]!.get(key)!) {
        const evict = covered(e);
        // The planted bug: an unmatched row is emitted with nulls at the end of its batch, before the
        // watermark has passed its range; it stays in state (marked, so eviction does not repeat it).
        if (outer[side] && !e.matched && (evict || early)) {
          out.push(side === 0 ? st.select(e.row, null) : st.select(null, e.row));
          ctx.trace('spark.join.outer', { batch: ctx.batch, side, key: e.key, ts: e.ts, wmEvict: wm, ids: String(e.id) });
          if (!evict) e.matched = true;
        }
        if (!evict) kept.push(e);
      }
    }
  }
  return { state: kept, out, dropped };
}

/** Whether `b` may follow `a` as it is (ascending lineage stays ascending). */
function appendsTo(a: readonly number[], b: readonly number[]): boolean {
  return a.length === 0 || b.length === 0 || a[a.length - 1]! <= b[0]!;
}

export function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  // Lineage mostly grows at the end: a batch's ids come after the ones before it.
  if (b.length === 0 || (a.length > 0 && a[a.length - 1]! <= b[0]!)) return a.concat(b);
  if (a.length === 0) return b.slice();
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
