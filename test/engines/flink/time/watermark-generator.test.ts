/**
 * BoundedOutOfOrdernessWatermarks against Flink's
 * BoundedOutOfOrdernessWatermarksTest vectors (SEMANTICS.md, bound 10 ms):
 * MIN before any event, `maxTs - bound - 1` after, repeated probes stable.
 * Properties: the watermark is monotone, equals `max(ts) - bound - 1`, and
 * every event at most `bound` behind the maximum is not late against it
 * (`ts > watermark`); snapshot/restore preserves it.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { BoundedOutOfOrdernessWatermarks } from '../../../../src/engines/flink/time/watermark-generator.ts';
import { MIN_WATERMARK, formatWatermark, MAX_WATERMARK } from '../../../../src/stream/watermark.ts';

describe('BoundedOutOfOrdernessWatermarks (Flink test vectors, bound 10)', () => {
  test('testWatermarkBeforeRecords', () => {
    expect(new BoundedOutOfOrdernessWatermarks(10).currentWatermark()).toBe(MIN_WATERMARK);
  });
  test('testWatermarkAfterEvent', () => {
    const g = new BoundedOutOfOrdernessWatermarks(10);
    g.onEvent(1337);
    expect(g.currentWatermark()).toBe(1326);
  });
  test('testWatermarkAfterNonMonotonousEvents', () => {
    const g = new BoundedOutOfOrdernessWatermarks(10);
    for (const ts of [12345, 12300, 12340, 12280]) g.onEvent(ts);
    expect(g.currentWatermark()).toBe(12334);
  });
  test('testRepeatedProbe', () => {
    const g = new BoundedOutOfOrdernessWatermarks(10);
    g.onEvent(723456);
    g.currentWatermark();
    expect(g.currentWatermark()).toBe(723445);
  });
  test('monotonous timestamps: watermark = max - 1', () => {
    const g = BoundedOutOfOrdernessWatermarks.forMonotonousTimestamps();
    g.onEvent(100);
    expect(g.currentWatermark()).toBe(99);
  });
  test('bad bounds are refused; formatWatermark', () => {
    expect(() => new BoundedOutOfOrdernessWatermarks(-1)).toThrow();
    expect(formatWatermark(MIN_WATERMARK)).toBe('-inf');
    expect(formatWatermark(MAX_WATERMARK)).toBe('+inf');
    expect(formatWatermark(42)).toBe('42');
  });
  test('snapshot before any event restores to MIN', () => {
    const g = new BoundedOutOfOrdernessWatermarks(10);
    expect(BoundedOutOfOrdernessWatermarks.restore(10, g.snapshot()).currentWatermark()).toBe(MIN_WATERMARK);
  });
});

describe('properties', () => {
  test.prop([fc.integer({ min: 0, max: 100_000 }), fc.array(fc.integer({ min: -1e12, max: 1e12 }), { minLength: 1, maxLength: 100, size: 'max' })])(
    'watermark is monotone, = max - bound - 1, and never makes an in-bound event late',
    (bound, tss) => {
      const g = new BoundedOutOfOrdernessWatermarks(bound);
      let prev = g.currentWatermark();
      let max = -Infinity;
      for (const ts of tss) {
        g.onEvent(ts);
        max = Math.max(max, ts);
        const wm = g.currentWatermark();
        expect(wm).toBeGreaterThanOrEqual(prev);
        expect(wm).toBe(max - bound - 1);
        expect(max - bound).toBeGreaterThan(wm); // an event exactly `bound` behind is still on time
        prev = wm;
      }
      const r = BoundedOutOfOrdernessWatermarks.restore(bound, JSON.parse(JSON.stringify(g.snapshot())));
      expect(r.currentWatermark()).toBe(g.currentWatermark());
    },
  );
});
