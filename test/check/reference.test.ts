/**
 * The batch reference and the checkers' window math. Examples: the worked
 * window-assignment examples of SEMANTICS.md (tumbling with negative
 * timestamps, sliding newest/closing order, touching sessions merging) and
 * the integer average. Property: the checkers' own `windowsOf` agrees with
 * the engine's `assignWindows` (same set of windows) for random assigners
 * and timestamps, so checker and engine cannot silently disagree on what a
 * window is.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { aggregateOf, belongsTo, referenceWindows, windowsOf } from '../../src/check/index.ts';
import { assignWindows, session, sliding, tumbling } from '../../src/stream/assigners.ts';
import { rec } from './helpers.ts';

describe('windowsOf', () => {
  it('follows the worked examples, in closing order', () => {
    expect(windowsOf(tumbling(1000), -1)).toEqual([{ start: -1000, end: 0 }]);
    expect(windowsOf(tumbling(3_600_000, 900_000), 0)).toEqual([{ start: -2_700_000, end: 900_000 }]);
    expect(windowsOf(sliding(3000, 1000), 2400)).toEqual([{ start: 0, end: 3000 }, { start: 1000, end: 4000 }, { start: 2000, end: 5000 }]);
    expect(windowsOf(sliding(10000, 3000), 10000).map((w) => w.start)).toEqual([3000, 6000, 9000]);
  });

  test.prop([
    fc.oneof(
      fc.integer({ min: 1, max: 500 }).chain((size) => fc.record({
        kind: fc.constant('tumbling' as const), sizeMs: fc.constant(size), offsetMs: fc.integer({ min: -size + 1, max: size - 1 }) })),
      fc.integer({ min: 1, max: 100 }).chain((slide) => fc.record({
        kind: fc.constant('sliding' as const), sizeMs: fc.integer({ min: 1, max: 400 }), slideMs: fc.constant(slide),
        offsetMs: fc.integer({ min: -slide + 1, max: slide - 1 }) })),
      fc.record({ kind: fc.constant('session' as const), gapMs: fc.integer({ min: 1, max: 1000 }) }),
    ),
    fc.integer({ min: -100_000, max: 100_000 }),
  ])('agrees with the engine assigners', (a, ts) => {
    const byEnd = (x: { start: number; end: number }, y: { start: number; end: number }): number => x.end - y.end;
    expect(windowsOf(a, ts)).toEqual([...assignWindows(a, ts)].sort(byEnd));
  });
});

describe('referenceWindows', () => {
  it('counts, sums and averages per key and tumbling window', () => {
    const input = [rec(0, 5, 'a', 3), rec(1, 999, 'a', 4), rec(2, 1000, 'a', 10), rec(3, 7, 'b', 1)];
    const avg = referenceWindows(input, { assigner: tumbling(1000), aggregate: 'avg', allowedLatenessMs: 0 });
    expect([...avg.values()]).toEqual([
      { key: 'a', start: 0, end: 1000, ids: [0, 1], value: 3 },
      { key: 'a', start: 1000, end: 2000, ids: [2], value: 10 },
      { key: 'b', start: 0, end: 1000, ids: [3], value: 1 },
    ]);
    expect(aggregateOf('avg', [-3, 0])).toBe(-2);
  });

  it('merges sessions over all records of a key, touching ones included', () => {
    const spec = { assigner: session(3000), aggregate: 'count' as const, allowedLatenessMs: 0 };
    const merged = referenceWindows([rec(0, 2500), rec(1, 0), rec(2, 1000), rec(3, 9000)], spec);
    expect([...merged.values()].map((w) => [w.start, w.end, w.ids])).toEqual([[0, 5500, [0, 1, 2]], [9000, 12000, [3]]]);
    const touching = referenceWindows([rec(0, 3000), rec(1, 0)], spec);
    expect([...touching.values()].map((w) => [w.start, w.end, w.value])).toEqual([[0, 6000, 2]]);
  });

  it('puts a record in every sliding window it belongs to', () => {
    const ref = referenceWindows([rec(0, 2400)], { assigner: sliding(3000, 1000), aggregate: 'count', allowedLatenessMs: 0 });
    expect([...ref.values()].map((w) => w.start).sort((x, y) => x - y)).toEqual([0, 1000, 2000]);
  });
});

describe('belongsTo', () => {
  test.prop([
    fc.integer({ min: 1, max: 60 }).chain((slide) => fc.record({
      kind: fc.constant('sliding' as const), sizeMs: fc.integer({ min: 1, max: 200 }), slideMs: fc.constant(slide),
      offsetMs: fc.integer({ min: -slide + 1, max: slide - 1 }) })),
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer({ min: -1300, max: 1300 }),
    fc.integer({ min: 1, max: 250 }),
  ])('holds exactly for the windows windowsOf lists', (a, ts, start, len) => {
    const listed = windowsOf(a, ts).some((w) => w.start === start && w.end === start + len);
    expect(belongsTo(a, ts, start, start + len)).toBe(listed);
    for (const w of windowsOf(a, ts)) expect(belongsTo(a, ts, w.start, w.end)).toBe(true);
  });
});
