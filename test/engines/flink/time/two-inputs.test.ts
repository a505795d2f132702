/**
 * A two-input task combines its inputs as Flink's two-input operators do:
 * one StatusWatermarkValve per input, then the operator's
 * CombinedWatermarkStatus, the minimum over the inputs that are not idle,
 * where an input back from idleness counts at once, caught up or not. (One
 * valve over the channels of both inputs would let the other input run ahead
 * while the returning one catches up, and drop its records as late.) Exact
 * scripted inputs, each checked against what Flink's classes give.
 */
import { describe, expect, it } from 'vitest';
import { CombinedWatermark, OneInput, TwoInputs, taskInputs } from '../../../../src/engines/flink/time/inputs.ts';
import { PipelineTestHarness } from '../../../../src/engines/flink/harness/pipeline-harness.ts';
import { MIN_WATERMARK } from '../../../../src/stream/watermark.ts';

/** Feeds `steps` ([ch, wm] or [ch, 'idle' | 'active']) and returns every combined watermark emitted, in order. */
function drive(inputs: ReturnType<typeof taskInputs>, steps: [number, number | 'idle' | 'active'][]): number[] {
  const out: number[] = [];
  for (const [ch, v] of steps) {
    if (typeof v === 'number') inputs!.watermark(ch, v, (wm) => out.push(wm));
    else inputs!.idleness(ch, v === 'idle', (wm) => out.push(wm));
  }
  return out;
}

describe('CombinedWatermark (CombinedWatermarkStatus)', () => {
  it('is the minimum over inputs that are not idle, rising only, and idle when all are', () => {
    const c = new CombinedWatermark(2);
    expect(c.updateWatermark(0, 10)).toBeUndefined(); // input 1 still at MIN
    expect(c.updateWatermark(1, 50)).toBe(10);
    expect(c.updateStatus(0, true)).toBe(50);
    expect(c.isIdle()).toBe(false);
    expect(c.updateStatus(0, false)).toBeUndefined(); // back at 10: holds, never goes back
    expect(c.current()).toBe(50);
    expect(c.updateWatermark(1, 100)).toBeUndefined();
    expect(c.updateWatermark(0, 60)).toBe(60);
    c.updateStatus(0, true);
    expect(c.updateStatus(1, true)).toBeUndefined();
    expect(c.isIdle()).toBe(true);
  });
});

describe('a two-input task', () => {
  // Channels 0 and 1 feed input 0, channel 2 input 1.
  const layout = [0, 0, 1];

  it('one input coming back from idleness holds the combined watermark until it passes it', () => {
    const two = taskInputs(layout);
    expect(two).toBeInstanceOf(TwoInputs);
    const got = drive(two, [[0, 10], [1, 10], [2, 50], [0, 'idle'], [1, 'idle'], [0, 'active'], [2, 100], [0, 60], [1, 'active'], [1, 70]]);
    // Input 0 idle lets input 1's 50 through; back active (its valve at 10 flushed, 10 < 50) it
    // holds the combined watermark at 50 while input 1 goes to 100; then 60 (channel 1 is back
    // behind input 0's valve output 60, so it waits until it catches up), and 70 from channel 1.
    expect(got).toEqual([10, 50, 60]);
    // One valve over all three channels instead: the returning channel is left out until it
    // catches up, so input 1's 100 goes through at once.
    const one = new OneInput(3);
    expect(drive(one, [[0, 10], [1, 10], [2, 50], [0, 'idle'], [1, 'idle'], [0, 'active'], [2, 100]])).toEqual([10, 50, 100]);
  });

  it('flushes an input that goes wholly idle before taking it out, and is idle when both inputs are', () => {
    const two = taskInputs(layout)!;
    const got = drive(two, [[0, 30], [1, 20], [2, 25], [1, 'idle'], [0, 'idle'], [2, 'idle']]);
    // 20, then channel 1 idle: input 0 at 30 (the min of channel 0), combined min(30, 25) = 25;
    // channel 0 idle: input 0 flushes its max 30 and goes idle, so input 1's 25 alone: no rise.
    expect(got).toEqual([20, 25]);
    expect(two.isIdle()).toBe(true);
    const back = drive(two, [[2, 'active'], [2, 40]]);
    expect(back).toEqual([40]);
    expect(two.isIdle()).toBe(false);
  });

  it('snapshots and restores both valves and their combination', () => {
    const a = taskInputs(layout)!;
    drive(a, [[0, 10], [1, 12], [2, 50], [0, 'idle'], [1, 'idle'], [0, 'active']]);
    const b = taskInputs(layout)!;
    expect(b.restore(JSON.parse(JSON.stringify(a.snapshot())))).toBe(true);
    expect(b.channelWatermarks()).toEqual([10, 12, 50]);
    expect(b.isChannelIdle(1)).toBe(true);
    // Both go on alike: input 0 holds the combined watermark at 50 until it passes it.
    const steps: [number, number][] = [[2, 90], [0, 55]];
    expect(drive(b, steps)).toEqual(drive(a, steps));
    // A snapshot of other channels does not fit.
    expect(taskInputs([0, 1])!.restore(a.snapshot())).toBe(false);
    expect(new OneInput(2).restore(a.snapshot())).toBe(false);
  });

  it('starts at MIN: nothing rises until both inputs have a watermark', () => {
    const two = taskInputs([0, 1])!;
    expect(drive(two, [[0, 100]])).toEqual([]);
    expect(drive(two, [[1, 5]])).toEqual([5]);
    expect(MIN_WATERMARK).toBeLessThan(5);
  });
});

describe('an interval join whose inputs idle apart', () => {
  type Rec = { id: number; key: string; ts: number };
  it('keeps the returning input\'s records on time, as Flink does', () => {
    const h = PipelineTestHarness.of((_env, io) => {
      const orders = io.input<Rec>('orders').keyBy((r) => r.key);
      const payments = io.input<Rec>('payments').keyBy((r) => r.key);
      io.sink('pairs', orders.intervalJoin(payments).between(0, 500, (o: Rec, p: Rec) => `${o.id}+${p.id}`));
    });
    h.input<Rec>('orders').watermark(10);
    h.input<Rec>('payments').watermark(50);
    h.input<Rec>('orders').idle();
    h.input<Rec>('orders').active();
    h.input<Rec>('payments').watermark(100);
    h.input<Rec>('payments').add({ id: 2, key: 'k', ts: 120 });
    // Behind the payments' watermark (100) but not the join's (50): joined, not late.
    h.input<Rec>('orders').add({ id: 1, key: 'k', ts: 80 });
    const pairs = h.results('pairs');
    expect(pairs.map((p) => [p.value, p.watermark])).toEqual([['1+2', 50]]);
  });
});
