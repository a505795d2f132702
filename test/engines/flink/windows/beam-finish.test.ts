/**
 * What this proves: Beam's rules for finished triggers and empty on-time
 * panes hold on the Beam-style trigger path, and Flink's triggers are left
 * as they are.
 *
 * - A trigger that has finished closes its window (Beam's ReduceFnRunner):
 *   `AfterWatermark.pastEndOfWindow()` without late firings finishes with
 *   its on-time pane, which is then the window's last; a later element
 *   within the allowed lateness is dropped (Beam's
 *   droppedDueToClosedWindow), traced `window.closed-drop`, counted, sent
 *   to the late side output when there is one, and no closing pane follows.
 *   `AfterPane.elementCountAtLeast(2)` fires once and drops the third
 *   element. Flink's `CountTrigger` never finishes.
 * - OnTimeBehavior: with early firings in discarding mode the early pane
 *   takes everything; under FIRE_ALWAYS (Beam's default) the ON_TIME pane
 *   is emitted anyway, empty, with its pane info (index 1, not first);
 *   under FIRE_IF_NON_EMPTY it is not.
 *
 * How: the cases of Beam's ReduceFnRunnerTest and TestStreamTest in
 * meaning (times in ms, weir's watermark: W means no more elements with a
 * timestamp ≤ W, so Beam's "watermark past the end" is W ≥ end − 1), played
 * on the public OperatorTestHarness.
 */
import { describe, expect, it } from 'vitest';
import {
  AfterPane, AfterWatermark, CountTrigger, globalWindows, isEventOf, OperatorTestHarness, session, sliding, sumAggregate, tumbling,
  type DataStream, type InputRecord, type TraceEvent, type WindowResult,
} from 'weir';

const rec = (id: number, value: number, ts: number): InputRecord => ({ id, key: 'k', value, ts });
const panesOf = (h: OperatorTestHarness<InputRecord, WindowResult<number>>) =>
  h.values().map((r) => ({ start: r.start, value: r.value, ...r.pane! }));

describe('a finished AfterWatermark closes the window', () => {
  const build = (late?: string) => (s: DataStream<InputRecord>) => {
    const w = s.keyBy((r) => r.key).window(tumbling(10_000)).allowedLateness(5_000, 'FIRE_ALWAYS').trigger(AfterWatermark.pastEndOfWindow());
    return (late ? w.sideOutputLateData(late) : w).aggregate(sumAggregate);
  };

  it('the on-time pane is the last; a late element within the allowed lateness is dropped, traced and counted', () => {
    const trace: TraceEvent[] = [];
    const h = OperatorTestHarness.of(build(), { trace: (e) => trace.push(e) });
    h.processElement(rec(1, 1, 1_000)).processElement(rec(2, 2, 2_000)).processWatermark(9_999);
    expect(panesOf(h)).toEqual([{ start: 0, value: 3, timing: 'ON_TIME', index: 0, isFirst: true, isLast: true }]);
    // Within the allowed lateness (cleanup at 14,999), but the trigger has finished.
    h.processElement(rec(3, 4, 3_000));
    expect(h.droppedDueToClosedWindow()).toBe(1);
    expect(h.lateRecordsDropped()).toBe(1);
    const drops = trace.filter((e) => isEventOf(e, 'window.closed-drop'));
    expect(drops.map((e) => [e.id, e.start, e.end, e.ts, e.wm, e.dropped])).toEqual([[3, 0, 10_000, 3_000, 9_999, true]]);
    // The closed window is remembered until its cleanup time, with nothing in it.
    expect(h.state().map((e) => e.value)).toEqual([{ accumulator: undefined, ids: [], panes: 1, closed: true }]);
    // No closing pane, even under FIRE_ALWAYS: the window is closed.
    h.processWatermark(20_000);
    expect(h.values()).toHaveLength(1);
    expect(h.state()).toEqual([]);
    // After the cleanup an element for it is late as usual.
    h.processElement(rec(4, 8, 4_000));
    expect(h.lateRecordsDropped()).toBe(2);
    expect(h.droppedDueToClosedWindow()).toBe(1);
    expect(trace.filter((e) => isEventOf(e, 'record.late')).map((e) => e.id)).toEqual([4]);
  });

  it('with a late side output the dropped element goes there', () => {
    const h = OperatorTestHarness.of(build('late'));
    h.processElement(rec(1, 1, 1_000)).processWatermark(9_999).processElement(rec(2, 5, 2_000));
    expect(h.sideOutput('late').map((r) => (r.value as { id: number }).id)).toEqual([2]);
    expect(h.lateRecordsDropped()).toBe(0);
    expect(h.droppedDueToClosedWindow()).toBe(1);
  });

  it('the closed window survives a checkpoint', () => {
    const h = OperatorTestHarness.of(build());
    h.processElement(rec(1, 1, 1_000)).processWatermark(9_999);
    const restored = OperatorTestHarness.of(build(), { restoreFrom: h.snapshot() });
    restored.processElement(rec(2, 5, 2_000)).processWatermark(20_000);
    expect(restored.values()).toEqual([]);
    expect(restored.droppedDueToClosedWindow()).toBe(1);
  });

  it('with late firings the trigger never finishes: late panes, then the closing pane', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) =>
      s.keyBy((r) => r.key).window(tumbling(10_000)).allowedLateness(5_000, 'FIRE_ALWAYS').trigger(AfterWatermark.pastEndOfWindow().withLateFirings()).aggregate(sumAggregate));
    h.processElement(rec(1, 1, 1_000)).processWatermark(9_999).processElement(rec(2, 2, 2_000)).processWatermark(20_000);
    expect(panesOf(h).map((p) => [p.value, p.timing, p.index, p.isLast])).toEqual([[1, 'ON_TIME', 0, false], [3, 'LATE', 1, false], [3, 'LATE', 2, true]]);
    expect(h.droppedDueToClosedWindow()).toBe(0);
  });

  it('a window whose first element comes after the watermark passed it fires that element at once and closes', () => {
    const h = OperatorTestHarness.of(build());
    h.processWatermark(9_999).processElement(rec(1, 1, 1_000)).processElement(rec(2, 2, 2_000));
    expect(panesOf(h)).toEqual([{ start: 0, value: 1, timing: 'LATE', index: 0, isFirst: true, isLast: true }]);
    expect(h.droppedDueToClosedWindow()).toBe(1);
  });
});

