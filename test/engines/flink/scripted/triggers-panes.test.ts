/**
 * What this proves: triggers and panes work end to end, through the whole
 * simulated cluster (scripted source → keyBy → window → two-phase-commit
 * sink, committed output read back), on published examples:
 *
 * 1. Flink's `WindowOperatorTest.testLateness` exactly as published, with
 *    its `PurgingTrigger.of(EventTimeTrigger)`: the on-time firing sums 2,
 *    the late firing carries only the late element ("this is 1 and not 3
 *    because the trigger fires and purges"), the element past the lateness
 *    goes to the side output. (`flink-lateness.test.ts` runs the same script
 *    with the default, accumulating trigger and gets 3.)
 * 2. Beam's `TestStreamTest.testLateDataAccumulating` (apache/beam,
 *    runners-core / sdks/java/core testing): 5-minute fixed windows,
 *    `AfterWatermark.pastEndOfWindow().withEarlyFirings(2 min processing
 *    time).withLateFirings(one element)`, accumulating, 5 minutes allowed
 *    lateness; elements 1, 2, 3 on time, 4 and 5 late within the lateness,
 *    -1, -2, -3 droppably late. Beam asserts: the on-time pane holds
 *    {1, 2, 3}; every pane's sum is between 6 and 15 and count between 3
 *    and 5; the final pane holds all five. weir's output: ON_TIME 6, LATE
 *    10, LATE 15 (the last pane holds all five), the droppable three in the
 *    late side output. Beam's watermark t is weir's t - 1. Beam adds a
 *    closing pane at garbage collection (isLast); Flink's operator fires
 *    nothing at cleanup, so no pane of a window with lateness is last.
 * 3. Early firings on processing time (Beam's
 *    `AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1 s)`):
 *    one early pane per second of processing time after the first element
 *    of a pane, then the on-time pane, accumulating and discarding. The
 *    script waits 1.5 s between elements, far more than the network's
 *    few milliseconds, so the output does not depend on the network.
 * 4. `CountTrigger` with `PurgingTrigger` on GlobalWindows end to end, and
 *    the same output on other seeds and parallelisms.
 */
import { describe, expect, it } from 'vitest';
import { tumbling } from '../../../../src/stream/assigners.ts';
import { sumAggregate } from '../../../../src/engines/flink/operators/aggregates.ts';
import { script } from '../../../../src/engines/flink/script.ts';
import { sinkWindowResults } from '../../../../scenarios/types.ts';
import { AfterWatermark, CountTrigger, EventTimeTrigger, PurgingTrigger, type Trigger } from '../../../../src/engines/flink/windows/triggers.ts';
import { globalWindows } from '../../../../src/engines/flink/windows/flink-assigners.ts';
import type { WindowResult } from '../../../../src/stream/records.ts';
import { runScripted, type ScriptedPipeline } from './helpers.ts';

const MIN = 60_000;

function triggered(name: string, s: ScriptedPipeline['script'], sizeMs: number, latenessMs: number, trigger: Trigger): ScriptedPipeline {
  return {
    name,
    script: s,
    build(source, _env, sizes) {
      const sums = source.keyBy((r) => r.key).window(tumbling(sizeMs)).allowedLateness(latenessMs).sideOutputLateData('late').trigger(trigger).aggregate(sumAggregate, 'window', sizes.parallelism);
      sinkWindowResults(sums, sizes.parallelism);
    },
  };
}

const panes = (r: ReturnType<typeof runScripted>) =>
  r.output.filter((o): o is WindowResult => o.type === 'window').map((o) => ({ value: o.value, ids: o.ids, pane: o.pane }));

describe("Flink's testLateness with its PurgingTrigger, through the whole engine", () => {
  const s = script()
    .add({ key: 'key2', value: 1, ts: 500 })
    .advanceWatermarkTo(1_500)
    .add({ key: 'key2', value: 1, ts: 1_300 })
    .advanceWatermarkTo(2_300)
    .add({ key: 'key2', value: 1, ts: 1_997 })
    .advanceWatermarkTo(6_000)
    .add({ key: 'key2', value: 1, ts: 1_998 })
    .advanceWatermarkTo(7_000)
    .advanceWatermarkToInfinity();

  it('fires 2 on time, then 1 (fired and purged), and side-outputs the element past the lateness', () => {
    const r = runScripted(triggered('flink-lateness-purging', s, 2_000, 500, PurgingTrigger.of(EventTimeTrigger.create())));
    expect(r.failed).toEqual([]);
    expect(panes(r)).toEqual([
      { value: 2, ids: [0, 1], pane: { timing: 'ON_TIME', index: 0, isFirst: true, isLast: false } },
      { value: 1, ids: [2], pane: { timing: 'LATE', index: 1, isFirst: false, isLast: false } },
    ]);
    expect(r.late).toEqual([{ id: 3, key: 'key2', ts: 1_998, watermark: 6_000 }]);
  });
});

