/**
 * What this proves: Flink's one exception to "late means side output", kept
 * by DESIGN.md: a record too late for some of its sliding windows but not
 * all joins the windows still open, is skipped for the closed ones, and is
 * NOT sent to the late side output; only a record skipped by every window
 * goes there. And the lateness bound is exact: a window is too late when
 * `maxTimestamp + allowedLateness <= watermark` (Flink's isWindowLate), a
 * late firing when `maxTimestamp <= watermark` below that.
 *
 * How: sliding windows of 3000 every 1000 (SEMANTICS.md: ts 2400 belongs to
 * [2000,5000), [1000,4000), [0,3000)), 200 ms allowed lateness, counted per
 * key; one script drives one key through the three bands of [0,3000):
 *   r0 ts 2000, on time for all its windows;
 *   watermark 3100: [0,3000) fires on time (maxTimestamp 2999 <= 3100);
 *   r1 ts 2500: [0,3000) is within lateness (2999 + 200 > 3100), a late
 *     firing with count 2; its other two windows are on time;
 *   watermark 3199 = 2999 + 200, exactly the bound;
 *   r2 ts 2400: too late for [0,3000), joins [1000,4000) and [2000,5000),
 *     and is not in the side output;
 *   r3 ts 900: too late for all of [0,3000), [-1000,2000), [-2000,1000):
 *     side output.
 * The committed results and side output are compared exactly.
 *
 * Teeth: a rule "late for any window → side output" sends r2 to the side
 * output and drops it from two windows; a `<` instead of `<=` on the bound
 * lets r2 into [0,3000) (count 3, firing 2). The planted bug
 * `lateness-off-by-one` (late one ms early) is run on the band's other edge
 * (watermark 3198) and changes the output.
 */
import { describe, expect, it } from 'vitest';
import { sliding } from '../../../../src/stream/assigners.ts';
import { countAggregate } from '../../../../src/engines/flink/operators/aggregates.ts';
import { script, type Script } from '../../../../src/engines/flink/script.ts';
import { sinkWindowResults } from '../../../../scenarios/types.ts';
import { runScripted, type ScriptedPipeline } from './helpers.ts';

const SIZE_MS = 3_000;
const SLIDE_MS = 1_000;
const LATENESS_MS = 200;

function slidingCounts(name: string, s: Script): ScriptedPipeline {
  return {
    name,
    script: s,
    window: { assigner: sliding(SIZE_MS, SLIDE_MS), aggregate: 'count', allowedLatenessMs: LATENESS_MS },
    build(source, _env, sizes) {
      const counts = source.keyBy((r) => r.key).window(sliding(SIZE_MS, SLIDE_MS)).allowedLateness(LATENESS_MS).sideOutputLateData('late').aggregate(countAggregate, 'window', sizes.parallelism);
      sinkWindowResults(counts, sizes.parallelism);
    },
  };
}

describe('sliding windows: a record too late for some windows but not all', () => {
  const bands = script()
    .add({ key: 's', ts: 2_000 })
    .advanceWatermarkTo(3_100)
    .add({ key: 's', ts: 2_500 })
    .advanceWatermarkTo(2_999 + LATENESS_MS)
    .add({ key: 's', ts: 2_400 }, { key: 's', ts: 900 })
    .advanceWatermarkToInfinity();

  it('joins the open windows, is skipped for the closed one, and only a record late for all goes to the side output', () => {
    const r = runScripted(slidingCounts('sliding-partial-late', bands));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual([
      { key: 's', start: 0, end: 3_000, value: 1, firing: 0, ids: [0] },
      { key: 's', start: 0, end: 3_000, value: 2, firing: 1, ids: [0, 1] },
      { key: 's', start: 1_000, end: 4_000, value: 3, firing: 0, ids: [0, 1, 2] },
      { key: 's', start: 2_000, end: 5_000, value: 3, firing: 0, ids: [0, 1, 2] },
    ]);
    expect(r.late).toEqual([{ id: 3, key: 's', ts: 900, watermark: 3_199 }]);
  });

  it('puts the bound at maxTimestamp + lateness - 1 inclusive: at watermark 3198 the record still fires [0,3000) late', () => {
    const edge = script()
      .add({ key: 's', ts: 2_000 })
      .advanceWatermarkTo(2_999 + LATENESS_MS - 1)
      .add({ key: 's', ts: 2_400 })
      .advanceWatermarkToInfinity();
    const r = runScripted(slidingCounts('sliding-bound', edge));
    expect(r.failed).toEqual([]);
    expect(r.results.filter((x) => x.start === 0)).toEqual([
      { key: 's', start: 0, end: 3_000, value: 1, firing: 0, ids: [0] },
      { key: 's', start: 0, end: 3_000, value: 2, firing: 1, ids: [0, 1] },
    ]);
    // Late one millisecond early: the record is skipped for [0,3000) and the window never learns of it.
    const bug = runScripted(slidingCounts('sliding-bound', edge), { bugs: ['lateness-off-by-one'] });
    expect(bug.results.filter((x) => x.start === 0).map((x) => x.value)).toEqual([1]);
    expect(bug.failed.length).toBeGreaterThan(0);
  });
});
