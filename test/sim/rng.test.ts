/**
 * Seeded randomness. Proves: a stream is a pure function of its seed path;
 * forks are independent (drawing from fork('a') leaves fork('b') unchanged,
 * and a fork does not depend on how much the parent drew); bounded draws stay
 * in bounds (property over random bounds); `chance` is exact at 0 and den;
 * shuffle returns a permutation; bad arguments throw.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Rng, rootRng } from '../../src/sim/rng.ts';

const draw = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.uint32());

describe('Rng', () => {
  it('is a pure function of the seed', () => {
    expect(draw(rootRng(42), 20)).toEqual(draw(rootRng(42), 20));
    expect(draw(rootRng(42), 20)).toEqual(draw(rootRng('42'), 20));
    expect(draw(rootRng(42), 20)).not.toEqual(draw(rootRng(43), 20));
  });

  it('fork(a) draws do not change fork(b)', () => {
    const root1 = rootRng(7);
    const b1 = draw(root1.fork('b'), 50);
    const root2 = rootRng(7);
    const a2 = root2.fork('a');
    draw(a2, 1000);
    draw(root2, 1000);
    const b2 = draw(root2.fork('b'), 50);
    expect(b2).toEqual(b1);
    expect(draw(rootRng(7).fork('a'), 50)).not.toEqual(b1);
  });

  it('nested forks are named by path', () => {
    expect(rootRng(1).fork('disk').fork('tm-0').path).toBe('1/disk/tm-0');
    expect(draw(rootRng(1).fork('disk').fork('x'), 5)).toEqual(draw(new Rng('1/disk/x'), 5));
  });

  test.prop([fc.integer(), fc.integer({ min: 1, max: 2 ** 32 })])('int(n) is in [0, n)', (seed, n) => {
    const r = rootRng(seed);
    for (let i = 0; i < 20; i++) {
      const x = r.int(n);
      expect(Number.isInteger(x) && x >= 0 && x < n).toBe(true);
    }
  });

  test.prop([fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 })])('range(lo, hi) is inclusive and in bounds', (seed, lo, width) => {
    const r = rootRng(seed);
    for (let i = 0; i < 20; i++) {
      const x = r.range(lo, lo + width);
      expect(x >= lo && x <= lo + width).toBe(true);
    }
  });

  it('range hits both ends', () => {
    const r = rootRng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(r.range(1, 3));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('chance is exact at the extremes and roughly right between', () => {
    const r = rootRng(5);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) {
      expect(r.chance(0, 7)).toBe(false);
      expect(r.chance(7, 7)).toBe(true);
      if (r.chance(1, 4)) hits++;
    }
    expect(hits).toBeGreaterThan(2300);
    expect(hits).toBeLessThan(2700);
  });

  it('int(3) has no visible modulo bias', () => {
    const r = rootRng(11);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.int(3)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  test.prop([fc.integer(), fc.array(fc.integer(), { maxLength: 30 })])('shuffle is a permutation', (seed, arr) => {
    const copy = [...arr];
    const out = rootRng(seed).shuffle(copy);
    expect(out).toBe(copy);
    expect([...out].sort((x, y) => x - y)).toEqual([...arr].sort((x, y) => x - y));
  });

  it('pick and bad arguments', () => {
    const r = rootRng(9);
    expect(['x', 'y']).toContain(r.pick(['x', 'y']));
    expect(() => r.pick([])).toThrow(RangeError);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(1.5)).toThrow(RangeError);
    expect(() => r.int(2 ** 32 + 1)).toThrow(RangeError);
    expect(() => r.range(3, 2)).toThrow(RangeError);
    expect(() => r.chance(3, 2)).toThrow(RangeError);
    expect(r.int(1)).toBe(0);
  });
});
