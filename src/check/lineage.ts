/**
 * Per-result lineage checks shared by the window oracles: each committed
 * window result must be internally honest about the records it claims.
 *
 * - its ids are known input ids, strictly ascending (so none twice), all of
 *   the result's key, and every one's timestamp belongs to the window (for
 *   tumbling and sliding windows: the window is one the record's timestamp is
 *   assigned to; for sessions: the window is exactly `[min ts, max ts + gap)`
 *   of its ids, as merging proto-windows `[ts, ts + gap)` yields);
 * - it is not empty (a window with no records never fires);
 * - its value equals the aggregate recomputed from those ids' input values;
 * - its timestamp is `end - 1`;
 * - firings of one window accumulate: an id in firing n is in every later
 *   firing of that window (late firings carry the full updated contents).
 */
import type { InputRecord, WindowResult } from '../stream/records.ts';
import type { Problems } from './report.ts';
import { formatWindow } from './report.ts';
import type { WindowSpec } from './types.ts';
import { inputIndex, type InputIndex } from './input-index.ts';
import { belongsTo } from './window-math.ts';

export function describeResult(r: WindowResult): string {
  return `result key ${r.key} window ${formatWindow(r.start, r.end)} firing ${r.firing}`;
}

export function checkResultContents(
  r: WindowResult, byId: InputIndex, spec: WindowSpec, problems: Problems,
): void {
  const ids = r.ids;
  if (ids.length === 0) return problems.add(`${describeResult(r)} is empty`);
  if (r.ts !== r.end - 1) problems.add(`${describeResult(r)} has ts ${r.ts}, expected end - 1 = ${r.end - 1}`);
  const assigner = spec.assigner;
  const cols = byId.columns;
  const keyNumber = cols.keyNumber(r.key);
  let minTs = Infinity;
  let maxTs = -Infinity;
  let sum = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (i > 0 && id <= ids[i - 1]!) {
      if (id === ids[i - 1]) problems.replay(`${describeResult(r)} contains record ${id} twice`);
      else problems.add(`${describeResult(r)} ids are not ascending at record ${id}`);
      return;
    }
    const p = byId.pos(id);
    if (p < 0) return problems.add(`${describeResult(r)} contains record ${id}, which is not in the input`);
    if (cols.key[p] !== keyNumber) return problems.add(`${describeResult(r)} contains record ${id} of key ${byId.records[p]!.key}`);
    const ts = cols.ts[p]!;
    if (assigner.kind !== 'session' && !belongsTo(assigner, ts, r.start, r.end)) {
      return problems.add(`${describeResult(r)} contains record ${id} with ts ${ts}, which does not belong to that window`);
    }
    if (ts < minTs) minTs = ts;
    if (ts > maxTs) maxTs = ts;
    sum += cols.value[p]!;
  }
  if (assigner.kind === 'session') {
    const gap = assigner.gapMs;
    if (r.start !== minTs || r.end !== maxTs + gap) {
      problems.add(`${describeResult(r)} is not the session of its records: expected ${formatWindow(minTs, maxTs + gap)}`);
    }
  }
  // As aggregateOf over the ids' values in id order.
  const expected = spec.aggregate === 'count' ? ids.length : spec.aggregate === 'sum' ? sum : Math.floor(sum / ids.length);
  if (r.value !== expected) {
    // A value other than its records give: under at-least-once, records counted more than once.
    problems.replay(`${describeResult(r)} has value ${r.value}, but its ${ids.length} records give ${spec.aggregate} ${expected}`);
  }
}

/**
 * Every id of an earlier firing of a window is in each later firing of it, except across a restart
 * of the window: `restarts` gives, per `keyedWindowId`, the firings a window started afresh at.
 */
export function checkFiringsAccumulate(byWindow: ReadonlyMap<string, WindowResult[]>, problems: Problems, restarts?: ReadonlyMap<string, readonly number[]>): void {
  byWindow.forEach((list, k) => {
    if (list.length < 2) return;
    // Emission order is firing order unless something is wrong: copy and sort (stably) only then.
    const sorted = inFiringOrder(list) ? list : [...list].sort((a, b) => a.firing - b.firing);
    const fresh = restarts?.get(k);
    for (let i = 1; i < sorted.length; i++) {
      // A window started afresh between the two firings holds only what came after (see `WindowReset`).
      if (fresh !== undefined && fresh.some((f) => sorted[i - 1]!.firing < f && f <= sorted[i]!.firing)) continue;
      const missing = firstMissing(sorted[i - 1]!.ids, sorted[i]!.ids);
      if (missing !== undefined) {
        // Under at-least-once a replayed attempt's firings need not hold what a failed one's did; the
        // record must still be in the final result or the late output (accounted for apart).
        problems.replay(`record ${missing} is in ${describeResult(sorted[i - 1]!)} but not in firing ${sorted[i]!.firing}`);
      }
    }
  });
}

function inFiringOrder(list: readonly WindowResult[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i]!.firing < list[i - 1]!.firing) return false;
  return true;
}

/** The first id of `earlier` (in its order) that `later` lacks: by one walk when both ascend, else by a set. */
function firstMissing(earlier: readonly number[], later: readonly number[]): number | undefined {
  if (ascends(earlier) && ascends(later)) {
    let j = 0;
    for (let i = 0; i < earlier.length; i++) {
      const id = earlier[i]!;
      while (j < later.length && later[j]! < id) j++;
      if (j >= later.length || later[j] !== id) return id;
    }
    return undefined;
  }
  const set = new Set(later);
  return earlier.find((id) => !set.has(id));
}

function ascends(ids: readonly number[]): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i]! < ids[i - 1]!) return false;
  return true;
}

/** Input records by id (shared with the other checkers of the run); a repeated input id is reported (every id must be unique). */
export function indexInput(input: readonly InputRecord[], problems: Problems): InputIndex {
  const index = inputIndex(input);
  for (const id of index.repeated) problems.add(`input record id ${id} is not unique`);
  return index;
}
