/**
 * TimeWindow arithmetic. Unit tests pin Flink's definitions (inclusive
 * `intersects`, `maxTimestamp = end - 1`, Java-style negative remainders in
 * `getWindowStartWithOffset`); properties check, for random timestamps,
 * sizes and offsets, that the computed start is aligned to the offset grid
 * and that `[start, start + size)` contains the timestamp, and that window
 * keys round-trip.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import {
  contains,
  cover,
  getWindowStartWithOffset,
  intersects,
  maxTimestamp,
  parseWindowKey,
  timeWindow,
  windowKey,
} from '../../../../src/stream/time-window.ts';

describe('TimeWindow', () => {
  test('maxTimestamp is end - 1 and end is exclusive', () => {
    const w = timeWindow(0, 1000);
    expect(maxTimestamp(w)).toBe(999);
    expect(contains(w, 999)).toBe(true);
    expect(contains(w, 1000)).toBe(false);
    expect(contains(w, 0)).toBe(true);
    expect(contains(w, -1)).toBe(false);
  });

  test('touching windows intersect (Flink), disjoint ones do not', () => {
    expect(intersects(timeWindow(0, 3000), timeWindow(3000, 6000))).toBe(true);
    expect(intersects(timeWindow(3000, 6000), timeWindow(0, 3000))).toBe(true);
    expect(intersects(timeWindow(0, 3000), timeWindow(3001, 6000))).toBe(false);
    expect(cover(timeWindow(0, 3000), timeWindow(3000, 6000))).toEqual({ start: 0, end: 6000 });
  });

  test('invalid windows are refused', () => {
    expect(() => timeWindow(5, 5)).toThrow();
    expect(() => timeWindow(0, 1.5)).toThrow();
  });

  test('getWindowStartWithOffset handles negative remainders like Java', () => {
    expect(getWindowStartWithOffset(-1, 0, 1000)).toBe(-1000);
    expect(getWindowStartWithOffset(-1000, 0, 1000)).toBe(-1000);
    expect(getWindowStartWithOffset(-1001, 0, 1000)).toBe(-2000);
    expect(getWindowStartWithOffset(0, 900_000, 3_600_000)).toBe(-2_700_000);
    expect(getWindowStartWithOffset(0, -28_800_000, 86_400_000)).toBe(-28_800_000);
    expect(Object.is(getWindowStartWithOffset(-1000, 0, 1000), -1000)).toBe(true);
    expect(Object.is(getWindowStartWithOffset(0, 0, 1000), 0)).toBe(true);
  });

  test.prop([
    fc.integer({ min: -1e12, max: 1e12 }),
    fc.integer({ min: 1, max: 1e7 }),
    fc.integer({ min: -1e7, max: 1e7 }),
  ])('the start is on the offset grid and its window contains ts', (ts, size, rawOffset) => {
    const offset = rawOffset % size;
    const start = getWindowStartWithOffset(ts, offset, size);
    expect(start <= ts && ts < start + size).toBe(true);
    expect(((start - offset) % size) + 0).toBe(0);
  });

  test.prop([fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 1, max: 1e9 })])(
    'windowKey round-trips',
    (start, len) => {
      const w = timeWindow(start, start + len);
      expect(parseWindowKey(windowKey(w))).toEqual(w);
    },
  );
});
