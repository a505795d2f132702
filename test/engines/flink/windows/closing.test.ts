/**
 * What this proves: a window's final pane appears when the window is
 * cleaned up, with Beam's closing behaviours, and only when asked for —
 * without one, Flink's rule holds (the trigger alone decides what fires).
 *
 * The rules, from Beam's ReduceFnRunner (its garbage-collection timer at
 * `maxTimestamp + allowedLateness`):
 * - the trigger is asked first, as Flink's operator does; a pane it fires at
 *   the cleanup time is the final one (`isLast`). With no allowed lateness
 *   that is the on-time pane: Beam's ON_TIME_AND_ONLY_FIRING;
 * - otherwise `FIRE_IF_NON_EMPTY` emits a final pane only if elements came
 *   since the last pane, `FIRE_ALWAYS` in any case (empty after a
 *   discarding firing);
 * - its timing is ON_TIME when every earlier pane was EARLY, else LATE; in
 *   accumulating mode it holds everything the window kept;
 * - a window never cleaned up (the global window) closes at the end of
 *   input.
 *
 * How: the public operator harness, fed element by element. The first case
 * is Beam's TestStreamTest.testLateDataAccumulating in meaning (minutes
 * become seconds): early firings, an on-time pane, a late pane per late
 * element, then the final pane with all five elements, and the elements
 * that come after it dropped.
 */
import { describe, expect, it } from 'vitest';
import {
  AfterWatermark, CountTrigger, EventTimeTrigger, globalWindows, MAX_WATERMARK, tumbling, tumblingProcessingTime, type PaneInfo, type ProcessWindowFunction,
} from 'weir';
import { OperatorHarness, sumReducer, type Rec } from './harness.ts';

/** Lists a pane's elements, sorted, with its pane. */
const listing: ProcessWindowFunction<Rec, { values: number[]; pane: PaneInfo; start: number }> = {
  process: (_key, ctx, els, out) => out.collect({ values: els.map((e) => e.value).sort((a, b) => a - b), pane: ctx.pane, start: ctx.window.start }),
};

const panes = (h: OperatorHarness): [number[], string, number, boolean][] =>
  h.output.map((o) => [o.value.values, o.value.pane.timing, o.value.pane.index, o.value.pane.isLast]);

