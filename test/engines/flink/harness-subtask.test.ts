/**
 * What this proves: the operator harness can be subtask i of a keyed
 * operator of parallelism p (Flink's KeyedOneInputStreamOperatorTestHarness
 * with maxParallelism, parallelism and subtaskIndex), and then it owns
 * exactly the keys subtask i owns in a real job of parallelism p: the same
 * key groups, the same results, the same timers and state; a key of
 * another subtask is refused, as Flink's key-group range refuses it.
 *
 * How: key groups checked against Flink's KeyGroupRangeAssignment
 * arithmetic for every key group of several (maxParallelism, parallelism)
 * pairs; then the same input fed to a pipeline harness of parallelism 3
 * and to an operator harness as each of its three subtasks in turn (each
 * fed only the keys it owns) gives, subtask by subtask, the same results,
 * timers and state.
 */
import { describe, expect, it } from 'vitest';
import {
  HarnessError, keyGroupForKey, keyGroupRange, OperatorTestHarness, PipelineTestHarness, subtaskForKey, sumAggregate, tumbling, type DataStream, type InputRecord, type WindowResult,
} from 'weir';

const windowed = (input: DataStream<InputRecord>) => input.keyBy((r) => r.key).window(tumbling(1_000)).aggregate(sumAggregate, 'sums');

const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'red', 'blue', 'green'];
const input: InputRecord[] = keys.flatMap((key, n) => [
  { id: 2 * n, key, value: n + 1, ts: 100 * n },
  { id: 2 * n + 1, key, value: 1, ts: 1_000 + 50 * n },
]);

describe('the operator harness as subtask i of p', () => {
  it("assigns key groups as Flink's KeyGroupRangeAssignment does", () => {
    for (const [maxP, p] of [[128, 1], [128, 3], [10, 3], [10, 10], [7, 2]] as const) {
      const ranges = Array.from({ length: p }, (_, i) => keyGroupRange(i, p, maxP));
      // The ranges tile 0…maxP-1 in order, each key group owned by floor(g * p / maxP).
      expect(ranges[0]!.first).toBe(0);
      expect(ranges[p - 1]!.last).toBe(maxP - 1);
      for (let i = 1; i < p; i++) expect(ranges[i]!.first).toBe(ranges[i - 1]!.last + 1);
      for (let i = 0; i < p; i++) for (let g = ranges[i]!.first; g <= ranges[i]!.last; g++) expect(Math.floor((g * p) / maxP)).toBe(i);
    }
    for (const k of keys) {
      const g = keyGroupForKey(k, 10);
      const owner = subtaskForKey(k, 3, 10);
      const r = keyGroupRange(owner, 3, 10);
      expect(g >= r.first && g <= r.last).toBe(true);
    }
  });

  it('each subtask gives what that subtask of a real parallel job gives', () => {
    const job = PipelineTestHarness.of((_env, io) => io.sink('out', windowed(io.input<InputRecord>('in'))), { parallelism: 3, maxParallelism: 10 });
    job.input<InputRecord>('in').addAll(input).watermark(999);
    const jobTimers = job.timers('sums').eventTime;
    const jobState = job.state('sums');
    job.input<InputRecord>('in').watermark(5_000);
    const jobResults = job.results<WindowResult>('out');
    let owned = 0;
    for (let i = 0; i < 3; i++) {
      const h = OperatorTestHarness.of(windowed, { parallelism: 3, subtaskIndex: i, maxParallelism: 10 });
      const mine = input.filter((r) => h.ownsKey(r.key));
      owned += mine.length;
      for (const r of mine) h.processElement(r);
      h.processWatermark(999);
      const strip = <T extends { subtask: number }>(xs: T[]) => xs.map(({ subtask: _s, ...rest }) => rest);
      expect(h.timers().eventTime).toEqual(jobTimers.filter((t) => t.subtask === i));
      expect(strip(h.state())).toEqual(strip(jobState.filter((e) => e.subtask === i)));
      h.processWatermark(5_000);
      expect(h.output()).toEqual(jobResults.filter((r) => r.subtask === i));
      expect(h.watermarks()).toEqual([999, 5_000]);
    }
    // Every key is owned by exactly one subtask, and with 10 key groups over 3 subtasks each owns some.
    expect(owned).toBe(input.length);
    expect(new Set(jobResults.map((r) => r.subtask))).toEqual(new Set([0, 1, 2]));
  });

  it("refuses a key of another subtask's key groups", () => {
    const h = OperatorTestHarness.of(windowed, { parallelism: 3, subtaskIndex: 1, maxParallelism: 10 });
    expect(subtaskForKey('a', 3, 10)).toBe(1);
    expect(subtaskForKey('b', 3, 10)).toBe(2);
    h.processElement({ id: 0, key: 'a', value: 1, ts: 10 });
    expect(() => h.processElement({ id: 1, key: 'b', value: 1, ts: 20 })).toThrow(HarnessError);
    expect(() => h.processElement({ id: 2, key: 'b', value: 1, ts: 20 })).toThrow(`key "b" is in key group ${keyGroupForKey('b', 10)}, which subtask 2 of 3 owns, not this harness's subtask 1`);
    h.processWatermark(999);
    expect(h.values().map((r) => [r.key, r.value])).toEqual([['a', 1]]);
  });

  it('keeps its subtask across a snapshot and restore', () => {
    const opts = { parallelism: 2, subtaskIndex: 1 } as const;
    const h = OperatorTestHarness.of(windowed, opts);
    const key = keys.find((k) => subtaskForKey(k, 2) === 1)!;
    h.processElement({ id: 0, key, value: 4, ts: 10 });
    const restored = OperatorTestHarness.of(windowed, { ...opts, restoreFrom: h.snapshot() });
    expect(restored.timers().eventTime.map((t) => [t.key, t.time, t.subtask])).toEqual([[key, 999, 1]]);
    restored.processElement({ id: 1, key, value: 3, ts: 20 }).processWatermark(999);
    expect(restored.values().map((r) => [r.key, r.value, r.ids])).toEqual([[key, 7, [0, 1]]]);
  });

  it('checks its settings', () => {
    expect(() => OperatorTestHarness.of(windowed, { parallelism: 2, subtaskIndex: 2 })).toThrow(/subtask index must be in 0…1/);
    expect(() => OperatorTestHarness.of(windowed, { parallelism: 4, maxParallelism: 3 })).toThrow(/max parallelism/);
  });
});
