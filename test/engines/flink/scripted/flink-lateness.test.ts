/**
 * What this proves: a tumbling event-time window with allowed lateness
 * behaves, end to end through the simulated cluster, exactly as Flink's
 * WindowOperator does in its own published test `WindowOperatorTest
 * .testLateness` (apache/flink, flink-streaming-java, operators/windowing):
 * a record behind the watermark but within the allowed lateness causes a
 * late firing with the updated aggregate, and a record past the lateness
 * goes to the late side output.
 *
 * How: the same input and watermarks as that test (key "key2", value 1 at
 * 500; watermark 1500; 1300; watermark 2300; 1997; watermark 6000; 1998;
 * watermark 7000), windows of 2 s, 500 ms allowed lateness, summed, played
 * by a scripted source into keyBy → window → two-phase-commit sink; the
 * committed output is compared with the expected one exactly.
 *
 * Where weir differs from the published test: Flink's test uses
 * `PurgingTrigger.of(EventTimeTrigger)`, so its late firing carries only
 * the late record (value 1, "this is 1 and not 3 because the trigger fires
 * and purges"). weir's window uses `EventTimeTrigger` — the default trigger
 * of Flink's TumblingEventTimeWindows — which keeps the window's contents,
 * so the late firing carries the updated sum 3. Everything else (the
 * on-time firing at watermark 2300 with value 2 stamped 1999, the side
 * output of the record at 1998 under watermark 6000) is as published.
 *
 * Teeth: with the planted bug `drop-late-silently` the side output is empty
 * and the run's exactly-once check fails. The example's watermarks never
 * land on end - 1, so a second script puts one exactly at 1999: the window
 * must fire there, and with the planted bug `fire-at-end` it does not. The
 * same output on other seeds and parallelisms shows that the script, not
 * the network, decides every lateness question.
 */
import { describe, expect, it } from 'vitest';
import { tumbling } from '../../../../src/stream/assigners.ts';
import { sumAggregate } from '../../../../src/engines/flink/operators/aggregates.ts';
import { script } from '../../../../src/engines/flink/script.ts';
import { sinkWindowResults } from '../../../../scenarios/types.ts';
import { runScripted, type ScriptedPipeline } from './helpers.ts';

const SIZE_MS = 2_000;
const LATENESS_MS = 500;

function pipeline(name: string, s: ScriptedPipeline['script']): ScriptedPipeline {
  return {
    name,
    script: s,
    window: { assigner: tumbling(SIZE_MS), aggregate: 'sum', allowedLatenessMs: LATENESS_MS },
    build(source, _env, sizes) {
      const sums = source.keyBy((r) => r.key).window(tumbling(SIZE_MS)).allowedLateness(LATENESS_MS).sideOutputLateData('late').aggregate(sumAggregate, 'window', sizes.parallelism);
      sinkWindowResults(sums, sizes.parallelism);
    },
  };
}

const testLateness = script()
  .add({ key: 'key2', value: 1, ts: 500 })
  .advanceWatermarkTo(1_500)
  .add({ key: 'key2', value: 1, ts: 1_300 })
  .advanceWatermarkTo(2_300)
  // Not late for the side output: maxTimestamp 1999 + lateness 500 > watermark 2300.
  .add({ key: 'key2', value: 1, ts: 1_997 })
  .advanceWatermarkTo(6_000)
  // Late for the side output: 1999 + 500 <= 6000.
  .add({ key: 'key2', value: 1, ts: 1_998 })
  .advanceWatermarkTo(7_000)
  .advanceWatermarkToInfinity();

describe("Flink's WindowOperatorTest.testLateness, through the whole engine", () => {
  it('fires on time with 2, late with the updated 3, and side-outputs the record past lateness', () => {
    const r = runScripted(pipeline('flink-lateness', testLateness));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual([
      { key: 'key2', start: 0, end: 2_000, value: 2, firing: 0, ids: [0, 1] },
      { key: 'key2', start: 0, end: 2_000, value: 3, firing: 1, ids: [0, 1, 2] },
    ]);
    expect(r.late).toEqual([{ id: 3, key: 'key2', ts: 1_998, watermark: 6_000 }]);
    // Every result is stamped maxTimestamp = end - 1, as Flink's collector does.
    expect(r.output.filter((o) => o.type === 'window').map((o) => o.ts)).toEqual([1_999, 1_999]);
  });

  it('is the same on every seed and parallelism: the script, not the network, decides lateness', () => {
    const base = runScripted(pipeline('flink-lateness', testLateness));
    for (const [seed, parallelism] of [[2, 1], [3, 3], [4, 4]] as const) {
      const r = runScripted({ ...pipeline('flink-lateness', testLateness), parallelism }, { seed });
      expect(r.failed).toEqual([]);
      expect(r.results).toEqual(base.results);
      expect(r.late).toEqual(base.late);
    }
  });

  it('catches a planted bug that drops records too late for every window', () => {
    const r = runScripted(pipeline('flink-lateness', testLateness), { bugs: ['drop-late-silently'] });
    expect(r.late).toEqual([]);
    expect(r.failed.some((f) => f.startsWith('exactly-once'))).toBe(true);
  });

  it('fires exactly when the watermark reaches end - 1, and a planted fire-at-end bug misses it', () => {
    // Watermark 1999 = end - 1 fires the window; the record at 1999 that follows is then a late firing.
    const edge = script()
      .add({ key: 'key2', value: 1, ts: 500 })
      .advanceWatermarkTo(1_998)
      .add({ key: 'key2', value: 1, ts: 1_999 })
      .advanceWatermarkTo(1_999)
      .add({ key: 'key2', value: 1, ts: 1_000 })
      .advanceWatermarkToInfinity();
    const right = runScripted(pipeline('flink-lateness-edge', edge));
    expect(right.failed).toEqual([]);
    expect(right.results.map((x) => [x.value, x.firing])).toEqual([[2, 0], [3, 1]]);
    const bug = runScripted(pipeline('flink-lateness-edge', edge), { bugs: ['fire-at-end'] });
    expect(bug.results.map((x) => [x.value, x.firing])).toEqual([[3, 0]]);
  });
});
