/**
 * `cloneJson` copies plain JSON data exactly as `structuredClone` does and
 * shares nothing with the original; anything else goes to `structuredClone`.
 */
import { describe, expect, it } from 'vitest';
import { cloneJson } from '../../src/stream/plain-data.ts';

describe('cloneJson', () => {
  it('deep-copies plain JSON like structuredClone, sharing nothing', () => {
    const v = { sum: 3, count: 2, nested: { xs: [1, 'a', null, true, { y: -0 }] }, u: undefined };
    const c = cloneJson(v);
    expect(c).toEqual(structuredClone(v));
    expect(Object.keys(c)).toEqual(Object.keys(v));
    c.nested.xs.push(9);
    (c.nested.xs[4] as { y: number }).y = 5;
    expect(v.nested.xs).toHaveLength(5);
    expect((v.nested.xs[4] as { y: number }).y).toBe(-0);
    expect(cloneJson(7)).toBe(7);
    expect(cloneJson(null)).toBe(null);
  });

  it('hands anything that is not plain JSON to structuredClone', () => {
    const m = { m: new Map([['k', 1]]), d: [new Date(5)] };
    const c = cloneJson(m);
    expect(c.m).toBeInstanceOf(Map);
    expect(c.m).not.toBe(m.m);
    expect(c.d[0]).toBeInstanceOf(Date);
    // eslint-disable-next-line no-sparse-arrays
    expect(1 in cloneJson([0, , 2])).toBe(false);
    expect(() => cloneJson({ f: () => 1 })).toThrow();
  });
});
