/**
 * What this proves: results of the default window path (EventTimeTrigger,
 * the dedicated operator every shipped scenario runs) carry their pane as
 * Beam's PaneInfo describes it, with the general path's fields: the firing
 * at the window's end is ON_TIME pane 0 (first), each firing for a late
 * element is LATE pane 1, 2, … (`firing` is the index); with no allowed
 * lateness the on-time pane is also the last; a window whose first firing
 * is caused by a late element starts with LATE pane 0; a restored window
 * goes on numbering its panes where the snapshot left it; and a merged
 * session window starts its panes over, as on the general path.
 *
 * How: the public operator harness, with `PaneAssert` selectors reading
 * the results, and a snapshot taken mid-run restored into the same harness.
 */
import { describe, expect, it } from 'vitest';
import { OperatorTestHarness, PaneAssert, session, sumAggregate, tumbling, type WindowResult } from 'weir';

interface Rec {
  id: number;
  key: string;
  value: number;
  ts: number;
}

let nextId = 0;
const rec = (key: string, value: number, ts: number): Rec => ({ id: nextId++, key, value, ts });

const results = (h: OperatorTestHarness<Rec>): WindowResult[] => h.values() as WindowResult[];
const panes = (h: OperatorTestHarness<Rec>) => results(h).map((r) => [r.start, r.value, r.firing, r.pane]);

describe('default window path panes', () => {
  it('ON_TIME pane 0 at the watermark, LATE panes 1, 2, … for late elements', () => {
    const h = OperatorTestHarness.of((s: import('weir').DataStream<Rec>) => s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(500).aggregate(sumAggregate));
    h.processElement(rec('k', 1, 100)).processWatermark(999).processElement(rec('k', 2, 200)).processElement(rec('k', 3, 300)).processWatermark(2_000);
    expect(panes(h)).toEqual([
      [0, 1, 0, { timing: 'ON_TIME', index: 0, isFirst: true, isLast: false }],
      [0, 3, 1, { timing: 'LATE', index: 1, isFirst: false, isLast: false }],
      [0, 6, 2, { timing: 'LATE', index: 2, isFirst: false, isLast: false }],
    ]);
    const w = { start: 0, end: 1_000 };
    PaneAssert.that(results(h)).inOnTimePane(w).containsExactly(1);
    PaneAssert.that(results(h)).inLatePanes(w).containsExactly(3, 6);
    PaneAssert.that(results(h)).inCombinedNonLatePanes(w).containsExactly(1);
    PaneAssert.that(results(h)).inEarlyPanes(w).empty();
  });

  it('with no allowed lateness the on-time pane is the only one, first and last', () => {
    const h = OperatorTestHarness.of((s: import('weir').DataStream<Rec>) => s.keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate));
    h.processElement(rec('k', 4, 100)).processElement(rec('k', 5, 1_100)).processWatermark(5_000);
    expect(panes(h)).toEqual([
      [0, 4, 0, { timing: 'ON_TIME', index: 0, isFirst: true, isLast: true }],
      [1_000, 5, 0, { timing: 'ON_TIME', index: 0, isFirst: true, isLast: true }],
    ]);
    PaneAssert.that(results(h)).inOnlyPane({ start: 0, end: 1_000 }).containsExactly(4);
    PaneAssert.that(results(h)).inFinalPane({ start: 1_000, end: 2_000 }).containsExactly(5);
  });

  it('a window first fired by a late element starts with LATE pane 0', () => {
    const h = OperatorTestHarness.of((s: import('weir').DataStream<Rec>) => s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(500).aggregate(sumAggregate));
    h.processWatermark(1_200).processElement(rec('k', 7, 300)).processElement(rec('k', 1, 400));
    expect(panes(h)).toEqual([
      [0, 7, 0, { timing: 'LATE', index: 0, isFirst: true, isLast: false }],
      [0, 8, 1, { timing: 'LATE', index: 1, isFirst: false, isLast: false }],
    ]);
  });

  it('a restored window continues its pane numbering', () => {
    const build = (s: import('weir').DataStream<Rec>) => s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(1_000).aggregate(sumAggregate);
    const h = OperatorTestHarness.of(build);
    h.processElement(rec('k', 1, 100)).processWatermark(999).processElement(rec('k', 2, 200));
    const snap = JSON.parse(JSON.stringify(h.snapshot()));
    const again = OperatorTestHarness.of(build, { restoreFrom: snap });
    again.processWatermark(1_100).processElement(rec('k', 3, 300)).processElement(rec('k', 4, 400)).processWatermark(5_000);
    expect(panes(again)).toEqual([
      [0, 6, 2, { timing: 'LATE', index: 2, isFirst: false, isLast: false }],
      [0, 10, 3, { timing: 'LATE', index: 3, isFirst: false, isLast: false }],
    ]);
    // The same run without the restore numbers the same panes the same way.
    h.processWatermark(1_100).processElement(rec('k', 3, 300)).processElement(rec('k', 4, 400)).processWatermark(5_000);
    expect(panes(h).slice(2).map((p) => p[3])).toEqual(panes(again).map((p) => p[3]));
  });

  it('a merged session window starts its panes over, as on the general path', () => {
    const h = OperatorTestHarness.of((s: import('weir').DataStream<Rec>) => s.keyBy((r) => r.key).window(session(300)).allowedLateness(1_000).aggregate(sumAggregate));
    // Two sessions fire on time; a late element bridges them into one window, fired at once as its first (LATE) pane.
    h.processElement(rec('k', 1, 0)).processElement(rec('k', 2, 500)).processWatermark(900);
    h.processElement(rec('k', 4, 250)).processElement(rec('k', 8, 260));
    expect(results(h).map((r) => [r.start, r.end, r.value, r.pane])).toEqual([
      [0, 300, 1, { timing: 'ON_TIME', index: 0, isFirst: true, isLast: false }],
      [500, 800, 2, { timing: 'ON_TIME', index: 0, isFirst: true, isLast: false }],
      [0, 800, 7, { timing: 'LATE', index: 0, isFirst: true, isLast: false }],
      [0, 800, 15, { timing: 'LATE', index: 1, isFirst: false, isLast: false }],
    ]);
  });
});