describe('OnTimeBehavior', () => {
  const build = (onTime?: 'FIRE_ALWAYS' | 'FIRE_IF_NON_EMPTY', lateFirings = false) => (s: DataStream<InputRecord>) => {
    const t = AfterWatermark.pastEndOfWindow().withEarlyFirings(1_000);
    const w = s.keyBy((r) => r.key).window(tumbling(10_000)).allowedLateness(5_000).trigger((lateFirings ? t.withLateFirings() : t).discardingFiredPanes());
    return (onTime ? w.onTimeBehavior(onTime) : w).aggregate(sumAggregate);
  };
  const play = (h: OperatorTestHarness<InputRecord, WindowResult<number>>) => {
    h.processElement(rec(1, 1, 1_000)).processElement(rec(2, 2, 2_000));
    h.setProcessingTime(1_000); // the early pane takes both
    h.processWatermark(9_999);
    return h;
  };

  it('FIRE_ALWAYS (the default): an empty ON_TIME pane after a discarding early pane', () => {
    for (const h of [play(OperatorTestHarness.of(build())), play(OperatorTestHarness.of(build('FIRE_ALWAYS')))]) {
      expect(panesOf(h)).toEqual([
        { start: 0, value: 3, timing: 'EARLY', index: 0, isFirst: true, isLast: false },
        // Empty: the sum of nothing. The trigger finished with it, so it is the last pane.
        { start: 0, value: 0, timing: 'ON_TIME', index: 1, isFirst: false, isLast: true },
      ]);
      expect(h.values()[1]!.ids).toEqual([]);
      h.panes<number>().inOnTimePane({ start: 0, end: 10_000 }).containsExactly(0);
    }
  });

  it('FIRE_IF_NON_EMPTY: no ON_TIME pane, and the trigger still finishes', () => {
    const h = play(OperatorTestHarness.of(build('FIRE_IF_NON_EMPTY')));
    expect(panesOf(h).map((p) => [p.value, p.timing, p.index])).toEqual([[3, 'EARLY', 0]]);
    h.processElement(rec(3, 4, 3_000)).processWatermark(20_000);
    expect(h.values()).toHaveLength(1);
    expect(h.droppedDueToClosedWindow()).toBe(1);
  });

  it('with late firings a late pane follows the empty on-time pane', () => {
    const h = play(OperatorTestHarness.of(build(undefined, true)));
    h.processElement(rec(3, 4, 3_000));
    expect(panesOf(h).map((p) => [p.value, p.timing, p.index, p.isFirst, p.isLast])).toEqual([
      [3, 'EARLY', 0, true, false], [0, 'ON_TIME', 1, false, false], [4, 'LATE', 2, false, false],
    ]);
  });

  it('Flink\'s triggers emit nothing for an empty window unless asked', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) =>
      s.keyBy((r) => r.key).window(tumbling(10_000)).trigger(CountTrigger.of(2)).discardingFiredPanes().aggregate(sumAggregate));
    h.processElement(rec(1, 1, 1_000)).processElement(rec(2, 2, 2_000)).processWatermark(9_999);
    expect(panesOf(h).map((p) => [p.value, p.timing])).toEqual([[3, 'EARLY']]);
  });
});

