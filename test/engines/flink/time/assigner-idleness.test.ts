/**
 * What this proves: `assignTimestampsAndWatermarks` ignores the idleness of
 * its input, as Flink's TimestampsAndWatermarksOperator does (its
 * `processWatermarkStatus` does nothing): a source subtask going idle
 * upstream of it does not mark its output idle, so downstream keeps waiting
 * for the watermark its own records give — the well-known way a source's
 * idleness is lost after re-assigning watermarks. Without the assigner, the
 * same idle subtask is ignored downstream and the window fires.
 *
 * How: the pipeline harness, two input subtasks, a tumbling window
 * downstream; subtask 1 reads ts 200 and goes idle, subtask 0 reads ts 5000.
 */
import { describe, expect, it } from 'vitest';
import { PipelineTestHarness, sumAggregate, tumbling, type InputRecord, type WindowResult } from 'weir';

function run(assign: boolean): number[] {
  const h = PipelineTestHarness.of((_env, io) => {
    const input = io.input<InputRecord>('in', { subtasks: 2 });
    const s = assign ? input.assignTimestampsAndWatermarks({ timestamp: (v) => v.ts, boundMs: 0, autoWatermarkIntervalMs: 10 }) : input;
    io.sink('out', s.keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate));
  }, { parallelism: 2 });
  h.input('in', 0).add({ id: 1, key: 'a', value: 1, ts: 100 }, 100);
  h.input('in', 1).add({ id: 2, key: 'a', value: 1, ts: 200 }, 200);
  if (!assign) h.input('in', 1).watermark(199);
  h.advanceProcessingTime(50);
  h.input('in', 1).idle();
  h.input('in', 0).add({ id: 3, key: 'a', value: 1, ts: 5_000 }, 5_000);
  if (!assign) h.input('in', 0).watermark(4_999);
  h.advanceProcessingTime(50);
  return h.values<WindowResult>('out').map((r) => r.start);
}

describe("assignTimestampsAndWatermarks and its input's idleness", () => {
  it('keeps its output active when its input goes idle: the window waits for its own watermark', () => {
    expect(run(true)).toEqual([]);
  });

  it('without it, the idle subtask is left out and the window fires', () => {
    expect(run(false)).toEqual([0]);
  });
});
