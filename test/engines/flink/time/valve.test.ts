/**
 * WatermarkValve (Flink's StatusWatermarkValve). Unit tests walk through
 * the rules: per-channel monotonicity, min over channels, idleness letting
 * the minimum advance, the all-idle flush (and its order independence,
 * the FLINK-38454 example), re-alignment of a resumed channel only once it
 * caught up, re-deriving the minimum on reactivation (FLINK-40475), and the
 * older no-flush rule.
 *
 * Properties over random sequences of watermarks and idle/active toggles on
 * 1–5 channels: (1) the output is monotone and every returned value is the
 * new `current()`; (2) it never exceeds the watermark of any channel that
 * has never been idle (such a channel is always counted in the minimum) nor
 * the largest channel watermark; (3) without idleness it is exactly the
 * minimum over channels; (4) whenever every channel is idle, the output
 * equals the largest channel watermark (flush); (5) restoring a snapshot
 * mid-sequence into a fresh valve gives the same outputs afterwards.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { WatermarkValve } from '../../../../src/engines/flink/time/valve.ts';
import { MIN_WATERMARK } from '../../../../src/stream/watermark.ts';

describe('WatermarkValve rules', () => {
  test('min over channels; lower or equal watermarks on a channel are ignored', () => {
    const v = new WatermarkValve(2);
    expect(v.current()).toBe(MIN_WATERMARK);
    expect(v.inputWatermark(0, 5)).toBeUndefined();
    expect(v.inputWatermark(1, 3)).toBe(3);
    expect(v.inputWatermark(1, 7)).toBe(5);
    expect(v.inputWatermark(0, 4)).toBeUndefined();
    expect(v.channelWatermarks()).toEqual([5, 7]);
    expect(v.inputWatermark(0, 9)).toBe(7);
    expect(v.current()).toBe(7);
  });

  test('an idle channel stops holding the minimum back; its watermarks are ignored', () => {
    const v = new WatermarkValve(2);
    v.inputWatermark(0, 5);
    v.inputWatermark(1, 10);
    expect(v.inputIdle(0, true)).toBe(10);
    expect(v.inputWatermark(0, 100)).toBeUndefined();
    expect(v.channelWatermarks()).toEqual([5, 10]);
    expect(v.isIdle()).toBe(false);
    expect(v.isChannelIdle(0)).toBe(true);
    expect(v.inputIdle(0, true)).toBeUndefined(); // no status change
  });

  test('a resumed channel behind the output does not count until it catches up', () => {
    const v = new WatermarkValve(2);
    v.inputWatermark(0, 5);
    v.inputWatermark(1, 10);
    v.inputIdle(0, true); // output 10
    expect(v.inputIdle(0, false)).toBeUndefined(); // 5 < 10: active, not aligned
    expect(v.inputWatermark(0, 8)).toBeUndefined(); // still behind 10: not counted
    expect(v.inputWatermark(1, 20)).toBe(20); // so channel 0 does not hold it back
    expect(v.inputWatermark(0, 15)).toBeUndefined(); // still behind 20
    expect(v.inputWatermark(0, 20)).toBeUndefined(); // caught up: aligned, min is 20
    expect(v.inputWatermark(1, 30)).toBeUndefined(); // channel 0 (20) now holds it
    expect(v.current()).toBe(20);
    expect(v.inputWatermark(0, 25)).toBe(25);
  });

  test('all idle: the max watermark is flushed, in either order (FLINK-38454 example)', () => {
    for (const order of [[0, 1], [1, 0]]) {
      const v = new WatermarkValve(2);
      v.inputWatermark(0, 5);
      v.inputWatermark(1, 4);
      v.inputIdle(order[0], true);
      v.inputIdle(order[1], true);
      expect(v.current()).toBe(5);
      expect(v.isIdle()).toBe(true);
    }
  });

  test('flush also when the last channel to go idle was not aligned (FLINK-40475)', () => {
    const v = new WatermarkValve(3);
    v.inputWatermark(0, 5);
    v.inputWatermark(1, 10);
    v.inputWatermark(2, 20);
    expect(v.current()).toBe(5);
    v.inputIdle(2, true);
    expect(v.inputIdle(0, true)).toBe(10);
    v.inputIdle(0, false); // 5 < 10: not aligned
    expect(v.inputIdle(1, true)).toBeUndefined(); // channel 0 active but not aligned: no minimum
    expect(v.inputIdle(0, true)).toBe(20);
    expect(v.isIdle()).toBe(true);
  });

  test('reactivation re-derives the minimum (FLINK-40475), shown with the no-flush rule', () => {
    const v = new WatermarkValve(2, { flushOnAllIdle: false });
    v.inputWatermark(0, 5);
    v.inputWatermark(1, 10);
    expect(v.inputIdle(1, true)).toBeUndefined();
    expect(v.inputIdle(0, true)).toBeUndefined(); // all idle, no flush under the old rule
    expect(v.current()).toBe(5);
    expect(v.isIdle()).toBe(true);
    expect(v.inputIdle(1, false)).toBe(10); // the only aligned channel, above the output
    expect(v.isIdle()).toBe(false);
  });

  test('bad channels are refused', () => {
    const v = new WatermarkValve(2);
    expect(() => v.inputWatermark(2, 1)).toThrow();
    expect(() => v.inputIdle(-1, true)).toThrow();
    expect(() => new WatermarkValve(0)).toThrow();
    expect(() => v.restore(new WatermarkValve(3).snapshot())).toThrow();
  });
});

type Op = { t: 'wm'; c: number; wm: number } | { t: 'idle'; c: number; idle: boolean };

const scenario = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    ops: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.record({ t: fc.constant('wm' as const), c: fc.integer({ min: 0, max: n - 1 }), wm: fc.integer({ min: -50, max: 200 }) }) },
        { weight: 1, arbitrary: fc.record({ t: fc.constant('idle' as const), c: fc.integer({ min: 0, max: n - 1 }), idle: fc.boolean() }) },
      ),
      { maxLength: 80, size: 'max' },
    ),
    cut: fc.nat(),
  }),
);

function apply(v: WatermarkValve, op: Op): number | undefined {
  return op.t === 'wm' ? v.inputWatermark(op.c, op.wm) : v.inputIdle(op.c, op.idle);
}

describe('WatermarkValve properties', () => {
  test.prop([scenario])('monotone, bounded by never-idle channels and by the max, flush when all idle', ({ n, ops }) => {
    const v = new WatermarkValve(n);
    const everIdle = new Array<boolean>(n).fill(false);
    let prev = v.current();
    for (const op of ops) {
      if (op.t === 'idle' && op.idle) everIdle[op.c] = true;
      const r = apply(v, op);
      const cur = v.current();
      if (r !== undefined) {
        expect(r).toBeGreaterThan(prev);
        expect(r).toBe(cur);
      } else {
        expect(cur).toBe(prev);
      }
      const wms = v.channelWatermarks();
      for (let c = 0; c < n; c++) if (!everIdle[c]) expect(cur).toBeLessThanOrEqual(wms[c]);
      expect(cur).toBeLessThanOrEqual(Math.max(...wms));
      if (v.isIdle()) expect(cur).toBe(Math.max(...wms));
      prev = cur;
    }
  });

  test.prop([scenario])('without idleness the output is the minimum over channels', ({ n, ops }) => {
    const v = new WatermarkValve(n);
    const max = new Array<number>(n).fill(MIN_WATERMARK);
    for (const op of ops) {
      if (op.t !== 'wm') continue;
      v.inputWatermark(op.c, op.wm);
      max[op.c] = Math.max(max[op.c], op.wm);
      expect(v.current()).toBe(Math.min(...max));
    }
  });

  test.prop([scenario])('snapshot/restore mid-sequence continues identically', ({ n, ops, cut }) => {
    const a = new WatermarkValve(n);
    const k = ops.length === 0 ? 0 : cut % (ops.length + 1);
    for (const op of ops.slice(0, k)) apply(a, op);
    const b = new WatermarkValve(n);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (const op of ops.slice(k)) {
      expect(apply(b, op)).toBe(apply(a, op));
      expect(b.isIdle()).toBe(a.isIdle());
    }
    expect(b.snapshot()).toEqual(a.snapshot());
  });
});
