/**
 * `concatAll` and `flatMapped` (src/runtime/arrays.ts) stand in for
 * `flat()` and `flatMap()` on hot paths. Proved by fast-check: on random
 * arrays of arrays, and for callbacks that return arrays, empty arrays or
 * (as an untyped user function may) a single value, each gives exactly
 * what the built-in gives, in the same order. `sortedNumbers(xs)` gives
 * exactly `xs.slice().sort((a, b) => a - b)` (compared with Object.is, so a
 * -0 or NaN in the wrong place fails) on lists of int32 lineage ids
 * (interleaved ascending runs, as several partitions give), on lists of any
 * doubles, and on lists already ascending, and leaves its input as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatAll, flatMapped, sortedNumbers } from '../../src/runtime/arrays.ts';

describe('runtime/arrays', () => {
  it('concatAll(arrays) equals arrays.flat()', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.integer(), { maxLength: 6 }), { maxLength: 8 }), (arrays) => {
      expect(concatAll(arrays)).toEqual(arrays.flat());
    }));
  });

  it('concatAll takes any iterable of arrays (a Map\'s values)', () => {
    const m = new Map([['a', [1, 2]], ['b', []], ['c', [3]]]);
    expect(concatAll(m.values())).toEqual([1, 2, 3]);
  });

  it('flatMapped(items, fn) equals items.flatMap(fn), also when fn returns a single value', () => {
    // Per item: 0 → [], 1 → [x], 2 → [x, x + 1], 3 → the bare value x (not an array).
    const fn = (x: number): number[] => {
      const shape = Math.abs(x) % 4;
      return (shape === 3 ? x : shape === 0 ? [] : shape === 1 ? [x] : [x, x + 1]) as number[];
    };
    fc.assert(fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 20 }), (items) => {
      expect(flatMapped(items, fn)).toEqual(items.flatMap(fn));
    }));
  });

  const sameAsComparatorSort = (xs: number[]): void => {
    const before = xs.slice();
    const want = xs.slice().sort((a, b) => a - b);
    const got = sortedNumbers(xs);
    expect(got).not.toBe(xs);
    expect(got.length).toBe(want.length);
    got.forEach((x, i) => expect(Object.is(x, want[i])).toBe(true));
    before.forEach((x, i) => expect(Object.is(x, xs[i])).toBe(true));
  };

  it('sortedNumbers(xs) equals xs.slice().sort((a, b) => a - b) on int32 ids, any doubles, and ascending lists', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 60 }), sameAsComparatorSort));
    fc.assert(fc.property(fc.array(fc.double(), { maxLength: 40 }), sameAsComparatorSort));
    fc.assert(fc.property(fc.array(fc.nat({ max: 1000 }), { maxLength: 40 }), (xs) => sameAsComparatorSort(xs.sort((a, b) => a - b))));
    // Interleaved ascending runs, as a keyed window collects from several partitions.
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 9 })), { maxLength: 80 }), (steps) => {
      const next = [0, 1_000_000, 2_000_000, 3_000_000];
      sameAsComparatorSort(steps.map(([p, gap]) => (next[p]! += gap)));
    }));
    // Whole numbers with a -0 among them: a typed array would turn it into 0.
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(-0)), { maxLength: 20 }), sameAsComparatorSort));
    sameAsComparatorSort([3, -0, 1, 0]);
    sameAsComparatorSort([0, -0, 0, NaN, -1, 2 ** 40, 1.5]);
  });
});
