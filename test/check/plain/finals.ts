/**
 * Which committed window result is final. The window operator fires each
 * (key, window) once on time (firing 0) and again for each late record
 * within allowed lateness (firing 1, 2, …), each firing carrying the full
 * accumulated contents. The final result of a (key, window) is the one with
 * the highest `firing`; of two with that firing (committed twice), the one
 * emitted last.
 *
 * Session windows also merge: a session that fired and then grew (a record
 * bridged it to a neighbour, or extended it) is emitted again as a bigger
 * window. Rule: the window `w` of a key is superseded when some result of the
 * same key whose window strictly covers `w` was emitted after the last
 * emitted result of `w` (emission order = the order of `results`, i.e. the
 * committed log order). Superseded windows have no final result. A bigger
 * window emitted *before* a smaller one does not supersede it: sessions only
 * grow, so that order is itself a symptom the lineage checks will report.
 * The covering result must also hold every id of the covered window's
 * final firing: a merge carries all of them. Without that, the two are
 * distinct sessions that merely overlap, which happens legitimately in
 * Flink when a record behind the watermark touches a live session: the
 * merged window is not late, so the record joins it, and the new session
 * can reach back over one that already fired and was purged.
 */
import type { WindowResult } from '../../../src/stream/records.ts';
import type { WindowSpec } from './types.ts';
import { strictlyCovers, keyedWindowId } from './window-math.ts';

export interface FinalSelection {
  /** `keyedWindowId` → the final result of that (key, window). */
  finals: Map<string, WindowResult>;
  /** `keyedWindowId` → every result of that (key, window), in emission order. */
  byWindow: Map<string, WindowResult[]>;
  /** Results whose (key, window, firing) was already emitted, in emission order. */
  duplicates: WindowResult[];
  /** `keyedWindowId`s of superseded session windows. */
  superseded: Set<string>;
}

export function selectFinals(results: readonly WindowResult[], spec: WindowSpec): FinalSelection {
  const byWindow = new Map<string, WindowResult[]>();
  const lastIndex = new Map<string, number>();
  const duplicates: WindowResult[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    const k = keyedWindowId(r.key, r.start, r.end);
    const list = byWindow.get(k);
    if (!list) byWindow.set(k, [r]);
    else {
      if (list.some((x) => x.firing === r.firing)) duplicates.push(r);
      list.push(r);
    }
    lastIndex.set(k, i);
  }
  const superseded = spec.assigner.kind === 'session' ? supersededSessions(byWindow, lastIndex) : new Set<string>();
  const finals = new Map<string, WindowResult>();
  for (const [k, list] of byWindow) {
    if (superseded.has(k)) continue;
    let best = list[0]!;
    for (const r of list) if (r.firing >= best.firing) best = r;
    finals.set(k, best);
  }
  return { finals, byWindow, duplicates, superseded };
}

interface Entry {
  k: string;
  start: number;
  end: number;
  last: number;
  /** Ids of the window's highest firing. */
  finalIds: readonly number[];
  /** Ids of the window's last-emitted result. */
  lastIds: readonly number[];
}

function supersededSessions(byWindow: Map<string, WindowResult[]>, lastIndex: Map<string, number>): Set<string> {
  const perKey = new Map<string, Entry[]>();
  for (const [k, list] of byWindow) {
    const r = list[0]!;
    let best = r;
    for (const x of list) if (x.firing >= best.firing) best = x;
    const e: Entry = { k, start: r.start, end: r.end, last: lastIndex.get(k)!, finalIds: best.ids, lastIds: list[list.length - 1]!.ids };
    const entries = perKey.get(r.key);
    if (entries) entries.push(e);
    else perKey.set(r.key, [e]);
  }
  const out = new Set<string>();
  for (const entries of perKey.values()) {
    // Start ascending, end descending: every window that covers entry i sits before it.
    entries.sort((a, b) => a.start - b.start || b.end - a.end);
    const prefixMaxEnd: number[] = [];
    entries.forEach((e, i) => prefixMaxEnd.push(Math.max(e.end, i > 0 ? prefixMaxEnd[i - 1]! : e.end)));
    entries.forEach((w, i) => {
      for (let j = i - 1; j >= 0 && prefixMaxEnd[j]! >= w.end; j--) {
        const c = entries[j]!;
        if (c.last > w.last && strictlyCovers(c, w) && holdsAll(c.lastIds, w.finalIds)) {
          out.add(w.k);
          return;
        }
      }
    });
  }
  return out;
}

/** True when every id of `inner` is in `outer` (both ascending, as results carry them). */
function holdsAll(outer: readonly number[], inner: readonly number[]): boolean {
  const set = new Set(outer);
  return inner.every((id) => set.has(id));
}

/** The result key of a result, for callers that hold a `WindowResult`. */
export function resultKey(r: WindowResult): string {
  return keyedWindowId(r.key, r.start, r.end);
}
