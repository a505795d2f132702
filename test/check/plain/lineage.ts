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
import type { InputRecord, WindowResult } from '../../../src/stream/records.ts';
import type { Problems } from './report.ts';
import { formatWindow } from './report.ts';
import type { WindowSpec } from './types.ts';
import { aggregateOf, belongsTo } from './window-math.ts';

export function describeResult(r: WindowResult): string {
  return `result key ${r.key} window ${formatWindow(r.start, r.end)} firing ${r.firing}`;
}

export function checkResultContents(
  r: WindowResult, byId: ReadonlyMap<number, InputRecord>, spec: WindowSpec, problems: Problems,
): void {
  const what = describeResult(r);
  if (r.ids.length === 0) return problems.add(`${what} is empty`);
  if (r.ts !== r.end - 1) problems.add(`${what} has ts ${r.ts}, expected end - 1 = ${r.end - 1}`);
  const values: number[] = [];
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (let i = 0; i < r.ids.length; i++) {
    const id = r.ids[i]!;
    if (i > 0 && id <= r.ids[i - 1]!) {
      if (id === r.ids[i - 1]) problems.replay(`${what} contains record ${id} twice`);
      else problems.add(`${what} ids are not ascending at record ${id}`);
      return;
    }
    const rec = byId.get(id);
    if (!rec) return problems.add(`${what} contains record ${id}, which is not in the input`);
    if (rec.key !== r.key) return problems.add(`${what} contains record ${id} of key ${rec.key}`);
    if (spec.assigner.kind !== 'session' && !belongsTo(spec.assigner, rec.ts, r.start, r.end)) {
      return problems.add(`${what} contains record ${id} with ts ${rec.ts}, which does not belong to that window`);
    }
    minTs = Math.min(minTs, rec.ts);
    maxTs = Math.max(maxTs, rec.ts);
    values.push(rec.value);
  }
  if (spec.assigner.kind === 'session') {
    const gap = spec.assigner.gapMs;
    if (r.start !== minTs || r.end !== maxTs + gap) {
      problems.add(`${what} is not the session of its records: expected ${formatWindow(minTs, maxTs + gap)}`);
    }
  }
  const expected = aggregateOf(spec.aggregate, values);
  if (r.value !== expected) {
    problems.replay(`${what} has value ${r.value}, but its ${r.ids.length} records give ${spec.aggregate} ${expected}`);
  }
}

/** Every id of an earlier firing of a window is in each later firing of it. */
export function checkFiringsAccumulate(byWindow: ReadonlyMap<string, WindowResult[]>, problems: Problems, restarts: ReadonlyMap<string, readonly number[]> = new Map()): void {
  for (const [k, list] of byWindow) {
    if (list.length < 2) continue;
    const sorted = [...list].sort((a, b) => a.firing - b.firing);
    for (let i = 1; i < sorted.length; i++) {
      // A window that started afresh between the two firings holds only what came after.
      if ((restarts.get(k) ?? []).some((f) => sorted[i - 1]!.firing < f && f <= sorted[i]!.firing)) continue;
      const later = new Set(sorted[i]!.ids);
      const missing = sorted[i - 1]!.ids.find((id) => !later.has(id));
      if (missing !== undefined) {
        problems.replay(`record ${missing} is in ${describeResult(sorted[i - 1]!)} but not in firing ${sorted[i]!.firing}`);
      }
    }
  }
}

/** Input records by id; a repeated input id is reported (every id must be unique). */
export function indexInput(input: readonly InputRecord[], problems: Problems): Map<number, InputRecord> {
  const byId = new Map<number, InputRecord>();
  for (const r of input) {
    if (byId.has(r.id)) problems.add(`input record id ${r.id} is not unique`);
    byId.set(r.id, r);
  }
  return byId;
}
