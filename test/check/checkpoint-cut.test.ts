/**
 * The consistent-cut check gives the same verdicts whether the reference is
 * recomputed for every cut or folded across cuts with `extend`, and it can
 * fail. Method: fast-check draws input partitions and a series of cuts whose
 * offsets mostly grow (sometimes fall back, as after a restore, or are
 * missing for a partition), and states that are the reference of the cut
 * with, at random, one account off by one. Oracle: the verdict of a
 * reference with `extend` equals that of the same reference without it; a
 * cut whose state is off fails, naming its checkpoint and key.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { checkConsistentCuts, type CheckpointCut, type CutReference } from '../../src/check/checkpoint-cut.ts';
import type { InputRecord } from '../../src/stream/records.ts';
import { rec } from './helpers.ts';

/** Per key: the sum of values and the number of records (order-independent). */
function sums(records: readonly InputRecord[], into = new Map<string, number[]>()): Map<string, number[]> {
  for (const r of records) {
    const [s, n] = into.get(r.key) ?? [0, 0];
    into.set(r.key, [s! + r.value, n! + 1]);
  }
  return into;
}
const plain = (before: InputRecord[]): Map<string, number[]> => sums(before);
const folding: CutReference<number[]> = Object.assign((before: InputRecord[]) => sums(before), { extend: (m: Map<string, number[]>, more: readonly InputRecord[]) => sums(more, m) });

const partitionsArb = fc.array(fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), value: fc.integer({ min: -5, max: 9 }) }), { maxLength: 12 }), { minLength: 1, maxLength: 3 });
const stepArb = fc.record({ grow: fc.array(fc.integer({ min: -3, max: 4 }), { minLength: 3, maxLength: 3 }), drop: fc.integer({ min: -1, max: 5 }), off: fc.boolean() });

describe('checkConsistentCuts', () => {
  test.prop([partitionsArb, fc.array(stepArb, { maxLength: 8 })])('folding with extend judges exactly as recomputing', (parts, steps) => {
    let id = 0;
    const input = parts.map((ps) => ps.map((x) => rec(id++, 0, x.key, x.value)));
    const offsets = input.map(() => 0);
    let broken = false;
    const cuts: CheckpointCut<number[]>[] = steps.map((s, i) => {
      input.forEach((records, p) => { offsets[p] = Math.max(0, Math.min(records.length, offsets[p]! + s.grow[p]!)); });
      const recorded = new Map(offsets.map((o, p) => [p, o] as [number, number]).filter(([p]) => p !== s.drop));
      const state = sums(input.flatMap((records, p) => (recorded.has(p) ? records.slice(0, recorded.get(p)) : [])));
      if (s.drop >= 0 && s.drop < input.length) broken = true;
      if (s.off && state.size > 0) {
        broken = true;
        const [k, v] = [...state][0]!;
        state.set(k, [v[0]! + 1, v[1]!]);
      }
      return { checkpoint: i + 1, offsets: recorded, state };
    });
    const a = checkConsistentCuts(cuts, input, plain);
    expect(checkConsistentCuts(cuts, input, folding)).toEqual(a);
    expect(a.ok).toBe(!broken);
  });

  it('fails a cut whose state is not the reference of the records before it', () => {
    const input = [[rec(0, 0, 'a', 2), rec(1, 0, 'a', 3)], [rec(2, 0, 'b', 1)]];
    const cuts: CheckpointCut<number[]>[] = [
      { checkpoint: 1, offsets: new Map([[0, 1], [1, 0]]), state: new Map([['a', [2, 1]]]) },
      { checkpoint: 2, offsets: new Map([[0, 2], [1, 1]]), state: new Map([['a', [5, 2]], ['b', [1, 2]]]) },
    ];
    const v = checkConsistentCuts(cuts, input, folding);
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('checkpoint 2: key b holds [1,2], but the 3 records before its offsets give [1,1]');
    expect(checkConsistentCuts(cuts.slice(0, 1), input, folding).ok).toBe(true);
  });
});
