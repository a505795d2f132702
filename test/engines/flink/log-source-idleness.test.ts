/**
 * The log source's idleness follows Flink's `WatermarksWithIdleness`: one
 * `IdlenessTimer` per partition (split), asked at every periodic watermark
 * emission. What it proves, on a source driven by hand (a fake operator
 * context whose clock, timers and fetch replies the test moves):
 * - a partition that stops delivering is not idle at the first emission a
 *   full timeout after its last records (the rule weir had before, and the
 *   one this test fails on): the countdown starts at the first emission
 *   that finds nothing new, and the partition is idle only at an emission
 *   strictly more than the timeout after that start;
 * - while one partition is idle the watermark follows the others, and the
 *   source's output is marked idle only when every live partition is;
 * - records on a partition reset its countdown, but the output is marked
 *   active again only just before a watermark above the last one (Flink's
 *   `WatermarkOutputMultiplexer` emits only a combined watermark that went
 *   up, and `WatermarkToDataOutput` marks the output active before it): a
 *   partition that comes back behind that watermark leaves it idle;
 * - a source with no idle timeout never marks anything idle.
 */
import { describe, expect, test } from 'vitest';
import { LogSourceOperator } from '../../../src/engines/flink/operators/log-source.ts';
import type { OperatorContext, Output } from '../../../src/engines/flink/operators/operator.ts';
import type { FetchResult } from '../../../src/log/client.ts';

const INTERVAL = 50;
const IDLE = 1_000;

/** A source of two partitions on a hand-driven clock; `deliver` answers a partition's parked fetch. */
function harness(idleTimeoutMs: number) {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const fetches = new Map<number, (r: FetchResult) => void>();
  const offsets = new Map<number, number>();
  const marks: { at: number; idle: boolean }[] = [];
  const watermarks: { at: number; wm: number }[] = [];
  const ctx = {
    taskName: 'src[0]',
    operatorName: 'src',
    subtask: 0,
    parallelism: 1,
    attempt: 0,
    instance: 'tm-0#0/a0',
    restoredCheckpoint: -1,
    state: undefined,
    now: () => now,
    trace: { emit: () => {}, detailed: false, wants: () => false },
    bugs: { has: () => false },
    log: {
      fetch: (_topic: string, partition: number, _offset: number, _max: number, _iso: string, cb: (r: FetchResult) => void) => {
        fetches.set(partition, cb);
      },
    },
    after: (delayMs: number, fn: () => void) => timers.push({ at: now + delayMs, fn }),
    currentWatermark: () => Number.NEGATIVE_INFINITY,
    checkpointGuarantee: 'exactly-once',
    buggify: () => false,
    finishSource: () => {},
    fail: (reason: string) => {
      throw new Error(reason);
    },
  } as unknown as OperatorContext;
  const out: Output = {
    collect: () => {},
    side: () => {},
    emitWatermark: (wm) => watermarks.push({ at: now, wm }),
    emitIdle: (idle) => marks.push({ at: now, idle }),
  };
  const source = new LogSourceOperator({ topic: 'in', partitions: 2, boundMs: 0, idleTimeoutMs, autoWatermarkIntervalMs: INTERVAL });
  source.open(ctx, out);
  source.run();
  return {
    marks,
    watermarks,
    /** Moves the clock to `t`, firing the timers due by then in order. */
    advance(t: number) {
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (next === undefined || next.at > t) break;
        timers.shift();
        now = next.at;
        next.fn();
      }
      now = t;
    },
    /** Answers partition `p`'s fetch with records of these timestamps. */
    deliver(p: number, ...ts: number[]) {
      const cb = fetches.get(p);
      if (cb === undefined) throw new Error(`no fetch of partition ${p} in flight`);
      fetches.delete(p);
      const from = offsets.get(p) ?? 0;
      offsets.set(p, from + ts.length);
      cb({ ok: true, records: ts.map((t, i) => ({ offset: from + i, key: null, value: { ts: t } })) as never, nextOffset: from + ts.length, endOfPartition: false, highWatermark: from + ts.length, lastStableOffset: from + ts.length });
    },
  };
}

