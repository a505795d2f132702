/**
 * The watermark oracle can pass and can fail. A passing trace comes from the
 * correct test-double operator (`model.ts`) over a generated workload with
 * stragglers, idle partitions and allowed lateness; then single planted
 * mistakes are fed as trace events — a watermark going backwards, a task
 * watermark above the minimum of its inputs, an on-time firing at
 * `wm = end - 2`, a late firing whose record has no 'window.late' event, a
 * record sent to the late output while its window was open, a window that
 * never fired — and the matching verdict must fail, naming task and window.
 * Idle and re-activated channels are checked not to raise false alarms.
 */
import { describe, expect, it } from 'vitest';
import { WatermarkChecker, type CheckResult, type TraceEvent, type WindowSpec } from '../../src/check/index.ts';
import type { WindowResult } from '../../src/stream/records.ts';
import { tumbling } from '../../src/stream/assigners.ts';
import { rootRng } from '../../src/sim/rng.ts';
import { generateWorkload } from '../../src/workload/index.ts';
import { runModel } from './model.ts';
import { rec, result } from './helpers.ts';
import { WatermarkChecker as PlainWatermarkChecker } from './plain/watermarks.ts';

const SPEC: WindowSpec = { assigner: tumbling(1000), aggregate: 'count', allowedLatenessMs: 200 };

function trace(...events: [string, Record<string, unknown>][]): TraceEvent[] {
  return events.map(([kind, fields], seq) => ({ seq, t: seq, p: 'tm-0', kind, ...fields }));
}
const wm = (task: string, ch: number, w: number): [string, Record<string, unknown>] => ['watermark', { task, attempt: 0, ch, wm: w }];
const idle = (task: string, ch: number, isIdle: boolean): [string, Record<string, unknown>] => ['watermark', { task, attempt: 0, ch, idle: isIdle }];

function verdicts(events: TraceEvent[], results: WindowResult[] = [], input = [rec(0, 10)]): Map<string, CheckResult> {
  const c = new WatermarkChecker();
  for (const e of events) c.onEvent(e);
  return new Map(c.finish(input, results, SPEC).map((v) => [v.name, v]));
}

