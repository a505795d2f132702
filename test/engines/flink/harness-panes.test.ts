/**
 * What this proves: the harness's pane assertions pick exactly the panes
 * Beam's PAssert picks — the on-time pane, the final pane, the only pane,
 * the early and late panes, the non-late ones, the global window's early
 * panes — and a wrong expectation fails with a message naming the window,
 * the selector and every pane of the window.
 *
 * How: Beam's TestStreamTest cases in meaning (minutes become seconds), run
 * on the public harnesses: testLateDataAccumulating (early, on-time, late
 * and final panes; FIRE_ALWAYS), testProcessingTimeTrigger (early panes of
 * the global window from processing-time firings, played by a script), and
 * a window that fires once (inOnlyPane). The results are window results
 * from `reduce` and `aggregate`, and `{ start, end, pane, value }` records
 * from a process window function.
 */
import { describe, expect, it } from 'vitest';
import {
  AfterWatermark, globalWindows, OperatorTestHarness, PaneAssert, PaneAssertionError, PipelineTestHarness, script, sumAggregate, tumbling,
  type DataStream, type InputRecord, type ProcessWindowFunction,
} from 'weir';

type Num = { key: string; value: number };
const sumOf = (a: Num, b: Num): Num => ({ key: a.key, value: a.value + b.value });

