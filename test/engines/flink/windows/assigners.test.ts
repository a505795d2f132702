/**
 * Window assigners against every "Window assignment examples" vector of
 * SEMANTICS.md (tumbling with negative timestamps and offsets, sliding in
 * Flink's newest-first emit order, the non-divisible sliding case), the
 * constructor checks Flink makes, and properties over random timestamps:
 * every assigned window contains ts; tumbling gives exactly one window;
 * sliding gives exactly size/slide windows when slide divides size (and
 * floor/ceil of it otherwise), each one slide apart, newest first, and they
 * are exactly the grid windows that contain ts (checked by brute force).
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import {
  assignWindows,
  describeAssigner,
  isMerging,
  session,
  sliding,
  tumbling,
} from '../../../../src/stream/assigners.ts';
import { MIN_WATERMARK } from '../../../../src/stream/watermark.ts';

const pairs = (ws: { start: number; end: number }[]): [number, number][] => ws.map((w) => [w.start, w.end]);

describe('SEMANTICS.md window assignment examples', () => {
  test.each([
    { size: 1000, offset: 0, ts: 0, window: [0, 1000] },
    { size: 1000, offset: 0, ts: 999, window: [0, 1000] },
    { size: 1000, offset: 0, ts: -1, window: [-1000, 0] },
    { size: 3_600_000, offset: 900_000, ts: 0, window: [-2_700_000, 900_000] },
    { size: 86_400_000, offset: -28_800_000, ts: 0, window: [-28_800_000, 57_600_000] },
  ])('tumbling size=$size offset=$offset ts=$ts -> $window', ({ size, offset, ts, window }) => {
    expect(pairs(assignWindows(tumbling(size, offset), ts))).toEqual([window]);
  });

  test.each([
    { size: 3000, slide: 1000, ts: 2400, windows: [[2000, 5000], [1000, 4000], [0, 3000]] },
    { size: 3000, slide: 1000, ts: 0, windows: [[0, 3000], [-1000, 2000], [-2000, 1000]] },
    { size: 10000, slide: 3000, ts: 10000, windows: [[9000, 19000], [6000, 16000], [3000, 13000]] },
  ])('sliding size=$size slide=$slide ts=$ts in emit order', ({ size, slide, ts, windows }) => {
    expect(pairs(assignWindows(sliding(size, slide), ts))).toEqual(windows);
  });

  test('session: [ts, ts + gap)', () => {
    expect(pairs(assignWindows(session(3000), 2500))).toEqual([[2500, 5500]]);
    expect(isMerging(session(3000))).toBe(true);
    expect(isMerging(tumbling(1000))).toBe(false);
    expect(isMerging(sliding(3000, 1000))).toBe(false);
  });
});

describe('constructor checks (as Flink)', () => {
  test('tumbling', () => {
    expect(() => tumbling(0)).toThrow();
    expect(() => tumbling(1000, 1000)).toThrow();
    expect(() => tumbling(1000, -1000)).toThrow();
    expect(() => tumbling(1000, 999)).not.toThrow();
  });
  test('sliding', () => {
    expect(() => sliding(0, 1000)).toThrow();
    expect(() => sliding(3000, 0)).toThrow();
    expect(() => sliding(3000, -1000)).toThrow();
    expect(() => sliding(3000, 1000, 1000)).toThrow();
    expect(() => sliding(100_000_000, 1)).toThrow();
    expect(() => sliding(3000, 1000, 999)).not.toThrow();
  });
  test('session', () => {
    expect(() => session(0)).toThrow();
    expect(() => session(-5)).toThrow();
  });
  test('a record without a timestamp is refused', () => {
    expect(() => assignWindows(tumbling(1000), MIN_WATERMARK)).toThrow(/timestamp/);
    expect(() => assignWindows(tumbling(1000), 1.5)).toThrow(/timestamp/);
  });
  test('describeAssigner', () => {
    expect(describeAssigner(tumbling(1000))).toBe('tumbling 1000ms');
    expect(describeAssigner(sliding(3000, 1000, 5))).toBe('sliding 3000ms every 1000ms offset 5ms');
    expect(describeAssigner(session(3000))).toBe('session gap 3000ms');
  });
});

const tsArb = fc.integer({ min: -1e10, max: 1e10 });

describe('properties', () => {
  test.prop([tsArb, fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: -99_999, max: 99_999 })])(
    'tumbling: exactly one window, containing ts',
    (ts, size, rawOffset) => {
      const ws = assignWindows(tumbling(size, rawOffset % size), ts);
      expect(ws).toHaveLength(1);
      expect(ws[0].start <= ts && ts < ws[0].end && ws[0].end - ws[0].start === size).toBe(true);
    },
  );

  test.prop([tsArb, fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 20 }), fc.integer()])(
    'sliding with slide | size: size/slide windows, all containing ts, newest first',
    (ts, slide, ratio, rawOffset) => {
      const size = slide * ratio;
      const ws = assignWindows(sliding(size, slide, rawOffset % slide), ts);
      expect(ws).toHaveLength(ratio);
      ws.forEach((w, i) => {
        expect(w.start <= ts && ts < w.end).toBe(true);
        expect(w.end - w.start).toBe(size);
        if (i > 0) expect(ws[i - 1].start - w.start).toBe(slide);
      });
    },
  );

  test.prop([fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 100 }), fc.integer()])(
    'sliding (any size): exactly the grid windows that contain ts (brute force)',
    (ts, slide, size, rawOffset) => {
      const offset = rawOffset % slide;
      const ws = pairs(assignWindows(sliding(size, slide, offset), ts));
      const expected: [number, number][] = [];
      for (let start = -5000 - 200; start <= 5000 + 200; start++) {
        if ((((start - offset) % slide) + slide) % slide === 0 && start <= ts && ts < start + size) {
          expected.push([start, start + size]);
        }
      }
      expect(ws).toEqual(expected.reverse());
      expect([Math.floor(size / slide), Math.ceil(size / slide)]).toContain(ws.length);
    },
  );
});
