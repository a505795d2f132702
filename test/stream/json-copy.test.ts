/**
 * Copying and comparing JSON data without text (src/stream/plain-data.ts), which the
 * state store relies on to write the same bytes as JSON.stringify would.
 *
 * What this proves: `jsonCopy(v)` deep-equals `JSON.parse(JSON.stringify(v))`
 * and shares no object with `v`; `isJsonData(v)` holds exactly when that
 * round trip gives back an equal value; `sameJson(a, b)` implies equal texts,
 * and answers false for values whose texts differ (a changed number, keys in
 * another order, NaN, a class instance). How: a table of awkward values and
 * seeded random entries shaped like the engine's.
 */
import { describe, expect, it } from 'vitest';
import { isJsonData, jsonCopy, sameJson } from '../../src/stream/plain-data.ts';

class Point {
  constructor(readonly x: number) {}
}

const awkward: unknown[] = [
  { key: 'a', start: 0, end: 1000, count: 2, sum: 0, ids: [1, 2], firing: -1 },
  ['k', 12],
  ['k', { v: 1, gone: undefined }, -1],
  { nested: { list: [[1], [2, { deep: 'x' }]] } },
  { nan: NaN, inf: Infinity, negZero: -0 },
  [undefined, () => 1, 3],
  { when: new Date(0) },
  { p: new Point(3) },
  { withToJson: { toJSON: () => 'replaced' } },
  // eslint-disable-next-line no-sparse-arrays
  [1, , 3],
  'plain',
  null,
  { '2': 'b', '1': 'a', z: 'z' },
];

/** A small deterministic generator (no Math.random in tests). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('jsonCopy, sameJson, isJsonData', () => {
  it('jsonCopy is the JSON round trip, sharing nothing', () => {
    for (const v of awkward) {
      const copy = jsonCopy(v);
      expect(copy, JSON.stringify(v)).toStrictEqual(JSON.parse(JSON.stringify(v)));
      expect(JSON.stringify(copy)).toBe(JSON.stringify(v));
      if (typeof v === 'object' && v !== null) expect(copy).not.toBe(v);
    }
    const entry = { key: 'a', ids: [1, 2, 3], inner: { xs: [4] } };
    const copy = jsonCopy(entry);
    copy.ids.push(9);
    copy.inner.xs[0] = 0;
    expect(entry).toEqual({ key: 'a', ids: [1, 2, 3], inner: { xs: [4] } });
  });

  it('isJsonData holds exactly when the round trip gives back an equal value', () => {
    for (const v of awkward) {
      const back = JSON.parse(JSON.stringify(v)) as unknown;
      let equal = true;
      try {
        expect(back).toStrictEqual(v);
      } catch {
        equal = false;
      }
      // -0 comes back as 0, which toStrictEqual does not tell apart.
      expect(isJsonData(v), JSON.stringify(v)).toBe(equal && !hasNegativeZero(v));
    }
    expect(isJsonData({ ids: [1, 2, -0] })).toBe(false);
    expect(isJsonData({ ids: [1, 2, 3], key: 'k' })).toBe(true);
  });

  it('sameJson implies the same text, and tells changed entries apart', () => {
    const rnd = lcg(11);
    for (let i = 0; i < 200; i++) {
      const ids = Array.from({ length: Math.floor(rnd() * 20) }, (_, j) => j * 3 + Math.floor(rnd() * 3));
      const e = { key: `k${Math.floor(rnd() * 50)}`, start: 1000 * Math.floor(rnd() * 5), end: 0, count: ids.length, sum: Math.floor(rnd() * 100), ids, firing: Math.floor(rnd() * 3) - 1 };
      const copy = jsonCopy(e);
      expect(sameJson(copy, e)).toBe(true);
      expect(JSON.stringify(copy)).toBe(JSON.stringify(e));
      const changed = { ...copy, ids: [...copy.ids, 10_000] };
      expect(sameJson(changed, e)).toBe(false);
      expect(sameJson({ ...copy, firing: copy.firing + 1 }, e)).toBe(false);
    }
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameJson({ a: NaN }, { a: NaN })).toBe(false);
    expect(sameJson(new Point(1), new Point(1))).toBe(false);
    expect(sameJson([1, [2, { x: 'y' }]], [1, [2, { x: 'y' }]])).toBe(true);
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false);
  });
});

function hasNegativeZero(v: unknown): boolean {
  if (Object.is(v, -0)) return true;
  if (typeof v !== 'object' || v === null) return false;
  return Object.values(v).some(hasNegativeZero);
}
