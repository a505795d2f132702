/**
 * What this proves: the general window operator runs Flink's triggers and
 * processing-time windows exactly as Flink's own operator tests say. Each
 * case is a port of a test in apache/flink's `WindowOperatorTest`
 * (flink-streaming-java, runtime/operators/windowing), with the same
 * elements, watermarks, processing times and expected output (key, value,
 * timestamp), including the snapshot/restore in the middle where the
 * original has one.
 *
 * How: the public operator harness (`OperatorTestHarness`, Flink's
 * KeyedOneInputStreamOperatorTestHarness, through ./harness.ts) runs the
 * window as the DataStream API declares it, the test owning both clocks,
 * and compares the emitted results with the published ones after every
 * step. A result's timestamp is the window's
 * maxTimestamp (`end - 1`; the GlobalWindow's is the end of time, Flink's
 * Long.MAX_VALUE, weir's MAX_WATERMARK).
 */
import { describe, expect, it } from 'vitest';
import {
  ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger, CountTrigger, EventTimeTrigger, globalWindows, MAX_WATERMARK, processingTimeSession, ProcessingTimeTrigger,
  PurgingTrigger, slidingProcessingTime, tumbling, tumblingProcessingTime, type FlinkWindowAssigner, type Trigger,
} from 'weir';
import { OperatorHarness, sumReducer } from './harness.ts';

const END_OF_TIME = MAX_WATERMARK;

function harness(assigner: FlinkWindowAssigner, trigger: Trigger, extra: { allowedLatenessMs?: number } = {}): OperatorHarness {
  return new OperatorHarness((s) => s.keyBy((r) => r.key).window(assigner).allowedLateness(extra.allowedLatenessMs ?? 0).sideOutputLateData('late').trigger(trigger).reduce(sumReducer));
}

