/**
 * What this proves: an OperatorTestHarness snapshot restores into a harness
 * of another parallelism or subtask index, each subtask keeping exactly the
 * keys of its key-group range (Flink's AbstractStreamOperatorTestHarness
 * with `repackageState` and `initializeState`, as its WindowOperatorTest
 * and rescaling tests use them): windows, keyed state and timers move with
 * their keys, and nothing is lost or doubled.
 *
 * How: keys spread over two subtasks; one harness of parallelism 1 snapshot
 * restored into both subtasks of 2, and the two subtasks' snapshots
 * repackaged and restored into parallelism 1 — for the default window
 * operator, the general one (AfterWatermark, sessions, a closed window) and
 * a keyed process function with value state and event-time timers.
 */
import { describe, expect, it } from 'vitest';
import {
  AfterWatermark, OperatorTestHarness, session, subtaskForKey, sumAggregate, tumbling,
  type DataStream, type InputRecord, type WindowResult,
} from 'weir';

const KEYS = ['red', 'blue', 'green', 'gold', 'teal', 'plum', 'sand', 'rose'];
const ofSubtask = (i: number): string[] => KEYS.filter((k) => subtaskForKey(k, 2) === i);
const rec = (id: number, key: string, value: number, ts: number): InputRecord => ({ id, key, value, ts });
const sums = (rs: WindowResult<number>[]): string[] => rs.map((r) => `${r.key} [${r.start},${r.end}) ${r.value}`).sort();

type Build = (s: DataStream<InputRecord>) => DataStream<WindowResult<number>>;
const builds: [string, Build][] = [
  ['the default window operator', (s) => s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(1_000).aggregate(sumAggregate)],
  ['the general window operator (AfterWatermark)', (s) => s.keyBy((r) => r.key).window(tumbling(1_000)).trigger(AfterWatermark.pastEndOfWindow()).aggregate(sumAggregate)],
  ['session windows', (s) => s.keyBy((r) => r.key).window(session(500)).aggregate(sumAggregate)],
];

describe('restoring a harness snapshot into another parallelism', () => {
  it('the keys are spread over both subtasks', () => {
    expect(ofSubtask(0).length).toBeGreaterThan(0);
    expect(ofSubtask(1).length).toBeGreaterThan(0);
  });

  for (const [name, build] of builds) {
    it(`${name}: parallelism 1 into subtasks 0 and 1 of 2, and back`, () => {
      const one = OperatorTestHarness.of(build);
      KEYS.forEach((k, i) => one.processElement(rec(i, k, i + 1, 100)).processElement(rec(10 + i, k, 10, 300)));
      const snap = one.snapshot();
      // The reference: the same harness carried on.
      one.processWatermark(5_000);
      const want = sums(one.values());
      expect(want).toHaveLength(KEYS.length);

      const halves = [0, 1].map((i) => OperatorTestHarness.of(build, { parallelism: 2, subtaskIndex: i, restoreFrom: snap }));
      halves.forEach((h, i) => {
        // Each subtask holds its keys' windows and timers only.
        expect(new Set(h.state().map((e) => e.key))).toEqual(new Set(ofSubtask(i)));
        expect(new Set(h.timers().eventTime.map((t) => t.key))).toEqual(new Set(ofSubtask(i)));
        h.processWatermark(5_000);
        expect(h.values().map((r) => r.key).sort()).toEqual([...ofSubtask(i)].sort());
      });
      expect(sums(halves.flatMap((h) => h.values()))).toEqual(want);

      // Each subtask of 2 fed its own keys, snapshotted, repackaged and restored into parallelism 1.
      const parts = [0, 1].map((i) => {
        const h = OperatorTestHarness.of(build, { parallelism: 2, subtaskIndex: i });
        KEYS.forEach((k, j) => {
          if (subtaskForKey(k, 2) === i) h.processElement(rec(j, k, j + 1, 100)).processElement(rec(10 + j, k, 10, 300));
        });
        return h.snapshot();
      });
      const merged = OperatorTestHarness.of(build, { restoreFrom: OperatorTestHarness.repackageState(...parts) });
      expect(new Set(merged.state().map((e) => e.key))).toEqual(new Set(KEYS));
      merged.processWatermark(5_000);
      expect(sums(merged.values())).toEqual(want);
    });
  }

  it('a closed window stays closed in the subtask that now owns it', () => {
    const build: Build = (s) => s.keyBy((r) => r.key).window(tumbling(1_000)).allowedLateness(1_000).trigger(AfterWatermark.pastEndOfWindow()).aggregate(sumAggregate);
    const one = OperatorTestHarness.of(build);
    KEYS.forEach((k, i) => one.processElement(rec(i, k, 1, 100)));
    one.processWatermark(999);
    const [i, key] = [1, ofSubtask(1)[0]!];
    const h = OperatorTestHarness.of(build, { parallelism: 2, subtaskIndex: i, restoreFrom: one.snapshot() });
    h.processElement(rec(99, key, 5, 200));
    expect(h.droppedDueToClosedWindow()).toBe(1);
    expect(h.values()).toEqual([]);
  });

  it('a keyed process function: value state and event-time timers follow their keys', () => {
    const build = (s: DataStream<InputRecord>) =>
      s.keyBy((r) => r.key).process<string>({
        processElement(r: InputRecord, ctx) {
          const total = ctx.state.valueState<number>('total');
          total.update((total.value() ?? 0) + r.value);
          ctx.registerEventTimeTimer(1_000);
        },
        onTimer(_ts, ctx) {
          ctx.collect(`${ctx.key}=${ctx.state.valueState<number>('total').value()}`);
        },
      });
    const one = OperatorTestHarness.of(build);
    KEYS.forEach((k, i) => one.processElement(rec(i, k, i + 1, 100)));
    const snap = one.snapshot();
    const want = KEYS.map((k, i) => `${k}=${i + 1}`).sort();
    const got = [0, 1].flatMap((i) => {
      const h = OperatorTestHarness.of(build, { parallelism: 2, subtaskIndex: i, restoreFrom: snap });
      expect(h.numEventTimeTimers()).toBe(ofSubtask(i).length);
      return h.processWatermark(1_000).values();
    });
    expect(got.sort()).toEqual(want);
  });
});
