/**
 * Lateness boundaries, one millisecond either side, as Flink's
 * WindowOperator decides them (SEMANTICS.md A1): an element is late iff
 * `ts + L <= W`; a window is late iff `end - 1 + L <= W`; the cleanup time is
 * `end - 1 + L`, clamped at MAX_WATERMARK; and the four outcomes of
 * `windowTimeStatus`. A property checks that a window late for an element's
 * timestamp implies the element is late (the operator relies on it).
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import {
  cleanupTime,
  isCleanupTime,
  isElementLate,
  isWindowLate,
  windowTimeStatus,
} from '../../../../src/engines/flink/windows/lateness.ts';
import { MAX_WATERMARK } from '../../../../src/stream/watermark.ts';

const w = { start: 0, end: 1000 };

describe('element lateness', () => {
  test('no allowed lateness: late iff ts <= watermark', () => {
    expect(isElementLate(500, 499)).toBe(false);
    expect(isElementLate(500, 500)).toBe(true);
    expect(isElementLate(500, 501)).toBe(true);
  });
  test('with allowed lateness: late iff ts + L <= watermark', () => {
    expect(isElementLate(500, 699, 200)).toBe(false);
    expect(isElementLate(500, 700, 200)).toBe(true);
    expect(isElementLate(500, 701, 200)).toBe(true);
  });
  test('overflow is never late', () => {
    expect(isElementLate(MAX_WATERMARK - 1, MAX_WATERMARK, 10)).toBe(false);
  });
});

describe('window lateness and cleanup', () => {
  test('L = 0: late once the watermark reaches end - 1', () => {
    expect(isWindowLate(w, 998, 0)).toBe(false);
    expect(isWindowLate(w, 999, 0)).toBe(true);
    expect(isWindowLate(w, 1000, 0)).toBe(true);
  });
  test('L = 500: late once the watermark reaches end - 1 + L', () => {
    expect(cleanupTime(w, 500)).toBe(1499);
    expect(isWindowLate(w, 1498, 500)).toBe(false);
    expect(isWindowLate(w, 1499, 500)).toBe(true);
    expect(isCleanupTime(w, 1499, 500)).toBe(true);
    expect(isCleanupTime(w, 999, 500)).toBe(false);
  });
  test('cleanup time saturates at MAX_WATERMARK', () => {
    expect(cleanupTime({ start: 0, end: MAX_WATERMARK }, 5)).toBe(MAX_WATERMARK);
    expect(cleanupTime(w, MAX_WATERMARK)).toBe(MAX_WATERMARK);
  });
  test('the four outcomes', () => {
    expect(windowTimeStatus(w, 998, 500)).toBe('on-time');
    expect(windowTimeStatus(w, 999, 500)).toBe('late-firing');
    expect(windowTimeStatus(w, 1498, 500)).toBe('late-firing');
    expect(windowTimeStatus(w, 1499, 500)).toBe('too-late');
    expect(windowTimeStatus(w, 998, 0)).toBe('on-time');
    expect(windowTimeStatus(w, 999, 0)).toBe('too-late');
  });
  test.prop([
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.integer({ min: 1, max: 1e6 }),
    fc.integer({ min: 0, max: 1e6 }),
    fc.integer({ min: -1e9, max: 1e9 }),
  ])('a late window for ts implies a late element', (start, len, lateness, wm) => {
    const win = { start, end: start + len };
    for (const ts of [start, start + len - 1, start + (len >> 1)]) {
      if (isWindowLate(win, wm, lateness)) expect(isElementLate(ts, wm, lateness)).toBe(true);
    }
  });
});
