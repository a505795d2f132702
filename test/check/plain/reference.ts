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
import type { InputRecord } from '../../../src/stream/records.ts';
import type { WindowSpec } from './types.ts';

export type { WindowSpec } from './types.ts';
import { aggregateOf, keyedWindowId, windowsOf } from './window-math.ts';

export interface ReferenceWindow {
  key: string;
  start: number;
  end: number;
  /** Contributing record ids, ascending. */
  ids: number[];
  value: number;
}

/** The reference results, keyed by `keyedWindowId(key, start, end)`, in order of first contribution. */
export function referenceWindows(records: readonly InputRecord[], spec: WindowSpec): Map<string, ReferenceWindow> {
  const out = spec.assigner.kind === 'session'
    ? sessionWindows(records, spec.assigner.gapMs)
    : fixedWindows(records, spec);
  const valueOf = new Map<number, number>();
  for (const r of records) valueOf.set(r.id, r.value);
  for (const w of out.values()) {
    w.ids.sort((a, b) => a - b);
    w.value = aggregateOf(spec.aggregate, w.ids.map((id) => valueOf.get(id)!));
  }
  return out;
}

function fixedWindows(records: readonly InputRecord[], spec: WindowSpec): Map<string, ReferenceWindow> {
  const out = new Map<string, ReferenceWindow>();
  for (const r of records) {
    for (const w of windowsOf(spec.assigner, r.ts)) {
      const k = keyedWindowId(r.key, w.start, w.end);
      let acc = out.get(k);
      if (!acc) {
        acc = { key: r.key, start: w.start, end: w.end, ids: [], value: 0 };
        out.set(k, acc);
      }
      acc.ids.push(r.id);
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