describe('AfterPane.elementCountAtLeast(2), not repeated', () => {
  it('fires once, with the second element, and drops the third', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(globalWindows()).trigger(AfterPane.elementCountAtLeast(2)).aggregate(sumAggregate));
    h.processElement(rec(1, 1, 1_000)).processElement(rec(2, 2, 2_000)).processElement(rec(3, 4, 3_000)).endInput();
    expect(h.values().map((r) => [r.value, r.pane])).toEqual([[3, { timing: 'EARLY', index: 0, isFirst: true, isLast: true }]]);
    expect(h.droppedDueToClosedWindow()).toBe(1);
    expect(h.lateRecordsDropped()).toBe(1);
  });

  it('Flink\'s CountTrigger.of(2) never finishes: the third element stays in the window', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(globalWindows()).trigger(CountTrigger.of(2)).aggregate(sumAggregate));
    h.processElement(rec(1, 1, 1_000)).processElement(rec(2, 2, 2_000)).processElement(rec(3, 4, 3_000)).processElement(rec(4, 8, 4_000));
    expect(h.values().map((r) => r.value)).toEqual([3, 15]);
    expect(h.droppedDueToClosedWindow()).toBe(0);
  });

  it('sliding windows: a record a closed window refuses still joins its other window', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) => s.keyBy((r) => r.key).window(sliding(2_000, 1_000)).trigger(AfterPane.elementCountAtLeast(2)).aggregate(sumAggregate));
    // [0,2000) and [-1000,1000) fire with 1 + 2 and close; 1,500 belongs to [0,2000) and to the open [1000,3000).
    h.processElement(rec(1, 1, 100)).processElement(rec(2, 2, 200)).processElement(rec(3, 4, 1_500)).processWatermark(5_000);
    expect(h.values().map((r) => [r.start, r.value])).toEqual([[0, 3], [-1_000, 3]]);
    expect(h.state().map((e) => [e.namespace, (e.value as { closed?: boolean }).closed ?? false])).toEqual([]);
    expect(h.droppedDueToClosedWindow()).toBe(1);
    expect(h.lateRecordsDropped()).toBe(0);
  });

  it('session windows: a closed session is forgotten, a later element starts a new one', () => {
    const h = OperatorTestHarness.of((s: DataStream<InputRecord>) =>
      s.keyBy((r) => r.key).window(session(1_000)).closingBehavior('FIRE_IF_NON_EMPTY').trigger(AfterPane.elementCountAtLeast(2)).aggregate(sumAggregate));
    h.processElement(rec(1, 1, 0)).processElement(rec(2, 2, 100)).processElement(rec(3, 4, 200)).processWatermark(5_000);
    expect(h.values().map((r) => [r.start, r.end, r.value, r.pane!.timing, r.pane!.isLast])).toEqual([
      [0, 1_100, 3, 'EARLY', true],
      [200, 1_200, 4, 'ON_TIME', true],
    ]);
    expect(h.droppedDueToClosedWindow()).toBe(0);
    expect(h.state()).toEqual([]);
  });
});