describe('WatermarkChecker', () => {
  it('passes a correct run with stragglers, idleness and late firings', () => {
    const w = generateWorkload(rootRng(11), {
      events: 2000, keys: 5, partitions: 4, idlePartitions: 1, disorderBoundMs: 50, eventRateMsPerRecord: 5,
      stragglerRatio: [1, 10], stragglerExtraMs: 400,
    });
    const run = runModel(w, SPEC, 50);
    expect(run.late.length).toBeGreaterThan(0);
    expect(run.results.some((r) => r.firing > 0)).toBe(true);
    const c = new WatermarkChecker();
    for (const e of run.events) c.onEvent(e);
    const vs = c.finish(w.records, run.results, SPEC);
    expect(vs.map((v) => v.name)).toEqual(['watermark.monotone', 'watermark.min-of-inputs', 'watermark.on-time-firing', 'watermark.lateness', 'watermark.liveness']);
    for (const v of vs) expect(v.ok, `${v.name}: ${v.detail}`).toBe(true);
  });

  it('fails a task output watermark going backwards; a lower value on an input channel is ignored as the valve ignores it', () => {
    const ch = verdicts(trace(wm('window[0]', 1, 500), wm('window[0]', 1, 499))).get('watermark.monotone')!;
    expect(ch.ok).toBe(true);
    const out = verdicts(trace(wm('source[0]', -1, 500), wm('source[0]', -1, 500), wm('source[0]', -1, 20))).get('watermark.monotone')!;
    expect(out.detail).toBe('task source[0] attempt 0 output: watermark went back from 500 to 20 (seq 2)');
  });

  it('takes restored watermarks as the baseline of an attempt, idle channels included', () => {
    const restored = (ch: number, w: number, restoredIdle = false): [string, Record<string, unknown>] => ['watermark', { task: 'window[0]', attempt: 1, ch, wm: w, restored: true, restoredIdle }];
    const out = (w: number): [string, Record<string, unknown>] => ['watermark', { task: 'window[0]', attempt: 1, ch: -1, wm: w }];
    // Channel 1 was idle at the snapshot: the output may pass it.
    expect(verdicts(trace(restored(0, 900), restored(1, 100, true), restored(-1, 900), ['watermark', { task: 'window[0]', attempt: 1, ch: 0, wm: 950 }], out(950))).get('watermark.min-of-inputs')!.ok).toBe(true);
    // Channel 1 was active at 100: an output of 950 is above it.
    expect(verdicts(trace(restored(0, 900), restored(1, 100), restored(-1, 100), out(950))).get('watermark.min-of-inputs')!.ok).toBe(false);
  });

  it('allows a new attempt to start its watermarks over', () => {
    const events = trace(wm('source[0]', -1, 500), ['watermark', { task: 'source[0]', attempt: 1, ch: -1, wm: 100 }]);
    expect(verdicts(events).get('watermark.monotone')!.ok).toBe(true);
  });

  it('fails a task watermark above the minimum of its inputs', () => {
    const v = verdicts(trace(wm('w[0]', 0, 900), wm('w[0]', 1, 700), wm('w[0]', -1, 701))).get('watermark.min-of-inputs')!;
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('task w[0] attempt 0 output: watermark 701 above the minimum 700 of its input channels (channel 1 at 700) (seq 2)');
    expect(verdicts(trace(wm('w[0]', 0, 900), wm('w[0]', 1, 700), wm('w[0]', -1, 700))).get('watermark.min-of-inputs')!.ok).toBe(true);
  });

  it('leaves idle channels out of the minimum, and re-activated ones until they catch up', () => {
    const ok = verdicts(trace(
      wm('w[0]', 0, 100), wm('w[0]', 1, 900), idle('w[0]', 0, true), wm('w[0]', -1, 900),
      idle('w[0]', 0, false), wm('w[0]', 1, 1000), wm('w[0]', -1, 1000), // channel 0 (at 100) does not count yet
      wm('w[0]', 0, 1200), wm('w[0]', 1, 1500), wm('w[0]', -1, 1200),
    )).get('watermark.min-of-inputs')!;
    expect(ok.ok, ok.detail).toBe(true);
    const held = verdicts(trace(wm('w[0]', 0, 100), wm('w[0]', 1, 900), wm('w[0]', -1, 100), idle('w[0]', 0, true), idle('w[0]', 0, false), wm('w[0]', -1, 900)));
    expect(held.get('watermark.min-of-inputs')!.detail).toMatch(/watermark 900 above the minimum 100 .*channel 0 at 100/);
  });

  it('fails an on-time firing at wm = end - 2, passes one at end - 1', () => {
    const fire = (w: number): [string, Record<string, unknown>] =>
      ['window.fire', { task: 'window[1]', attempt: 0, key: 'a', start: 0, end: 1000, wm: w, firing: 0, count: 1 }];
    const results = [result('a', 0, 1000, [0], 1)];
    expect(verdicts(trace(fire(999)), results).get('watermark.on-time-firing')!.ok).toBe(true);
    const v = verdicts(trace(fire(998)), results).get('watermark.on-time-firing')!;
    expect(v).toEqual({ name: 'watermark.on-time-firing', ok: false,
      detail: 'task window[1] attempt 0 fired key a window [0,1000) firing 0 at watermark 998 < end - 1 = 999 (seq 0)' });
  });

  it('fails a record in a late firing with no window.late event', () => {
    const input = [rec(0, 10), rec(1, 20)];
    const results = [result('a', 0, 1000, [0], 1), result('a', 0, 1000, [0, 1], 2, 1)];
    const lateJoin: [string, Record<string, unknown>] = ['window.late', { task: 'w[0]', attempt: 0, id: 1, key: 'a', start: 0, end: 1000, wm: 1100 }];
    expect(verdicts(trace(lateJoin), results, input).get('watermark.lateness')!.ok).toBe(true);
    const v = verdicts(trace(), results, input).get('watermark.lateness')!;
    expect(v.detail).toBe("record 1 is in result key a window [0,1000) firing 1 but not in its on-time firing, and no 'window.late' event says it joined late");
  });

  it('reads a late firing against every on-time firing of its window (a replay commits one per attempt)', () => {
    const input = [rec(0, 10), rec(1, 20)];
    // The failed attempt fired [0,1000) with record 0; the replay with both; its late firing 1 holds both.
    const results = [result('a', 0, 1000, [0], 1), result('a', 0, 1000, [0, 1], 2), result('a', 0, 1000, [0, 1], 2, 1)];
    expect(verdicts(trace(), results, input).get('watermark.lateness')!.ok).toBe(true);
  });

  it('fails lateness decisions that contradict the watermark', () => {
    const at = (kind: string, w: number, more: Record<string, unknown> = {}): [string, Record<string, unknown>] =>
      [kind, { task: 'w[0]', attempt: 0, id: 0, key: 'a', start: 0, end: 1000, ts: 10, wm: w, ...more }];
    // [0,1000) with 200 ms lateness: fires at 999, accepts late records while wm < 1199.
    const ok = verdicts(trace(at('window.late', 999), at('window.late', 1198), at('window.skip', 1199), at('record.late', 1199)));
    expect(ok.get('watermark.lateness')!.ok).toBe(true);
    expect(verdicts(trace(at('record.late', 1198))).get('watermark.lateness')!.detail)
      .toBe('record 0 (ts 10) was sent to the late output, but window [0,1000) was still open (seq 0, watermark 1198, allowed lateness 200)');
    expect(verdicts(trace(at('window.late', 998))).get('watermark.lateness')!.detail).toMatch(/joined window \[0,1000\) of key a as late, but the window was not yet fired/);
    expect(verdicts(trace(at('window.late', 1199))).get('watermark.lateness')!.detail).toMatch(/already past allowed lateness/);
    expect(verdicts(trace(at('window.skip', 1198))).get('watermark.lateness')!.detail).toMatch(/skipped window \[0,1000\) of key a, which was still open/);
  });

  it('fails liveness when a window with on-time data never fired', () => {
    const input = [rec(0, 10), rec(1, 1010), rec(2, 2010)];
    const results = [result('a', 0, 1000, [0], 1)];
    const lateRec: [string, Record<string, unknown>] = ['record.late', { task: 'w[0]', attempt: 0, id: 2, key: 'a', ts: 2010, wm: 5000 }];
    const v = verdicts(trace(lateRec), results, input).get('watermark.liveness')!;
    expect(v).toEqual({ name: 'watermark.liveness', ok: false, detail: 'key a window [1000,2000) holds on-time record 1 but never fired' });
    const all = verdicts(trace(lateRec), [...results, result('a', 1000, 2000, [1], 1)], input).get('watermark.liveness')!;
    expect(all).toEqual({ name: 'watermark.liveness', ok: true, detail: 'all 2 windows with on-time data fired' });
  });
});

