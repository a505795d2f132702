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
 * function; this module only compares.
 */
import type { InputRecord } from '../engine/records.ts';
import { formatCount, Problems } from './report.ts';
import type { CheckResult } from './types.ts';

export interface CheckpointCut<V> {
  checkpoint: number;
  /** Input partition → next offset to read, as the sources recorded it. */
  offsets: Map<number, number>;
  /** The keyed state in the checkpoint, by key. */
  state: Map<string, V>;
}

export function checkConsistentCuts<V>(
  cuts: readonly CheckpointCut<V>[],
  inputByPartition: readonly (readonly InputRecord[])[],
  reference: (before: InputRecord[]) => Map<string, V>,
  show: (v: V | undefined) => string = (v) => JSON.stringify(v),
): CheckResult {
  const problems = new Problems();
  for (const cut of cuts) {
    const before: InputRecord[] = [];
    inputByPartition.forEach((records, p) => {
      const upTo = cut.offsets.get(p);
      if (upTo === undefined) {
        problems.add(`checkpoint ${cut.checkpoint} recorded no offset for input partition ${p}`);
        return;
      }
      before.push(...records.slice(0, upTo));
    });
    const expected = reference(before);
    for (const key of new Set([...expected.keys(), ...cut.state.keys()])) {
      const want = show(expected.get(key));
      const got = show(cut.state.get(key));
      if (want !== got) {
        problems.add(`checkpoint ${cut.checkpoint}: key ${key} holds ${got}, but the ${formatCount(before.length)} records before its offsets give ${want}`);
      }
    }
  }
  return problems.verdict('checkpoint.consistent-cut', `${formatCount(cuts.length)} completed checkpoints, each exactly the state of the input before its offsets`);
}
