/**
 * The merging window set (sessions). Unit tests: the SEMANTICS.md session
 * examples, touching windows merging, containment not reporting a merge,
 * transitive merges reporting every absorbed window, remove and restore, and
 * the planted bug's strict merge test (touching windows kept apart).
 *
 * Properties, over random timestamps added in random order with a random
 * gap: (1) the windows are always sorted, disjoint and non-touching;
 * (2) at the end they equal the batch sessionization of the same timestamps
 * (sort, then cut where the next timestamp is beyond the current session's
 * end); (3) state follows the merges: if every added element counts 1 in
 * the window it was assigned to, and onMerge moves the counts of `mergedFrom`
 * into `merged`, each final window holds exactly its own elements — so the
 * callback never forgets or double-reports a window; `merged` is never in
 * `mergedFrom`.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { MergingWindowSet } from '../../../../src/engines/flink/windows/merging.ts';
import { windowKey, type TimeWindow } from '../../../../src/stream/time-window.ts';

function addAll(set: MergingWindowSet, tss: number[], gap: number, log: [TimeWindow, TimeWindow[]][] = []): void {
  for (const ts of tss) set.addWindow({ start: ts, end: ts + gap }, (m, from) => log.push([m, from]));
}

function batchSessions(tss: number[], gap: number): TimeWindow[] {
  const sorted = tss.slice().sort((a, b) => a - b);
  const out: TimeWindow[] = [];
  for (const ts of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && ts <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, ts + gap) };
    else out.push({ start: ts, end: ts + gap });
  }
  return out;
}

describe('MergingWindowSet examples', () => {
  test('SEMANTICS: [0, 1000, 2500] gap 3000 -> [0, 5500)', () => {
    const set = new MergingWindowSet();
    addAll(set, [0, 1000, 2500], 3000);
    expect(set.windows()).toEqual([{ start: 0, end: 5500 }]);
  });

  test('SEMANTICS: [0, 3000] gap 3000 -> [0, 6000) (touching windows merge)', () => {
    const set = new MergingWindowSet();
    const log: [TimeWindow, TimeWindow[]][] = [];
    addAll(set, [0, 3000], 3000, log);
    expect(set.windows()).toEqual([{ start: 0, end: 6000 }]);
    expect(log).toEqual([[{ start: 0, end: 6000 }, [{ start: 0, end: 3000 }]]]);
  });

  test('one ms further apart stays two sessions', () => {
    const set = new MergingWindowSet();
    addAll(set, [0, 3001], 3000);
    expect(set.windows()).toEqual([{ start: 0, end: 3000 }, { start: 3001, end: 6001 }]);
  });

  test('a window inside an existing one returns it and reports no merge', () => {
    const set = new MergingWindowSet([{ start: 0, end: 5000 }]);
    const log: unknown[] = [];
    const r = set.addWindow({ start: 1000, end: 4000 }, (m, f) => log.push([m, f]));
    expect(r).toEqual({ start: 0, end: 5000 });
    expect(log).toEqual([]);
    expect(set.addWindow({ start: 0, end: 5000 }, (m, f) => log.push([m, f]))).toEqual({ start: 0, end: 5000 });
    expect(log).toEqual([]);
  });

  test('a bridging window merges both neighbours in one callback', () => {
    const set = new MergingWindowSet([{ start: 0, end: 1000 }, { start: 2000, end: 3000 }, { start: 9000, end: 9500 }]);
    const log: [TimeWindow, TimeWindow[]][] = [];
    const r = set.addWindow({ start: 1000, end: 2000 }, (m, f) => log.push([m, f]));
    expect(r).toEqual({ start: 0, end: 3000 });
    expect(log).toEqual([[{ start: 0, end: 3000 }, [{ start: 0, end: 1000 }, { start: 2000, end: 3000 }]]]);
    expect(set.windows()).toEqual([{ start: 0, end: 3000 }, { start: 9000, end: 9500 }]);
  });

  test('remove, has and snapshot/restore', () => {
    const set = new MergingWindowSet();
    addAll(set, [0, 10_000, 20_000], 1000);
    expect(set.remove({ start: 10_000, end: 11_000 })).toBe(true);
    expect(set.remove({ start: 10_000, end: 11_000 })).toBe(false);
    expect(set.remove({ start: 0, end: 999 })).toBe(false);
    expect(set.has({ start: 20_000, end: 21_000 })).toBe(true);
    const snap = set.snapshot();
    const restored = new MergingWindowSet(JSON.parse(JSON.stringify(snap)));
    expect(restored.windows()).toEqual(set.windows());
    snap[0] = { start: -1, end: 0 };
    expect(set.windows()[0]).toEqual({ start: 0, end: 1000 }); // the snapshot does not alias
    expect(() => new MergingWindowSet([{ start: 0, end: 10 }, { start: 10, end: 20 }])).toThrow();
  });

  test('planted bug session-merge-off-by-one: touching windows stay apart; overlapping ones still merge; lookups still work', () => {
    const buggy = new MergingWindowSet([], { touchingMerges: false });
    addAll(buggy, [0, 3000], 3000);
    expect(buggy.windows()).toEqual([{ start: 0, end: 3000 }, { start: 3000, end: 6000 }]);
    // A window touching both sides merges with neither; one overlapping both by a millisecond merges all three.
    addAll(buggy, [-3000], 3000);
    expect(buggy.size).toBe(3);
    addAll(buggy, [2999], 3000);
    expect(buggy.windows()).toEqual([{ start: -3000, end: 0 }, { start: 0, end: 6000 }]);
    expect(buggy.has({ start: 0, end: 6000 })).toBe(true);
    expect(buggy.remove({ start: 0, end: 6000 })).toBe(true);
    expect(buggy.windows()).toEqual([{ start: -3000, end: 0 }]);
    // Restoring touching windows is what the bug leaves behind; Flink's rule refuses it.
    expect(new MergingWindowSet([{ start: 0, end: 10 }, { start: 10, end: 20 }], { touchingMerges: false }).size).toBe(2);
    const fixed = new MergingWindowSet();
    addAll(fixed, [0, 3000], 3000);
    expect(fixed.windows()).toEqual([{ start: 0, end: 6000 }]);
  });
});

describe('MergingWindowSet properties', () => {
  const input = fc.record({
    tss: fc.array(fc.integer({ min: -20_000, max: 20_000 }), { maxLength: 60, size: 'max' }),
    gap: fc.integer({ min: 1, max: 3000 }),
  });

  test.prop([input])('windows stay sorted, disjoint and non-touching; end state = batch sessions', ({ tss, gap }) => {
    const set = new MergingWindowSet();
    for (const ts of tss) {
      set.addWindow({ start: ts, end: ts + gap }, () => {});
      const ws = set.windows();
      for (let i = 1; i < ws.length; i++) expect(ws[i].start).toBeGreaterThan(ws[i - 1].end);
    }
    expect(set.windows()).toEqual(batchSessions(tss, gap));
  });

  test.prop([input])('state moved on each merge ends in the right window, nothing lost or doubled', ({ tss, gap }) => {
    const set = new MergingWindowSet();
    const counts = new Map<string, number>();
    for (const ts of tss) {
      const w = set.addWindow({ start: ts, end: ts + gap }, (merged, from) => {
        expect(from.some((f) => f.start === merged.start && f.end === merged.end)).toBe(false);
        let sum = counts.get(windowKey(merged)) ?? 0;
        for (const f of from) {
          sum += counts.get(windowKey(f)) ?? 0;
          counts.delete(windowKey(f));
        }
        counts.set(windowKey(merged), sum);
      });
      expect(w.start <= ts && ts < w.end).toBe(true);
      counts.set(windowKey(w), (counts.get(windowKey(w)) ?? 0) + 1);
    }
    const finals = set.windows();
    expect(Array.from(counts.keys()).sort()).toEqual(finals.map(windowKey).sort());
    for (const w of finals) {
      expect(counts.get(windowKey(w))).toBe(tss.filter((t) => t >= w.start && t + gap <= w.end).length);
    }
  });
});
