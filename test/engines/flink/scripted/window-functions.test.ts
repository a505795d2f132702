/**
 * What this proves: the window functions — `reduce`, `aggregate` with any
 * accumulator and result type, a process window function (window,
 * elements, pane, per-window and per-key state), aggregate + process, and
 * evictors — give exactly the expected output end to end through the
 * simulated cluster, and survive a crash and restore.
 *
 * How: scripted sources (exact lateness, see script.ts) into keyBy →
 * window → function → two-phase-commit sink; the committed output is
 * compared exactly. The evictor case ports Flink's
 * `EvictingWindowOperatorTest` idea (GlobalWindows, CountTrigger.of(2),
 * CountEvictor.of(3): each firing sees at most the last three elements);
 * the process case uses allowed lateness so a window fires more than once
 * and its per-window state counts the firings. The recovery case crashes
 * the task manager at three points of a paced script; a checkpoint is
 * restored each time and the committed output must be the same.
 */
import { describe, expect, it } from 'vitest';
import { tumbling } from '../../../../src/stream/assigners.ts';
import { script } from '../../../../src/engines/flink/script.ts';
import { TOPICS } from '../../../../scenarios/types.ts';
import { CountTrigger } from '../../../../src/engines/flink/windows/triggers.ts';
import { CountEvictor, TimeEvictor, type ProcessWindowFunction, type WindowAggregateFunction } from '../../../../src/engines/flink/windows/functions.ts';
import { globalWindows } from '../../../../src/engines/flink/windows/flink-assigners.ts';
import type { InputRecord } from '../../../../src/stream/records.ts';
import type { WindowedStream } from '../../../../src/engines/flink/api/environment.ts';
import type { DataStream } from '../../../../src/engines/flink/api/environment.ts';
import { runScripted, type ScriptedPipeline } from './helpers.ts';

const s = script()
  .add({ key: 'a', value: 3, ts: 100 }, { key: 'a', value: 7, ts: 200 }, { key: 'b', value: 5, ts: 300 })
  .add({ key: 'a', value: 4, ts: 1_200 })
  .advanceWatermarkTo(999)
  // Late for [0, 1000), within the 500 ms allowed lateness: a late firing.
  .add({ key: 'a', value: 1, ts: 900 })
  .advanceWatermarkToInfinity();

function pipeline(name: string, fn: (w: WindowedStream) => DataStream): ScriptedPipeline {
  return {
    name,
    script: s,
    build(source, _env, sizes) {
      fn(source.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(500)).sinkTo({ topic: TOPICS.output, partitions: sizes.parallelism });
    },
  };
}

const windows = (r: ReturnType<typeof runScripted>) =>
  (r.output as any[]).map((o) => ({ key: o.key, start: o.start, value: o.value, timing: o.pane?.timing })).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0) || x.start - y.start);

describe('window functions end to end', () => {
  it('reduce keeps fn(kept, next): the record with the largest value', () => {
    const r = runScripted(pipeline('reduce-max', (w) => w.reduce((x: InputRecord, y: InputRecord) => (y.value > x.value ? y : x))));
    expect(r.failed).toEqual([]);
    expect(windows(r).map((x) => [x.key, x.start, (x.value as InputRecord).value, (x.value as InputRecord).id, x.timing])).toEqual([
      ['a', 0, 7, 1, 'ON_TIME'],
      ['a', 0, 7, 1, 'LATE'],
      ['a', 1_000, 4, 3, 'ON_TIME'],
      ['b', 0, 5, 2, 'ON_TIME'],
    ]);
  });

  it('aggregate with an object accumulator and a string result', () => {
    const mean: WindowAggregateFunction<InputRecord, { sum: number; n: number }, string> = {
      createAccumulator: () => ({ sum: 0, n: 0 }),
      add: (v, acc) => ({ sum: acc.sum + v.value, n: acc.n + 1 }),
      merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
      getResult: (acc) => `${acc.sum}/${acc.n}`,
    };
    const r = runScripted(pipeline('aggregate-mean', (w) => w.aggregate(mean)));
    expect(r.failed).toEqual([]);
    expect(windows(r).map((x) => [x.key, x.start, x.value])).toEqual([['a', 0, '10/2'], ['a', 0, '11/3'], ['a', 1_000, '4/1'], ['b', 0, '5/1']]);
  });

  it('a process window function sees the window, its elements, the pane and per-window state', () => {
    const describeWindow: ProcessWindowFunction<InputRecord, object> = {
      process(key, ctx, elements, out) {
        const fires = ctx.windowState<number>('fires');
        fires.update((fires.value() ?? 0) + 1);
        const seen = ctx.globalState<number>('seen');
        seen.update((seen.value() ?? 0) + 1);
        out.collect({ key, start: ctx.window.start, value: elements.map((e) => e.value), fires: fires.value(), seen: seen.value(), timing: ctx.pane.timing, index: ctx.pane.index });
      },
    };
    const r = runScripted(pipeline('process', (w) => w.process(describeWindow)));
    expect(r.failed).toEqual([]);
    expect((r.output as any[]).map((o) => [o.key, o.start, o.value, o.fires, o.seen, o.timing, o.index]).sort()).toEqual([
      // Key a: [0, 1000) on time at watermark 999, its late firing, then [1000, 2000) at the end.
      ['a', 0, [3, 7, 1], 2, 2, 'LATE', 1],
      ['a', 0, [3, 7], 1, 1, 'ON_TIME', 0],
      ['a', 1_000, [4], 1, 3, 'ON_TIME', 0],
      ['b', 0, [5], 1, 1, 'ON_TIME', 0],
    ].sort());
  });

  it('aggregate + process: the process function gets the single aggregate result', () => {
    const count: WindowAggregateFunction<InputRecord, number, number> = { createAccumulator: () => 0, add: (_v, n) => n + 1, merge: (a, b) => a + b, getResult: (n) => n };
    const label: ProcessWindowFunction<number, string> = {
      process(key, ctx, [n], out) {
        out.collect(`${key}@${ctx.window.start}:${n}:${ctx.pane.timing}`);
      },
    };
    const r = runScripted(pipeline('aggregate-process', (w) => w.aggregate(count, label)));
    expect(r.failed).toEqual([]);
    expect((r.output as unknown as string[]).slice().sort()).toEqual(['a@0:2:ON_TIME', 'a@0:3:LATE', 'a@1000:1:ON_TIME', 'b@0:1:ON_TIME']);
  });
});