describe("Beam's TestStreamTest.testLateDataAccumulating, through the whole engine", () => {
  const s = script()
    .add({ key: 'k', value: 1, ts: 0 }, { key: 'k', value: 2, ts: 0 }, { key: 'k', value: 3, ts: 0 })
    .advanceWatermarkTo(6 * MIN - 1)
    // Late, within the allowed lateness.
    .add({ key: 'k', value: 4, ts: 0 }, { key: 'k', value: 5, ts: 0 })
    .advanceWatermarkTo(20 * MIN - 1)
    // Droppably late.
    .add({ key: 'k', value: -1, ts: 0 }, { key: 'k', value: -2, ts: 0 }, { key: 'k', value: -3, ts: 0 })
    .advanceWatermarkToInfinity();
  const trigger = AfterWatermark.pastEndOfWindow().withEarlyFirings(2 * MIN).withLateFirings();

  it('emits the on-time pane {1, 2, 3}, then a late pane per late element, accumulating', () => {
    const r = runScripted(triggered('beam-late-accumulating', s, 5 * MIN, 5 * MIN, trigger));
    expect(r.failed).toEqual([]);
    const ps = panes(r);
    expect(ps).toEqual([
      { value: 6, ids: [0, 1, 2], pane: { timing: 'ON_TIME', index: 0, isFirst: true, isLast: false } },
      { value: 10, ids: [0, 1, 2, 3], pane: { timing: 'LATE', index: 1, isFirst: false, isLast: false } },
      { value: 15, ids: [0, 1, 2, 3, 4], pane: { timing: 'LATE', index: 2, isFirst: false, isLast: false } },
    ]);
    // Beam's own assertions, per pane: sum in [6, 15], count in [3, 5].
    for (const p of ps) {
      expect(p.value).toBeGreaterThanOrEqual(6);
      expect(p.value).toBeLessThanOrEqual(15);
      expect(p.ids.length).toBeGreaterThanOrEqual(3);
      expect(p.ids.length).toBeLessThanOrEqual(5);
    }
    expect(r.late.map((l) => l.id)).toEqual([5, 6, 7]);
  });

  it('in discarding mode each late pane holds only its own element', () => {
    const r = runScripted(triggered('beam-late-discarding', s, 5 * MIN, 5 * MIN, trigger.discardingFiredPanes()));
    expect(r.failed).toEqual([]);
    expect(panes(r).map((p) => [p.value, p.ids, p.pane!.timing])).toEqual([[6, [0, 1, 2], 'ON_TIME'], [4, [3], 'LATE'], [5, [4], 'LATE']]);
  });
});

describe('early firings on processing time (AfterWatermark.withEarlyFirings)', () => {
  const s = script()
    .add({ key: 'k', value: 1, ts: 1_000 })
    .advanceProcessingTime(1_500)
    .add({ key: 'k', value: 2, ts: 2_000 })
    .advanceProcessingTime(1_500)
    .add({ key: 'k', value: 3, ts: 3_000 })
    .advanceWatermarkTo(9_999)
    .advanceWatermarkToInfinity();
  const early = AfterWatermark.pastEndOfWindow().withEarlyFirings(1_000);

  it('accumulating: early 1, early 3, then the on-time 6 (last: no lateness)', () => {
    const r = runScripted(triggered('early-accumulating', s, 10_000, 0, early));
    expect(r.failed).toEqual([]);
    expect(panes(r)).toEqual([
      { value: 1, ids: [0], pane: { timing: 'EARLY', index: 0, isFirst: true, isLast: false } },
      { value: 3, ids: [0, 1], pane: { timing: 'EARLY', index: 1, isFirst: false, isLast: false } },
      { value: 6, ids: [0, 1, 2], pane: { timing: 'ON_TIME', index: 2, isFirst: false, isLast: true } },
    ]);
  });

  it('discarding: early 1, early 2, then the on-time 3', () => {
    const r = runScripted(triggered('early-discarding', s, 10_000, 0, early.discardingFiredPanes()));
    expect(r.failed).toEqual([]);
    expect(panes(r).map((p) => [p.value, p.pane!.timing])).toEqual([[1, 'EARLY'], [2, 'EARLY'], [3, 'ON_TIME']]);
  });

  it('without early firings there is only the on-time pane', () => {
    const r = runScripted(triggered('early-none', s, 10_000, 0, AfterWatermark.pastEndOfWindow()));
    expect(panes(r).map((p) => [p.value, p.pane!.timing])).toEqual([[6, 'ON_TIME']]);
  });
});

describe('CountTrigger on GlobalWindows, end to end', () => {
  const s = script()
    .add(...[1, 2, 3, 4, 5].map((v) => ({ key: 'a', value: v, ts: v })))
    .add(...[1, 2, 3].map((v) => ({ key: 'b', value: v, ts: v })))
    .advanceWatermarkTo(100)
    .add({ key: 'b', value: 10, ts: 1 }, { key: 'a', value: 10, ts: 1 })
    .advanceWatermarkToInfinity();
  const pipeline = (): ScriptedPipeline => ({
    name: 'count-trigger',
    script: s,
    build(source, _env, sizes) {
      const sums = source.keyBy((r) => r.key).window(globalWindows()).trigger(PurgingTrigger.of(CountTrigger.of(2))).aggregate(sumAggregate, 'window', sizes.parallelism);
      sinkWindowResults(sums, sizes.parallelism);
    },
  });

  it('fires and purges every two elements per key; the odd one out never fires', () => {
    const r = runScripted(pipeline());
    expect(r.failed).toEqual([]);
    const byKey = (k: string) => panes(r).filter((_, i) => (r.output.filter((o) => o.type === 'window')[i] as WindowResult).key === k).map((p) => [p.value, p.pane!.index]);
    expect(byKey('a')).toEqual([[3, 0], [7, 1], [15, 2]]);
    expect(byKey('b')).toEqual([[3, 0], [13, 1]]);
  });

  it('is the same on other seeds and parallelisms', () => {
    const base = runScripted(pipeline()).results;
    for (const [seed, parallelism] of [[2, 1], [3, 3]] as const) {
      const r = runScripted({ ...pipeline(), parallelism }, { seed });
      expect(r.failed).toEqual([]);
      expect(r.results).toEqual(base);
    }
  });
});
