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
 */
import type { InputRecord } from '../engine/records.ts';
import type { WindowSpec } from './types.ts';

export type { WindowSpec } from './types.ts';
import { ArrayMemo, inputIndex, type InputIndex } from './input-index.ts';
import { keyedWindowId, lastWindowStart, windowsOf } from './window-math.ts';

export interface ReferenceWindow {
  key: string;
  start: number;
  end: number;
  /** Contributing record ids, ascending. */
  ids: number[];
  value: number;
}

const memo = new ArrayMemo<InputRecord, WindowSpec, Map<string, ReferenceWindow>>();

/**
 * The reference results, keyed by `keyedWindowId(key, start, end)`, in order of first contribution.
 * Computed once per (input, spec): the checkers of a run share it, and must not modify it.
 */
export function referenceWindows(records: readonly InputRecord[], spec: WindowSpec): Map<string, ReferenceWindow> {
  return memo.get(records, spec, () => computeReference(records, spec));
}

function computeReference(records: readonly InputRecord[], spec: WindowSpec): Map<string, ReferenceWindow> {
  const out = spec.assigner.kind === 'session'
    ? sessionWindows(records, spec.assigner.gapMs)
    : fixedWindows(records, spec);
  // A repeated input id takes the value of its last record, as an id → value map built in input order would.
  const index = inputIndex(records);
  for (const w of out.values()) {
    const ids = w.ids;
    if (!ascending(ids)) ids.sort((a, b) => a - b);
    w.value = spec.aggregate === 'count' ? ids.length : aggregateOfIds(spec.aggregate, ids, index);
  }
  return out;
}

function ascending(ids: readonly number[]): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i]! < ids[i - 1]!) return false;
  return true;
}

/** `aggregateOf(kind, ids → values)`, summing in the order of `ids`. */
function aggregateOfIds(kind: 'sum' | 'avg', ids: readonly number[], index: InputIndex): number {
  let sum = 0;
  for (const id of ids) sum += index.get(id)!.value;
  if (kind === 'sum') return sum;
  return ids.length === 0 ? 0 : Math.floor(sum / ids.length);
}

/** Tumbling and sliding windows: every window of a key is `[start, start + size)`, so (key, start) names it. */
function fixedWindows(records: readonly InputRecord[], spec: WindowSpec): Map<string, ReferenceWindow> {
  const out = new Map<string, ReferenceWindow>();
  const byKey = new Map<string, Map<number, ReferenceWindow>>();
  const assigner = spec.assigner;
  const add = (r: InputRecord, ofKey: Map<number, ReferenceWindow>, start: number, end: number): void => {
    let acc = ofKey.get(start);
    if (!acc) {
      acc = { key: r.key, start, end, ids: [], value: 0 };
      ofKey.set(start, acc);
      out.set(keyedWindowId(r.key, start, end), acc);
    }
    acc.ids.push(r.id);
  };
  for (const r of records) {
    let ofKey = byKey.get(r.key);
    if (!ofKey) byKey.set(r.key, (ofKey = new Map()));
    if (assigner.kind === 'tumbling') {
      const start = lastWindowStart(assigner, r.ts);
      add(r, ofKey, start, start + assigner.sizeMs);
    } else {
      for (const w of windowsOf(assigner, r.ts)) add(r, ofKey, w.start, w.end);
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
