/**
 * `concatAll` and `flatMapped` (src/runtime/arrays.ts) stand in for
 * `flat()` and `flatMap()` on hot paths. Proved by fast-check: on random
 * arrays of arrays, and for callbacks that return arrays, empty arrays or
 * (as an untyped user function may) a single value, each gives exactly
 * what the built-in gives, in the same order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatAll, flatMapped } from '../../src/runtime/arrays.ts';

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
});