describe('pane assertions (PAssert)', () => {
  // testLateDataAccumulating: three on-time elements, two late ones within the allowed lateness,
  // then the window closes (FIRE_ALWAYS) and later elements are dropped.
  const lateData = (input: DataStream<Num>) =>
    input.keyBy((r) => r.key).window(tumbling(5_000)).allowedLateness(5_000, 'FIRE_ALWAYS')
      .trigger(AfterWatermark.pastEndOfWindow().withEarlyFirings(2_000).withLateFirings()).reduce(sumOf);
  const window = { start: 0, end: 5_000 };
  const played = () => {
    const h = OperatorTestHarness.of(lateData);
    h.processElement({ key: 'k', value: 1 }, 0).processElement({ key: 'k', value: 2 }, 0).processElement({ key: 'k', value: 3 }, 0);
    h.processWatermark(6_000);
    h.processElement({ key: 'k', value: 4 }, 0).processElement({ key: 'k', value: 5 }, 0);
    h.processWatermark(20_000);
    h.processElement({ key: 'k', value: -1 }, 0);
    return h;
  };

  it('testLateDataAccumulating: the on-time pane, the late panes and the final pane', () => {
    const panes = played().panes<Num>().map((r) => r.value.value);
    panes.inOnTimePane(window).containsInAnyOrder(6);
    panes.inLatePanes(window).containsExactly(10, 15, 15);
    panes.inFinalPane(window).containsInAnyOrder(15);
    panes.inCombinedNonLatePanes(window).containsInAnyOrder(6);
    panes.inEarlyPanes(window).empty();
    panes.inWindow(window).satisfies((sums) => sums.every((s) => s >= 6));
    // Nothing else: the dropped element made no window.
    panes.inWindow({ start: -5_000, end: 0 }).empty();
  });

  it('a wrong expectation fails, naming the window, the selector and the panes', () => {
    const panes = played().panes<Num>().map((r) => r.value.value);
    expect(() => panes.inFinalPane(window).containsInAnyOrder(6)).toThrow(PaneAssertionError);
    expect(() => panes.inFinalPane(window).containsInAnyOrder(6)).toThrow(
      'results inFinalPane([0, 5000)): expected in any order [6], got [15] (the window\'s panes: ON_TIME#0 first, LATE#1, LATE#2, LATE#3 last)',
    );
    expect(() => panes.inOnTimePane(window).empty()).toThrow(/expected no elements, got \[6\]/);
    expect(() => panes.inWindow(window).satisfies(() => false)).toThrow(/elements that satisfy the check/);
    expect(() => panes.inOnlyPane(window)).toThrow(/fires once .* got the pane ON_TIME#0 first/);
  });

  it('testProcessingTimeTrigger: early panes of the global window, fired on processing time', () => {
    const elements = script()
      .add({ key: 'k', value: 1, ts: 1_000 }, { key: 'k', value: 2, ts: 2_000 })
      .advanceProcessingTime(12_000)
      .add({ key: 'k', value: 3, ts: 3_000 })
      .advanceProcessingTime(6_000)
      .advanceWatermarkToInfinity();
    const h = PipelineTestHarness.of((env, io) => {
      io.sink('sum', env.fromScript('numbers', elements).keyBy((r) => r.key).window(globalWindows()).trigger(AfterWatermark.pastEndOfWindow().withEarlyFirings(5_000)).aggregate(sumAggregate));
    });
    h.runToEnd();
    h.panes<number>('sum').inEarlyGlobalWindowPanes().containsInAnyOrder(3, 6);
    expect(h.results('sum').map((r) => r.at)).toEqual([5_000, 17_000, 18_000]);
  });

  it('inOnlyPane: a window that fires once; forKey and map for several keys', () => {
    const h = PipelineTestHarness.of((_env, io) => {
      const scores = io.input<InputRecord>('scores');
      io.sink('sums', scores.keyBy((r) => r.key).window(tumbling(1_000)).closingBehavior('FIRE_IF_NON_EMPTY').aggregate(sumAggregate));
    });
    h.input<InputRecord>('scores').addAll([
      { id: 0, key: 'red', value: 3, ts: 100 }, { id: 1, key: 'blue', value: 4, ts: 200 }, { id: 2, key: 'red', value: 5, ts: 900 }, { id: 3, key: 'red', value: 1, ts: 1_500 },
    ]);
    h.runToEnd();
    const w0 = { start: 0, end: 1_000 };
    h.panes<number>('sums').forKey('red').inOnlyPane(w0).containsInAnyOrder(8);
    h.panes<number>('sums').map((r) => [r.key, r.value]).inOnlyPane(w0).containsInAnyOrder(['blue', 4], ['red', 8]);
    h.panes<number>('sums').inOnTimePane({ start: 1_000, end: 2_000 }).containsInAnyOrder(1);
  });

  it('reads the records of a process window function that emits its pane', () => {
    const withPane: ProcessWindowFunction<Num, { start: number; end: number; pane: unknown; value: number }> = {
      process: (_key, ctx, els, out) => out.collect({ ...ctx.window, pane: ctx.pane, value: els.reduce((n, e) => n + e.value, 0) }),
    };
    const h = OperatorTestHarness.of((input: DataStream<Num>) => input.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(1_000, 'FIRE_IF_NON_EMPTY').process(withPane));
    h.processElement({ key: 'k', value: 2 }, 10).processWatermark(999).processElement({ key: 'k', value: 3 }, 20).processWatermark(1_999);
    const panes = PaneAssert.that(h.values() as { start: number; end: number; value: number }[]);
    panes.inOnTimePane({ start: 0, end: 1_000 }).containsInAnyOrder(2);
    panes.inLatePanes({ start: 0, end: 1_000 }).containsInAnyOrder(5);
    // The late element fired at once, so nothing was left for a final pane.
    panes.inFinalPane({ start: 0, end: 1_000 }).empty();
  });

  it('results of the default window path have panes: with no allowed lateness the on-time pane is the only one', () => {
    const h = OperatorTestHarness.of((input: DataStream<InputRecord>) => input.keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate));
    h.processElement({ id: 0, key: 'k', value: 2, ts: 10 }).processWatermark(999);
    h.panes<number>().inWindow({ start: 0, end: 1_000 }).containsExactly(2);
    h.panes<number>().inOnTimePane({ start: 0, end: 1_000 }).containsExactly(2);
    h.panes<number>().inOnlyPane({ start: 0, end: 1_000 }).containsExactly(2);
  });

  it('results without a pane (another engine\'s) are read by inWindow only', () => {
    const results = [{ key: 'k', start: 0, end: 1_000, value: 2 }];
    PaneAssert.that(results).inWindow({ start: 0, end: 1_000 }).containsExactly(2);
    expect(() => PaneAssert.that(results).inOnTimePane({ start: 0, end: 1_000 })).toThrow(/has no pane \(only Flink's window results carry panes/);
  });
});