describe("Flink's WindowOperatorTest, trigger by trigger", () => {
  it('testCountTrigger: GlobalWindows, PurgingTrigger.of(CountTrigger.of(4)), across a snapshot and restore', () => {
    const h = harness(globalWindows(), PurgingTrigger.of(CountTrigger.of(4)));
    h.element('key2', 1, 3000).element('key2', 1, 3999);
    h.element('key1', 1, 20).element('key1', 1, 0).element('key1', 1, 999);
    h.element('key2', 1, 1998).element('key2', 1, 1999);
    // key2's fourth element fires (and purges) before the snapshot.
    expect(h.results()).toEqual([['key2', 4, END_OF_TIME]]);
    h.snapshotAndRestore();
    h.element('key2', 1, 1000);
    expect(h.results()).toEqual([['key2', 4, END_OF_TIME]]);
    h.element('key1', 1, 10999);
    h.element('key2', 1, 1000).element('key2', 1, 1000).element('key2', 1, 1000);
    expect(h.results()).toEqual([['key1', 4, END_OF_TIME], ['key2', 4, END_OF_TIME], ['key2', 4, END_OF_TIME]]);
  });

  it('CountTrigger without purging fires the accumulated window every n elements', () => {
    const h = harness(globalWindows(), CountTrigger.of(2));
    for (let i = 0; i < 5; i++) h.element('k', 1, i);
    expect(h.results()).toEqual([['k', 2, END_OF_TIME], ['k', 4, END_OF_TIME]]);
    expect(h.output.map((o) => o.value.pane.timing)).toEqual(['EARLY', 'EARLY']);
  });

  it('testContinuousWatermarkTrigger: GlobalWindows, ContinuousEventTimeTrigger.of(3 s)', () => {
    const h = harness(globalWindows(), ContinuousEventTimeTrigger.of(3000));
    h.element('key1', 1, 0);
    h.element('key2', 1, 3000).element('key2', 1, 3999);
    h.element('key1', 1, 20).element('key1', 1, 999);
    h.element('key2', 1, 1998).element('key2', 1, 1999).element('key2', 1, 1000);
    h.watermark(1000).watermark(2000);
    expect(h.results()).toEqual([]);
    h.watermark(3000);
    expect(h.results()).toEqual([['key1', 3, END_OF_TIME]]);
    h.watermark(4000).watermark(5000);
    expect(h.results()).toHaveLength(1);
    h.watermark(6000);
    expect(h.results()).toEqual([['key1', 3, END_OF_TIME], ['key1', 3, END_OF_TIME], ['key2', 5, END_OF_TIME]]);
    h.watermark(7000).watermark(8000);
    expect(h.results()).toHaveLength(3);
    // Watermarks pass through, after the timers they fired.
    expect(h.watermarks).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]);
  });

  it('ContinuousEventTimeTrigger on tumbling windows: every interval, then at the end of the window', () => {
    const h = harness(tumbling(10_000), ContinuousEventTimeTrigger.of(3000));
    h.element('k', 1, 500).watermark(2999);
    expect(h.results()).toEqual([]);
    h.watermark(3000);
    h.element('k', 1, 4000).watermark(6500);
    h.watermark(9999);
    expect(h.results()).toEqual([['k', 1, 9999], ['k', 2, 9999], ['k', 2, 9999], ['k', 2, 9999]]);
    expect(h.output.map((o) => [o.value.pane.timing, o.value.pane.isLast])).toEqual([['EARLY', false], ['EARLY', false], ['EARLY', false], ['ON_TIME', true]]);
  });

  it('ContinuousEventTimeTrigger never sets a periodic timer past the window end (registerNextFireTimestamp): no extra firings in the allowed lateness', () => {
    const h = harness(tumbling(1000), ContinuousEventTimeTrigger.of(300), { allowedLatenessMs: 1000 });
    h.element('k', 1, 100).watermark(1999);
    // 300, 600, 900, then the window's end; nothing at 1200, 1500 or 1800.
    expect(h.output.map((o) => o.value.pane.timing)).toEqual(['EARLY', 'EARLY', 'EARLY', 'ON_TIME']);
  });

  it('ContinuousProcessingTimeTrigger fires a processing-time window at its end, so the last partial interval is not lost (FLINK-20443)', () => {
    const h = harness(tumblingProcessingTime(1000), ContinuousProcessingTimeTrigger.of(300));
    h.setProcessingTime(100).element('k', 1, 0);
    h.setProcessingTime(950).element('k', 1, 0);
    h.setProcessingTime(2000);
    // 300, 600 and 900 with one element; at 999 with both, before the window is cleaned up.
    expect(h.results()).toEqual([['k', 1, 999], ['k', 1, 999], ['k', 1, 999], ['k', 2, 999]]);
  });

  it('testProcessingTimeTumblingWindows: ProcessingTimeTrigger on 3 s processing-time windows', () => {
    const h = harness(tumblingProcessingTime(3000), ProcessingTimeTrigger.create());
    h.setProcessingTime(3);
    // The element timestamps are ignored in processing time.
    h.element('key2', 1, 7000).element('key2', 1, 7000).element('key2', 1, 7000);
    h.element('key1', 1, 7000).element('key1', 1, 7000);
    h.setProcessingTime(5000);
    expect(h.results()).toEqual([['key1', 2, 2999], ['key2', 3, 2999]]);
    h.element('key1', 1, 7000).element('key1', 1, 7000).element('key1', 1, 7000);
    h.setProcessingTime(7000);
    expect(h.results()).toEqual([['key1', 2, 2999], ['key2', 3, 2999], ['key1', 3, 5999]]);
  });

  it('testProcessingTimeSlidingWindows: 3 s windows sliding by 1 s', () => {
    const h = harness(slidingProcessingTime(3000, 1000), ProcessingTimeTrigger.create());
    h.setProcessingTime(3).element('key2', 1, 0);
    h.setProcessingTime(1000);
    expect(h.results()).toEqual([['key2', 1, 999]]);
    h.element('key2', 1, 0).element('key2', 1, 0);
    h.setProcessingTime(2000);
    expect(h.results()).toEqual([['key2', 1, 999], ['key2', 3, 1999]]);
    h.element('key1', 1, 0).element('key1', 1, 0);
    h.setProcessingTime(3000);
    expect(h.results().slice(2)).toEqual([['key1', 2, 2999], ['key2', 3, 2999]]);
    h.element('key1', 1, 0).element('key1', 1, 0).element('key1', 1, 0);
    h.setProcessingTime(7000);
    expect(h.results().slice(4)).toEqual([['key1', 5, 3999], ['key2', 2, 3999], ['key1', 5, 4999], ['key1', 3, 5999]]);
  });

  it('testProcessingTimeSessionWindows: sessions with a 3 s gap in processing time', () => {
    const h = harness(processingTimeSession(3000), ProcessingTimeTrigger.create());
    h.setProcessingTime(3).element('key2', 1, 1);
    h.setProcessingTime(1000).element('key2', 1, 1002);
    h.setProcessingTime(5000);
    expect(h.results()).toEqual([['key2', 2, 3999]]);
    h.element('key2', 1, 5000).element('key2', 1, 5000);
    h.element('key1', 1, 5000).element('key1', 1, 5000).element('key1', 1, 5000);
    h.setProcessingTime(10000);
    expect(h.results()).toEqual([['key2', 2, 3999], ['key1', 3, 7999], ['key2', 2, 7999]]);
  });

  it('ContinuousProcessingTimeTrigger fires every interval of processing time, from the first element rounded down', () => {
    const h = harness(globalWindows(), ContinuousProcessingTimeTrigger.of(1000));
    h.setProcessingTime(250).element('k', 1, 0);
    h.setProcessingTime(999);
    expect(h.results()).toEqual([]);
    h.setProcessingTime(1000);
    expect(h.results()).toEqual([['k', 1, END_OF_TIME]]);
    h.element('k', 1, 0).setProcessingTime(2500);
    expect(h.results()).toEqual([['k', 1, END_OF_TIME], ['k', 2, END_OF_TIME]]);
    // After end of input no processing-time timer fires.
    h.endInput().setProcessingTime(10_000);
    expect(h.results()).toHaveLength(2);
  });

  it('testLateness, with the PurgingTrigger of the original: the late firing holds only the late element', () => {
    const h = harness(tumbling(2000), PurgingTrigger.of(EventTimeTrigger.create()), { allowedLatenessMs: 500 });
    h.element('key2', 1, 500).watermark(1500);
    h.element('key2', 1, 1300).watermark(2300);
    expect(h.results()).toEqual([['key2', 2, 1999]]);
    // "this is 1 and not 3 because the trigger fires and purges"
    h.element('key2', 1, 1997).watermark(6000);
    expect(h.output.map((o) => o.value.value.value)).toEqual([2, 1]);
    h.element('key2', 1, 1998).watermark(7000);
    expect(h.results()).toHaveLength(2);
    expect(h.side.map((s) => [s.tag, s.value.id, s.ts])).toEqual([['late', 3, 1998]]);
    expect(h.output.map((o) => o.value.pane)).toEqual([
      { timing: 'ON_TIME', index: 0, isFirst: true, isLast: false },
      { timing: 'LATE', index: 1, isFirst: false, isLast: false },
    ]);
  });

  it('rejects a trigger that cannot merge on session windows, as Flink does', () => {
    const never: Trigger = { ...ProcessingTimeTrigger.create(), name: 'x', canMerge: () => false, onElement: () => 'CONTINUE', onEventTime: () => 'CONTINUE', onProcessingTime: () => 'CONTINUE', clear: () => {} };
    expect(() => harness(processingTimeSession(10), never)).toThrow(/cannot merge/);
  });
});