describe("the log source's idleness is Flink's IdlenessTimer per partition", () => {
  test('the countdown starts at the first quiet emission and needs strictly more than the timeout', () => {
    const h = harness(IDLE);
    // Emissions at 0, 50, 100, …; both partitions deliver at 120, then only partition 1 goes on.
    h.advance(120);
    h.deliver(0, 100);
    h.deliver(1, 100);
    for (let t = 200; t <= 3_000; t += 100) {
      h.advance(t);
      h.deliver(1, t);
    }
    // Partition 0 was last heard of at 120. The emission at 150 saw that; the one at 200 found
    // nothing new and started the countdown; 1,200 is exactly the timeout after it, 1,250 past it.
    // (By the old rule, idle a full timeout after the last records, it was idle from 1,150 on.)
    const held = h.watermarks.filter((w) => w.at <= 1_200);
    expect(Math.max(...held.map((w) => w.wm))).toBe(99); // partition 0's maxTs 100, bound 0: 99
    const freed = h.watermarks.find((w) => w.at > 1_200);
    expect(freed).toEqual({ at: 1_250, wm: 1_199 }); // partition 1 alone: maxTs 1,200
    // The other partition kept delivering, so the source as a whole never went idle.
    expect(h.marks).toEqual([]);
  });

  test('the output goes idle when every partition is, and active again with the next higher watermark', () => {
    const h = harness(IDLE);
    h.advance(10);
    h.deliver(0, 5);
    h.deliver(1, 5);
    // Last records at 10; the emission at 50 saw them, 100 started both countdowns.
    h.advance(1_100);
    expect(h.marks).toEqual([]);
    h.advance(1_149);
    expect(h.marks).toEqual([]);
    h.advance(1_150);
    expect(h.marks).toEqual([{ at: 1_150, idle: true }]);
    h.advance(1_160);
    h.deliver(1, 900);
    // Records alone leave the output idle (they used to make it active at once).
    expect(h.marks).toEqual([{ at: 1_150, idle: true }]);
    // The emission at 1,200 sees them: partition 1 is active, its watermark 899 is above the last
    // one (4), so the output is marked active just before it; partition 0 is still idle.
    h.advance(1_200);
    expect(h.marks).toEqual([{ at: 1_150, idle: true }, { at: 1_200, idle: false }]);
    expect(h.watermarks.at(-1)).toEqual({ at: 1_200, wm: 899 });
    // Quiet again from 1,160: the countdown starts at 1,250 and runs out after 2,250.
    h.advance(2_250);
    expect(h.marks.length).toBe(2);
    h.advance(2_300);
    expect(h.marks.at(-1)).toEqual({ at: 2_300, idle: true });
  });

  test('a partition back behind the watermark leaves the output idle', () => {
    const h = harness(IDLE);
    h.advance(10);
    h.deliver(0, 5);
    h.deliver(1, 500);
    // Both idle at 1,150 (as above). The last watermark is 4, the minimum of 4 and 499: both
    // partitions went idle at the same emission, so no higher one came.
    h.advance(1_150);
    expect(h.marks).toEqual([{ at: 1_150, idle: true }]);
    expect(h.watermarks.at(-1)!.wm).toBe(4);
    // Partition 0 comes back with a record at 3: its watermark 4 is not above 4. No watermark,
    // and the output stays idle, however long it keeps delivering at or below that.
    h.advance(1_160);
    h.deliver(0, 3);
    h.advance(1_300);
    h.deliver(0, 5);
    h.advance(1_500);
    expect(h.marks).toEqual([{ at: 1_150, idle: true }]);
    expect(h.watermarks.at(-1)!.wm).toBe(4);
    // A record at 6 lifts partition 0's watermark to 5: active, then the watermark.
    h.deliver(0, 6);
    h.advance(1_550);
    expect(h.marks).toEqual([{ at: 1_150, idle: true }, { at: 1_550, idle: false }]);
    expect(h.watermarks.at(-1)).toEqual({ at: 1_550, wm: 5 });
  });

  test('without an idle timeout nothing is ever idle', () => {
    const h = harness(0);
    h.advance(10);
    h.deliver(0, 5);
    h.deliver(1, 7);
    h.advance(60_000);
    expect(h.marks).toEqual([]);
    expect(Math.max(...h.watermarks.map((w) => w.wm))).toBe(4);
  });
});
