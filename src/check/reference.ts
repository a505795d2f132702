/**
 * The batch reference model of a keyed window pipeline: the same pipeline
 * evaluated over the whole input at once, with no watermarks and nothing
 * late. Every record is in every window its timestamp belongs to; session
 * windows are merged per key over all of the key's records, touching
 * sessions included (Flink's `intersects`). Allowed lateness does not matter
 * here — a batch has no late data.
 *
 * When a workload promises that nothing can be late, the committed final
 * results of a correct exactly-once run equal this map exactly.
 *
 * Built in one pass over the input's columns (key number, timestamp) per
 * (input, spec) and shared by the checkers of a run; `ReferenceModel.find`
 * looks a window up by (key, start, end) without building its id string.
 */
import type { InputRecord, WindowResult } from '../stream/records.ts';
import type { WindowSpec } from './types.ts';

export type { WindowSpec } from './types.ts';
import { ArrayMemo, inputIndex, type InputIndex } from './input-index.ts';
import { keyedWindowId, lastWindowStart, windowsOf } from './window-math.ts';
import { sortedOwned } from '../runtime/arrays.ts';

export interface ReferenceWindow {
  key: string;
  start: number;
  end: number;
  /** Contributing record ids, ascending. */
  ids: number[];
  value: number;
}

/** The reference of one input for one spec, with an index to find a window without building its id string. */
export class ReferenceModel {
  /** Key → window start → the key's reference window with that start (a key's windows have distinct starts). */
  private readonly byKeyStart = new Map<string, Map<number, ReferenceWindow>>();
  private readonly matches = new WeakMap<ReadonlyMap<string, WindowResult>, Map<ReferenceWindow, WindowResult>>();

  constructor(readonly windows: Map<string, ReferenceWindow>) {
    windows.forEach((w) => {
      let m = this.byKeyStart.get(w.key);
      if (!m) this.byKeyStart.set(w.key, (m = new Map()));
      m.set(w.start, w);
    });
  }

  /** The reference window `keyedWindowId(key, start, end)` names, if there is one. */
  find(key: string, start: number, end: number): ReferenceWindow | undefined {
    const w = this.byKeyStart.get(key)?.get(start);
    return w !== undefined && w.end === end ? w : undefined;
  }

  /**
   * For `results` keyed by `keyedWindowId` (final results), the result of each reference window
   * that has one; computed once per results map.
   */
  resultsOf(results: ReadonlyMap<string, WindowResult>): Map<ReferenceWindow, WindowResult> {
    const m = this.matches.get(results);
    if (m) return m;
    const out = new Map<ReferenceWindow, WindowResult>();
    results.forEach((r) => {
      const w = this.find(r.key, r.start, r.end);
      if (w) out.set(w, r);
    });
    this.matches.set(results, out);
    return out;
  }
}

const memo = new ArrayMemo<InputRecord, WindowSpec, ReferenceModel>();

/**
 * The reference results, keyed by `keyedWindowId(key, start, end)`, in order of first contribution.
 * Computed once per (input, spec): the checkers of a run share it, and must not modify it.
 */
export function referenceWindows(records: readonly InputRecord[], spec: WindowSpec): Map<string, ReferenceWindow> {
  return referenceModel(records, spec).windows;
}

/**
 * The ids of the records whose windows' final results wait for an event-time watermark above
 * `watermark`: the records of every reference window ending after it (for sessions, the merged
 * session's end). Records in `skip` (dropped as late) are in no window, so they neither count nor
 * extend a session.
 */
export function recordsAwaitingWatermark(records: readonly InputRecord[], spec: WindowSpec, watermark: number, skip: ReadonlySet<number>): Set<number> {
  const ids = new Set<number>();
  const kept = skip.size === 0 ? records : records.filter((r) => !skip.has(r.id));
  referenceWindows(kept, spec).forEach((w) => {
    if (w.end > watermark) for (let i = 0; i < w.ids.length; i++) ids.add(w.ids[i]!);
  });
  return ids;
}

