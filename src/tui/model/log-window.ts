/**
 * Which events the event log shows around the cursor. Without a filter:
 * the events just before and after it. With a filter (comma-separated
 * pieces of kind names, e.g. `barrier,txn`): the matching events nearest
 * the cursor, found through the index's per-kind positions, so the cost
 * does not grow with the trace.
 */
import { upperBound } from './int-list.ts';
import type { TraceIndex } from './trace-index.ts';

export interface LogWindow {
  /** Trace indexes to show, ascending. */
  rows: number[];
  /** The kinds the filter matched (all kinds when there is no filter). */
  kinds: string[];
}

export function matchKinds(index: TraceIndex, filter: string): string[] {
  const pieces = filter.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (pieces.length === 0) return index.kinds();
  return index.kinds().filter((k) => pieces.some((p) => k.includes(p)));
}

/** Up to `height` rows around `cursor`, about a third of them before it. */
export function logWindow(index: TraceIndex, cursor: number, filter: string, height: number): LogWindow {
  const before = Math.max(1, Math.floor(height / 3));
  if (filter.trim() === '') {
    const first = Math.max(0, Math.min(cursor - before, index.length - height));
    const rows: number[] = [];
    for (let i = first; i < Math.min(index.length, first + height); i++) rows.push(i);
    return { rows, kinds: index.kinds() };
  }
  const kinds = matchKinds(index, filter);
  const earlier: number[] = [];
  const later: number[] = [];
  for (const k of kinds) {
    const pos = index.positions(k);
    const split = upperBound(pos, cursor);
    for (let j = Math.max(0, split - height); j < split; j++) earlier.push(pos[j]!);
    for (let j = split; j < Math.min(pos.length, split + height); j++) later.push(pos[j]!);
  }
  earlier.sort((a, b) => a - b);
  later.sort((a, b) => a - b);
  const takeLater = Math.min(later.length, Math.max(height - before, height - earlier.length));
  const takeEarlier = Math.min(earlier.length, height - takeLater);
  return { rows: [...earlier.slice(earlier.length - takeEarlier), ...later.slice(0, takeLater)], kinds };
}
