/**
 * What this proves: `advanceProcessingTime` is how a script exercises what
 * happens in processing time. (1) Processing-time timers: a keyed process
 * function that flushes its count 500 ms (processing time) after the first
 * record of a batch emits one update per batch when the script waits 1000 ms
 * between batches, and one update for both when it waits only 100 ms. (2)
 * Idleness: two scripted sources feed one window through a union; the slow
 * one stops at watermark 500 and waits 3 s. Without an idle timeout the
 * window's watermark is held at 500, so the slow source's record at ts 300
 * arriving after the wait is on time (one on-time firing, count 3); with
 * `idleTimeoutMs: 1000` the slow source is marked idle during its wait, the
 * fast source's watermark 1500 fires the window with count 2, and the same
 * record comes late, within the allowed lateness: a late firing, count 3.
 *
 * How: both pipelines run end to end through the simulated cluster with no
 * faults; the committed output is compared exactly. The two timings are
 * far apart (hundreds of ms against network delays of a few ms), so the
 * outcome does not hinge on the network.
 */
import { describe, expect, it } from 'vitest';
import type { KeyedProcessContext } from '../../../../src/engines/flink/operators/keyed-process.ts';
import type { InputRecord, KeyedUpdate } from '../../../../src/stream/records.ts';
import { script, type Script } from '../../../../src/engines/flink/script.ts';
import { TOPICS } from '../../../../scenarios/types.ts';
import { fastAndSlow, runScripted, type ScriptedPipeline } from './helpers.ts';

const FLUSH_MS = 500;

/** Counts records per key and emits the count FLUSH_MS of processing time after the first unflushed one. */
function flushing(name: string, s: Script): ScriptedPipeline {
  return {
    name,
    script: s,
    build(source, _env, sizes) {
      source
        .keyBy((r) => r.key)
        .process(
          {
            processElement(r: InputRecord, ctx: KeyedProcessContext) {
              const count = ctx.state.valueState<number>('count');
              const pending = ctx.state.valueState<boolean>('pending');
              count.update((count.value() ?? 0) + 1);
              ctx.state.valueState<number>('last').update(r.id);
              if (pending.value()) return;
              pending.update(true);
              ctx.registerProcessingTimeTimer(ctx.currentProcessingTime() + FLUSH_MS);
            },
            onTimer(ts: number, ctx: KeyedProcessContext) {
              ctx.state.valueState<boolean>('pending').update(false);
              const n = ctx.state.valueState<number>('count').value() ?? 0;
              const id = ctx.state.valueState<number>('last').value() ?? -1;
              const update: KeyedUpdate = { type: 'update', key: ctx.key, value: n, id, seq: n, ts };
              ctx.collect(update, ts);
            },
          },
          'flush',
          sizes.parallelism,
        )
        .sinkTo({ topic: TOPICS.output, partitions: sizes.parallelism });
    },
  };
}

const updates = (r: ReturnType<typeof runScripted>): [string, number][] =>
  r.output.filter((o): o is KeyedUpdate => o.type === 'update').map((u) => [u.key, u.value]);

describe('processing-time timers driven by the script', () => {
  it('flushes once per batch when the batches are 1000 ms apart', () => {
    const s = script().add({ key: 'a', ts: 1 }, { key: 'a', ts: 2 }).advanceProcessingTime(1_000).add({ key: 'a', ts: 3 }).advanceProcessingTime(1_000).advanceWatermarkToInfinity();
    const r = runScripted(flushing('flush-apart', s));
    expect(r.failed).toEqual([]);
    expect(updates(r)).toEqual([['a', 2], ['a', 3]]);
  });

  it('flushes both batches together when they are only 100 ms apart', () => {
    const s = script().add({ key: 'a', ts: 1 }, { key: 'a', ts: 2 }).advanceProcessingTime(100).add({ key: 'a', ts: 3 }).advanceProcessingTime(1_000).advanceWatermarkToInfinity();
    const r = runScripted(flushing('flush-close', s));
    expect(r.failed).toEqual([]);
    expect(updates(r)).toEqual([['a', 3]]);
  });
});

describe('idleness driven by the script', () => {
  const twoSources = (name: string, idleTimeoutMs: number): ScriptedPipeline => fastAndSlow(name, idleTimeoutMs);

  it('without an idle timeout the slow source holds the watermark, and its record after the wait is on time', () => {
    const r = runScripted(twoSources('idle-never', 0));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual([{ key: 'k', start: 0, end: 1_000, value: 3, firing: 0, ids: [0, 10, 11] }]);
  });

  it('with an idle timeout the window fires during the wait, and the record after it is a late firing', () => {
    const r = runScripted(twoSources('idle-1000', 1_000));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual([
      { key: 'k', start: 0, end: 1_000, value: 2, firing: 0, ids: [0, 10] },
      { key: 'k', start: 0, end: 1_000, value: 3, firing: 1, ids: [0, 10, 11] },
    ]);
    expect(r.late).toEqual([]);
  });
});
