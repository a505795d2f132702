/**
 * Checkpoint consistency: each completed checkpoint is a consistent cut. The
 * keyed state it holds must equal the reference state computed from exactly
 * the input before the source offsets it recorded — no record after the cut
 * counted, none before it missing. With aligned barriers this holds on every
 * seed; without alignment a record that overtakes a barrier lands in the
 * state but not before the offsets, and the check fails.
 *
 * The caller extracts, per checkpoint, the recorded offsets and the state
 * (through the engine's checkpoint reader) and supplies the reference
 * function; this module only compares. An order-independent reference can
 * offer `extend`, so the input is folded once for all cuts (see
 * `CutReference`).
 */
import type { InputRecord } from '../stream/records.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from './types.ts';
import type { CheckpointCut } from '../stream/cut.ts';
import { sameJson } from '../stream/plain-data.ts';

export type { CheckpointCut };

/**
 * The reference state of the records before a cut. With `extend` (optional), a reference in which
 * the order of the records does not matter (sums, counts) says how to add more records to a state
 * it computed (it may modify that state and return it); the check then folds the input once
 * across cuts whose offsets only grow, instead of recomputing every cut from the start.
 */
export type CutReference<V> = ((before: InputRecord[]) => Map<string, V>) & {
  extend?: (state: Map<string, V>, more: readonly InputRecord[]) => Map<string, V>;
};

export function checkConsistentCuts<V>(
  cuts: readonly CheckpointCut<V>[],
  inputByPartition: readonly (readonly InputRecord[])[],
  reference: CutReference<V>,
  show: (v: V | undefined) => string = (v) => JSON.stringify(v),
): CheckResult {
  const problems = new Problems();
  const extend = reference.extend;
  /** The last cut's reference state and how far into each partition it reached (with `extend` only). */
  let last: { ends: number[]; state: Map<string, V> } | undefined;
  for (const cut of cuts) {
    // How many records of each partition are before the cut (`records.slice(0, offset)`).
    const ends: number[] = [];
    let count = 0;
    inputByPartition.forEach((records, p) => {
      const upTo = cut.offsets.get(p);
      if (upTo === undefined) {
        problems.add(`checkpoint ${cut.checkpoint} recorded no offset for input partition ${p}`);
        ends.push(0);
        return;
      }
      const end = sliceEnd(records.length, upTo);
      ends.push(end);
      count += end;
    });
    let expected: Map<string, V>;
    const from = last;
    if (extend && from && ends.every((e, p) => e >= from.ends[p]!)) {
      const more: InputRecord[] = [];
      inputByPartition.forEach((records, p) => {
        for (let i = from.ends[p]!; i < ends[p]!; i++) more.push(records[i]!);
      });
      expected = extend(from.state, more);
    } else {
      const before: InputRecord[] = [];
      inputByPartition.forEach((records, p) => {
        for (let i = 0; i < ends[p]!; i++) before.push(records[i]!);
      });
      expected = reference(before);
    }
    last = extend ? { ends, state: expected } : undefined;
    for (const key of new Set([...expected.keys(), ...cut.state.keys()])) {
      const wantValue = expected.get(key);
      const gotValue = cut.state.get(key);
      // Alike as JSON data: shown alike (a cut's values are plain data, and `show` reads only that).
      if (sameJson(wantValue, gotValue)) continue;
      const want = show(wantValue);
      const got = show(gotValue);
      if (want !== got) {
        problems.add(`checkpoint ${cut.checkpoint}: key ${key} holds ${got}, but the ${formatCount(count)} records before its offsets give ${want}`);
      }
    }
  }
  return problems.verdict('checkpoint.consistent-cut', `${formatCount(cuts.length)} completed checkpoints, each exactly the state of the input before its offsets`);
}

/** `records.slice(0, upTo).length` for `length` records. */
function sliceEnd(length: number, upTo: number): number {
  const n = Math.trunc(upTo) || 0;
  return n >= 0 ? Math.min(n, length) : Math.max(0, length + n);
}