describe('evictors end to end', () => {
  const many = script()
    .add(...[1, 2, 3, 4, 5, 6].map((v) => ({ key: 'k', value: v, ts: v * 100 })))
    .advanceWatermarkToInfinity();
  const evicting = (name: string, evictor: CountEvictor | TimeEvictor): ScriptedPipeline => ({
    name,
    script: many,
    build(source, _env, sizes) {
      source
        .keyBy((r) => r.key)
        .window(globalWindows())
        .trigger(CountTrigger.of(2))
        .evictor(evictor)
        .aggregate({ createAccumulator: () => [] as number[], add: (v: InputRecord, acc: number[]) => [...acc, v.value], merge: (a: number[], b: number[]) => [...a, ...b], getResult: (acc: number[]) => acc })
        .sinkTo({ topic: TOPICS.output, partitions: sizes.parallelism });
    },
  });

  it('CountEvictor.of(3) before the function: each firing sees the last three elements', () => {
    const r = runScripted(evicting('count-evictor', CountEvictor.of(3)));
    expect(r.failed).toEqual([]);
    expect((r.output as any[]).map((o) => o.value)).toEqual([[1, 2], [2, 3, 4], [4, 5, 6]]);
  });

  it('CountEvictor.of(1, after): the function sees everything kept, then all but the last are evicted', () => {
    const r = runScripted(evicting('count-evictor-after', CountEvictor.of(1, true)));
    expect((r.output as any[]).map((o) => o.value)).toEqual([[1, 2], [2, 3, 4], [4, 5, 6]]);
  });

  it('TimeEvictor.of(250): only elements within 250 ms of the newest', () => {
    const r = runScripted(evicting('time-evictor', TimeEvictor.of(250)));
    expect(r.failed).toEqual([]);
    expect((r.output as any[]).map((o) => o.value)).toEqual([[1, 2], [2, 3, 4], [4, 5, 6]]);
  });
});

describe('window functions across crashes', () => {
  // The same elements, paced over processing time so that checkpoints complete in between.
  const paced = script()
    .add({ key: 'a', value: 3, ts: 100 }, { key: 'a', value: 7, ts: 200 }, { key: 'b', value: 5, ts: 300 })
    .advanceProcessingTime(400)
    .add({ key: 'a', value: 4, ts: 1_200 })
    .advanceProcessingTime(400)
    .advanceWatermarkTo(999)
    .advanceProcessingTime(400)
    .add({ key: 'a', value: 1, ts: 900 })
    .advanceProcessingTime(400)
    .advanceWatermarkToInfinity();

  it('gives the same committed output when the task manager crashes mid-script', () => {
    const counting: ProcessWindowFunction<InputRecord, object> = {
      process(key, ctx, els, out) {
        const fires = ctx.windowState<number>('fires');
        fires.update((fires.value() ?? 0) + 1);
        out.collect({ key, start: ctx.window.start, n: els.length, i: ctx.pane.index, fires: fires.value() });
      },
    };
    const p: ScriptedPipeline = { ...pipeline('process-crash', (w) => w.process(counting)), script: paced };
    const base = (runScripted(p).output as any[]).map((o) => JSON.stringify(o)).sort();
    expect(base).toHaveLength(4);
    for (const atMs of [900, 1_300, 1_700]) {
      const r = runScripted(p, { plan: { faults: [{ kind: 'crash', atMs, process: 'tm-0', restartAfterMs: 100 }] } });
      expect(r.report.faults.restores).toBeGreaterThan(0);
      expect(r.failed).toEqual([]);
      expect((r.output as any[]).map((o) => JSON.stringify(o)).sort()).toEqual(base);
    }
  });
});