describe('WatermarkChecker, a two-input task (channels name their input)', () => {
  // The plain twin (test/check/plain) judges these traces the same way.
  const both = (events: TraceEvent[]): [CheckResult, CheckResult] => {
    const fast = new WatermarkChecker();
    const plain = new PlainWatermarkChecker();
    for (const e of events) {
      fast.onEvent(e);
      plain.onEvent(e);
    }
    const pick = (vs: CheckResult[]): CheckResult => vs.find((v) => v.name === 'watermark.min-of-inputs')!;
    return [pick(fast.finish([rec(0, 10)], [], SPEC)), pick(plain.finish([rec(0, 10)], [], SPEC))];
  };
  const inWm = (ch: number, input: number, w: number): [string, Record<string, unknown>] => ['watermark', { task: 'join[0]', attempt: 0, ch, input, wm: w }];
  const inIdle = (ch: number, input: number, isIdle: boolean): [string, Record<string, unknown>] => ['watermark', { task: 'join[0]', attempt: 0, ch, input, idle: isIdle }];
  const out = (w: number): [string, Record<string, unknown>] => wm('join[0]', -1, w);
  // Input 0 (channel 0) at 10, input 1 (channel 1) at 50; input 0 goes idle and comes back at 10.
  const start: [string, Record<string, unknown>][] = [inWm(0, 0, 10), inWm(1, 1, 50), out(10), inIdle(0, 0, true), out(50), inIdle(0, 0, false), inWm(1, 1, 100)];

  it('passes the combination of CombinedWatermarkStatus: an input back from idleness holds the watermark', () => {
    for (const v of both(trace(...start, inWm(0, 0, 60), out(60)))) expect(v.ok, v.detail).toBe(true);
  });

  it('fails a task that lets the other input run ahead while the returning one catches up (one valve over both)', () => {
    const [fast, plain] = both(trace(...start, out(100)));
    expect(fast.ok).toBe(false);
    expect(fast.detail).toMatch(/task join\[0\] attempt 0 output: watermark 100 above the minimum 10 .*input 0's channels at 10/);
    expect(plain).toEqual(fast);
  });

  it('counts a channel within its input only once it has caught up with that input\'s valve', () => {
    // Input 0 has two channels: channel 2 goes idle, input 0 moves on to 70 without it, and
    // channel 2 comes back at 40, behind: it does not count in input 0 until it reaches 70.
    const events = trace(inWm(0, 0, 40), inWm(2, 0, 40), inWm(1, 1, 90), out(40), inIdle(2, 0, true), inWm(0, 0, 70), out(70), inIdle(2, 0, false), inWm(0, 0, 80), out(80));
    for (const v of both(events)) expect(v.ok, v.detail).toBe(true);
    // Channel 2 never idle: it holds input 0 at 40.
    const [fast, plain] = both(trace(inWm(0, 0, 40), inWm(2, 0, 40), inWm(1, 1, 90), out(40), inWm(0, 0, 80), out(80)));
    expect(fast.ok).toBe(false);
    expect(plain).toEqual(fast);
  });
});
