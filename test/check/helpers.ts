/** Small builders shared by the checker tests. */
import type { InputRecord, WindowResult } from '../../src/stream/records.ts';
import { referenceWindows, type WindowSpec } from '../../src/check/index.ts';

export function rec(id: number, ts: number, key = 'a', value = 1, more: Partial<InputRecord> = {}): InputRecord {
  return { id, ts, key, value, ...more };
}

/** The output of a perfect run with nothing late: every reference window fired once, on time. */
export function resultsFromReference(input: readonly InputRecord[], spec: WindowSpec): WindowResult[] {
  return [...referenceWindows(input, spec).values()].map((w) => ({
    type: 'window', key: w.key, start: w.start, end: w.end, value: w.value, firing: 0, ids: [...w.ids], ts: w.end - 1,
  }));
}

export function result(key: string, start: number, end: number, ids: number[], value: number, firing = 0): WindowResult {
  return { type: 'window', key, start, end, value, firing, ids, ts: end - 1 };
}