/** `referenceWindows` with its index (shared the same way). */
export function referenceModel(records: readonly InputRecord[], spec: WindowSpec): ReferenceModel {
  return memo.get(records, spec, () => new ReferenceModel(computeReference(records, spec)));
}

function computeReference(records: readonly InputRecord[], spec: WindowSpec): Map<string, ReferenceWindow> {
  const out = spec.assigner.kind === 'session'
    ? sessionWindows(records, spec.assigner.gapMs)
    : fixedWindows(records, spec);
  // A repeated input id takes the value of its last record, as an id → value map built in input order would.
  const index = inputIndex(records);
  // forEach and indexed loops here: this runs once per run, mostly before V8 optimizes it, where a
  // for-of allocates an iterator result per element. The id lists are the model's own: one that
  // already ascends (the usual case: ids follow the input's order) is kept as it is.
  out.forEach((w) => {
    const ids = (w.ids = sortedOwned(w.ids));
    w.value = spec.aggregate === 'count' ? ids.length : aggregateOfIds(spec.aggregate, ids, index);
  });
  return out;
}

/** `aggregateOf(kind, ids → values)`, summing in the order of `ids`. */
function aggregateOfIds(kind: 'sum' | 'avg', ids: readonly number[], index: InputIndex): number {
  const value = index.columns.value;
  let sum = 0;
  for (let i = 0; i < ids.length; i++) sum += value[index.pos(ids[i]!)]!;
  if (kind === 'sum') return sum;
  return ids.length === 0 ? 0 : Math.floor(sum / ids.length);
}

/** Tumbling and sliding windows: every window of a key is `[start, start + size)`, so (key, start) names it. */
function fixedWindows(records: readonly InputRecord[], spec: WindowSpec): Map<string, ReferenceWindow> {
  const out = new Map<string, ReferenceWindow>();
  const cols = inputIndex(records).columns;
  /** Key number → start → window. */
  const byKey: Map<number, ReferenceWindow>[] = [];
  const assigner = spec.assigner;
  const add = (k: number, id: number, start: number, end: number): void => {
    const ofKey = (byKey[k] ??= new Map());
    let acc = ofKey.get(start);
    if (!acc) {
      const key = cols.keys[k]!;
      acc = { key, start, end, ids: [], value: 0 };
      ofKey.set(start, acc);
      out.set(keyedWindowId(key, start, end), acc);
    }
    acc.ids.push(id);
  };
  for (let p = 0; p < records.length; p++) {
    const ts = cols.ts[p]!;
    if (assigner.kind === 'tumbling') {
      const start = lastWindowStart(assigner, ts);
      add(cols.key[p]!, records[p]!.id, start, start + assigner.sizeMs);
    } else {
      for (const w of windowsOf(assigner, ts)) add(cols.key[p]!, records[p]!.id, w.start, w.end);
    }
  }
  return out;
}

function sessionWindows(records: readonly InputRecord[], gapMs: number): Map<string, ReferenceWindow> {
  const byKey = new Map<string, InputRecord[]>();
  for (const r of records) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }
  const out = new Map<string, ReferenceWindow>();
  for (const [key, list] of byKey) {
    const sorted = [...list].sort((a, b) => a.ts - b.ts || a.id - b.id);
    let cur: ReferenceWindow | undefined;
    for (const r of sorted) {
      // Sorted by start, a proto-window [ts, ts+gap) intersects the running session iff ts <= its end.
      if (cur && r.ts <= cur.end) {
        cur.end = Math.max(cur.end, r.ts + gapMs);
        cur.ids.push(r.id);
        continue;
      }
      if (cur) out.set(keyedWindowId(key, cur.start, cur.end), cur);
      cur = { key, start: r.ts, end: r.ts + gapMs, ids: [r.id], value: 0 };
    }
    if (cur) out.set(keyedWindowId(key, cur.start, cur.end), cur);
  }
  return out;
}