describe('the closing pane', () => {
  it("Beam's testLateDataAccumulating: FIRE_ALWAYS gives a final pane with every element, late ones included", () => {
    const h = new OperatorHarness((s) =>
      s.keyBy((r) => r.key).window(tumbling(5_000)).allowedLateness(5_000, 'FIRE_ALWAYS').sideOutputLateData('late')
        .trigger(AfterWatermark.pastEndOfWindow().withEarlyFirings(2_000).withLateFirings()).process(listing),
    );
    h.element('k', 1, 0).element('k', 2, 0).element('k', 3, 0);
    h.watermark(6_000);
    // Within the allowed lateness: a late pane for each, accumulating.
    h.element('k', 4, 0).element('k', 5, 0);
    h.watermark(20_000);
    // Too late: the window was cleaned up at 4_999 + 5_000.
    h.element('k', -1, 0).element('k', -2, 0);
    expect(panes(h)).toEqual([
      [[1, 2, 3], 'ON_TIME', 0, false],
      [[1, 2, 3, 4], 'LATE', 1, false],
      [[1, 2, 3, 4, 5], 'LATE', 2, false],
      [[1, 2, 3, 4, 5], 'LATE', 3, true],
    ]);
    expect(h.side.map((s) => s.value.record.value)).toEqual([-1, -2]);
  });

  it('FIRE_IF_NON_EMPTY adds nothing when nothing came since the last pane', () => {
    const build = (closing: boolean) =>
      new OperatorHarness((s) => {
        const w = s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(500);
        return (closing ? w.closingBehavior('FIRE_IF_NON_EMPTY') : w).process(listing);
      });
    const a = build(true);
    const b = build(false);
    for (const h of [a, b]) h.element('k', 1, 100).watermark(999).element('k', 2, 200).watermark(2_000);
    expect(panes(a)).toEqual(panes(b));
    expect(panes(a)).toEqual([[[1], 'ON_TIME', 0, false], [[1, 2], 'LATE', 1, false]]);
  });

  it('with no allowed lateness the on-time pane is the only and final one (ON_TIME_AND_ONLY_FIRING)', () => {
    const h = new OperatorHarness((s) => s.keyBy((r) => r.key).window(tumbling(1_000)).closingBehavior('FIRE_IF_NON_EMPTY').reduce(sumReducer));
    h.element('k', 1, 100).element('k', 2, 900).watermark(999);
    expect(h.output.map((o) => [o.value.value.value, o.value.pane])).toEqual([[3, { timing: 'ON_TIME', index: 0, isFirst: true, isLast: true }]]);
  });

  it('FIRE_IF_NON_EMPTY: elements a count trigger left unfired come out in the final pane; without it Flink drops them', () => {
    const build = (closing: boolean) =>
      new OperatorHarness((s) => {
        const w = s.keyBy((r) => r.key).window(tumbling(1_000)).trigger(CountTrigger.of(2));
        return (closing ? w.allowedLateness(0, 'FIRE_IF_NON_EMPTY') : w).process(listing);
      });
    const withClosing = build(true);
    const flink = build(false);
    for (const h of [withClosing, flink]) h.element('k', 1, 10).element('k', 2, 20).element('k', 3, 30).watermark(999);
    expect(panes(withClosing)).toEqual([[[1, 2], 'EARLY', 0, false], [[1, 2, 3], 'ON_TIME', 1, true]]);
    expect(panes(flink)).toEqual([[[1, 2], 'EARLY', 0, false]]);
  });

  it('FIRE_ALWAYS after a discarding firing: an empty final pane', () => {
    const h = new OperatorHarness((s) =>
      s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(1_000, 'FIRE_ALWAYS').trigger(EventTimeTrigger.create()).discardingFiredPanes().process(listing),
    );
    h.element('k', 1, 100).watermark(999).element('k', 2, 200).watermark(1_998);
    expect(panes(h)).toEqual([[[1], 'ON_TIME', 0, false], [[2], 'LATE', 1, false]]);
    h.watermark(1_999);
    expect(panes(h)).toEqual([[[1], 'ON_TIME', 0, false], [[2], 'LATE', 1, false], [[], 'LATE', 2, true]]);
  });

  it('an empty final pane of an aggregate is the empty accumulator’s result', () => {
    const h = new OperatorHarness((s) => s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(100, 'FIRE_ALWAYS').discardingFiredPanes().reduce(sumReducer));
    h.element('k', 5, 100).watermark(1_500);
    // reduce's empty accumulator has no value: the final pane says so.
    expect(h.output.map((o) => [o.value.value?.value, o.value.pane.timing, o.value.pane.isLast, o.value.ids])).toEqual([
      [5, 'ON_TIME', false, [0]],
      [undefined, 'LATE', true, []],
    ]);
  });

  it('the fresh elements survive a snapshot and restore', () => {
    const h = new OperatorHarness((s) => s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(0, 'FIRE_IF_NON_EMPTY').trigger(CountTrigger.of(2)).process(listing));
    h.element('k', 1, 10).element('k', 2, 20).element('k', 3, 30);
    h.snapshotAndRestore();
    h.watermark(999);
    expect(panes(h)).toEqual([[[1, 2], 'EARLY', 0, false], [[1, 2, 3], 'ON_TIME', 1, true]]);
  });

  it('the global window closes at the end of input', () => {
    const h = new OperatorHarness((s) => s.keyBy((r) => r.key).window(globalWindows()).trigger(CountTrigger.of(2)).closingBehavior('FIRE_IF_NON_EMPTY').process(listing));
    h.element('k', 1, 10).element('k', 2, 20).element('k', 3, 30).element('j', 7, 40).watermark(1_000_000);
    expect(panes(h)).toEqual([[[1, 2], 'EARLY', 0, false]]);
    h.endInput();
    expect(h.output.map((o) => [o.value.values, o.value.pane.timing, o.value.pane.isLast, o.ts])).toEqual([
      [[1, 2], 'EARLY', false, MAX_WATERMARK],
      [[1, 2, 3], 'ON_TIME', true, MAX_WATERMARK],
      [[7], 'ON_TIME', true, MAX_WATERMARK],
    ]);
  });

  it('a processing-time window closes when the clock reaches its end', () => {
    const h = new OperatorHarness((s) => s.keyBy((r) => r.key).window(tumblingProcessingTime(1_000)).trigger(CountTrigger.of(2)).closingBehavior('FIRE_IF_NON_EMPTY').process(listing));
    h.element('k', 1, 10).element('k', 2, 20).element('k', 3, 30);
    h.setProcessingTime(998);
    expect(panes(h)).toEqual([[[1, 2], 'EARLY', 0, false]]);
    h.setProcessingTime(999);
    expect(panes(h)).toEqual([[[1, 2], 'EARLY', 0, false], [[1, 2, 3], 'ON_TIME', 1, true]]);
  });

  it('traces the final pane with last: true', () => {
    const h = new OperatorHarness((s) => s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(10, 'FIRE_ALWAYS').process(listing));
    h.element('k', 1, 100).watermark(1_009);
    expect(h.trace.filter((e) => e.kind === 'window.fire').map((e) => [e.fields.firing, e.fields.timing, e.fields.last])).toEqual([
      [0, 'ON_TIME', undefined],
      [1, 'LATE', true],
    ]);
  });

  it('the default window path takes a closing behaviour too', () => {
    const h = new OperatorHarness((s) => s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(300, 'FIRE_ALWAYS').aggregate({
      createAccumulator: () => 0, add: (r: Rec, n: number) => n + r.value, merge: (a: number, b: number) => a + b, getResult: (n: number) => n,
    }));
    h.element('k', 4, 100).watermark(999).element('k', 1, 500).watermark(1_299);
    expect(h.output.map((o) => [o.value.value, o.value.firing, o.value.pane.timing, o.value.pane.isLast])).toEqual([
      [4, 0, 'ON_TIME', false],
      [5, 1, 'LATE', false],
      [5, 2, 'LATE', true],
    ]);
  });
});
