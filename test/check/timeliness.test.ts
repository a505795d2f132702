/**
 * The timeliness judge. Proves, on hand-made inputs: a window is ready once
 * every partition's watermark passed its end - 1 (maxTs - bound - 1), or the
 * partition went idle (silent for the idle timeout), while some partition
 * is still active — with every partition of a source subtask idle its
 * watermark stands still, until one delivers again or the input ends, and
 * across subtasks the valve flushes the largest when the last goes idle; a firing within the slack of
 * the later of that and its first record's arrival passes, a later one
 * fails naming the window and how long it was held back; windows whose
 * deadline falls after the first fault are not judged; a window's first
 * firing on a late record (its only record came after the watermark,
 * within allowed lateness) is a late firing, not an on-time one held back.
 * End to end, sessions passes it, and the planted bug `idle-not-chained`
 * (idleness stopping at an operator chained to an idle source) fails it.
 *
 * `readyTimes` (the judge's fast path: ends in order, candidate times walked
 * once) is proved against the definition itself: on random small inputs
 * with integer times, every window end's ready time equals the first
 * millisecond, tried one by one from 0, at which the input has ended, or no
 * partition holds the watermark and some partition is active — computed
 * from the batches seen by then, with no candidate reasoning at all.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { checkTimeliness, readyTimes, TimelinessTrace, type PartitionBatch, type TimelinessInput, type TimelinessSpec } from '../../src/check/timeliness.ts';
import type { TraceEvent } from '../../src/runtime/trace-event.ts';
import { runScenario } from '../../src/explore/run.ts';

const spec = { boundMs: 100, idleTimeoutMs: 1_000, slackMs: 200 };
// Partition 0 reaches ts 2,100 at 500 ms; partition 1 has one record at 10 ms and then nothing.
const base: Omit<TimelinessInput, 'fires'> = {
  partitions: [[{ atMs: 100, maxTs: 500 }, { atMs: 500, maxTs: 2_100 }], [{ atMs: 10, maxTs: 50 }]],
  startMs: 0,
  endOfInputMs: 10_000,
  firstFaultMs: Number.POSITIVE_INFINITY,
};
const fire = (t: number) => ({ t, key: 'k', start: 1_000, end: 2_000 });

/**
 * The definition, millisecond by millisecond: the first t at which the input has ended, or the
 * window's task has passed end - 1. A source subtask (a group of partitions; by default one
 * reading them all, and a partition in no group is one of its own) has passed it once it was, at
 * some millisecond, active with every active partition past the bound; the task has once every
 * active subtask has and at least one has (with none active: the valve's all-idle flush).
 */
function readyByDefinition(end: number, spec: TimelinessSpec, input: Omit<TimelinessInput, 'fires'>): number {
  const n = input.partitions.length;
  const listed = input.sources ?? [Array.from({ length: n }, (_, k) => k)];
  const groups: number[][] = [];
  const seen = new Set<number>();
  for (const g of listed) {
    const mine = g.filter((k) => k >= 0 && k < n && !seen.has(k));
    mine.forEach((k) => seen.add(k));
    if (mine.length > 0) groups.push(mine);
  }
  for (let k = 0; k < n; k++) if (!seen.has(k)) groups.push([k]);
  const finiteEnd = Number.isFinite(input.endOfInputMs) ? input.endOfInputMs : 0;
  const lastAt = Math.max(input.startMs, ...input.partitions.flat().map((b) => b.atMs));
  // After this nothing changes: every batch was delivered, every partition that can go idle did.
  const horizon = Math.max(finiteEnd, lastAt + spec.idleTimeoutMs) + 2;
  const passed = groups.map(() => false);
  for (let t = 0; t <= horizon; t++) {
    if (t >= input.endOfInputMs) return t;
    const active = (k: number): boolean => {
      if (spec.idleTimeoutMs <= 0) return true;
      const lastActivity = Math.max(input.startMs, ...input.partitions[k]!.filter((b) => b.atMs <= t).map((b) => b.atMs));
      return t - lastActivity < spec.idleTimeoutMs;
    };
    const reached = (k: number): boolean => input.partitions[k]!.some((b) => b.atMs <= t && b.maxTs >= end + spec.boundMs);
    groups.forEach((g, gi) => {
      if (g.some(active) && g.every((k) => !active(k) || reached(k))) passed[gi] = true;
    });
    const blocked = groups.some((g, gi) => g.some(active) && !passed[gi]);
    if (!blocked && passed.some((x) => x)) return t;
  }
  return Number.POSITIVE_INFINITY;
}

/** A partition's batches in log order: append times never go back. */
const batchesArb = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 40 }), maxTs: fc.integer({ min: 0, max: 400 }) }), { maxLength: 8 })
  .map((bs) => {
    let at = 0;
    return bs.map((b): PartitionBatch => ({ atMs: (at += b.gap), maxTs: b.maxTs }));
  });

describe('readyTimes', () => {
  test.prop([
    fc.array(batchesArb, { minLength: 1, maxLength: 4 }),
    fc.array(fc.integer({ min: 0, max: 450 }), { minLength: 1, maxLength: 12 }),
    fc.record({ boundMs: fc.integer({ min: 0, max: 60 }), idleTimeoutMs: fc.integer({ min: 0, max: 80 }) }),
    fc.integer({ min: 0, max: 50 }),
    fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
    // Which source subtask reads each partition (-1: none listed), or no subtasks given at all.
    fc.option(fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 4, maxLength: 4 }), { nil: undefined }),
  ])('equals the definition, millisecond by millisecond, for every window end', (partitions, ends, spec, startMs, endOfInput, owners) => {
    const sources = owners === undefined ? undefined : [0, 1, 2].map((g) => partitions.map((_, k) => k).filter((k) => owners[k] === g));
    const input = { partitions, startMs, endOfInputMs: endOfInput ?? Number.POSITIVE_INFINITY, firstFaultMs: Number.POSITIVE_INFINITY, ...(sources ? { sources } : {}) };
    const got = readyTimes(ends, spec, { ...input, fires: [] });
    for (const end of ends) expect(got.get(end), `end ${end}`).toBe(readyByDefinition(end, spec, input));
  });
});

describe('checkTimeliness', () => {
  it('a window is ready when the last holding partition goes idle: 1,010 ms here', () => {
    expect(checkTimeliness(spec, { ...base, fires: [fire(1_200)] }).ok).toBe(true);
    const late = checkTimeliness(spec, { ...base, fires: [fire(1_300)] });
    expect(late.ok).toBe(false);
    expect(late.detail).toContain('key k window [1000,2000) fired on time at 1,300 ms, but the input let the watermark pass 1999 by 1,010 ms');
  });

  it('without idleness the silent partition holds it until the input ends', () => {
    const noIdle = { ...spec, idleTimeoutMs: 0 };
    expect(checkTimeliness(noIdle, { ...base, fires: [fire(9_000)] }).ok).toBe(true);
    expect(checkTimeliness(noIdle, { ...base, endOfInputMs: 5_000, fires: [fire(9_000)] }).ok).toBe(false);
  });

  it('a record that passes the bound makes a partition ready at once', () => {
    const busy = { ...base, partitions: [base.partitions[0]!, [{ atMs: 10, maxTs: 50 }, { atMs: 300, maxTs: 2_100 }]] };
    expect(checkTimeliness(spec, { ...busy, fires: [fire(650)] }).ok).toBe(true);
    expect(checkTimeliness(spec, { ...busy, fires: [fire(800)] }).ok).toBe(false);
  });

  it('with every partition idle the watermark stands still: ready when one delivers again, or at the end of input', () => {
    // Four partitions, silent from the start: all idle at 1,000 ms. Partition 1 then delivers a
    // record at 7,543 ms that does not pass the bound, and the input ends at 7,559 (seed 7,336 of a
    // heavy sweep, shrunk: the judge took the window for ready at 1,000 ms).
    const quiet: Omit<TimelinessInput, 'fires'> = {
      partitions: [[], [{ atMs: 7_543, maxTs: 7_700 }], [], []],
      startMs: 0,
      endOfInputMs: 7_559,
      firstFaultMs: Number.POSITIVE_INFINITY,
    };
    const at = (t: number) => ({ t, key: 'k', start: 7_000, end: 8_000 });
    expect(readyTimes([8_000], spec, { ...quiet, fires: [] }).get(8_000)).toBe(7_559);
    expect(checkTimeliness(spec, { ...quiet, fires: [at(7_563)] }).ok).toBe(true);
    // A partition that delivers again, having passed the bound before it went idle, is ready at that delivery.
    const again = { ...quiet, partitions: [[{ atMs: 100, maxTs: 8_200 }, { atMs: 5_000, maxTs: 8_300 }], [], [], []], endOfInputMs: 10_000 };
    expect(readyTimes([8_000], spec, { ...again, fires: [] }).get(8_000)).toBe(1_000);
    // Partition 1 holds until it goes idle at 1,050, while partition 0 (past the bound at 100) is
    // active until 1,100: ready at 1,050.
    const before = { ...again, partitions: [[{ atMs: 100, maxTs: 8_200 }, { atMs: 5_000, maxTs: 8_300 }], [{ atMs: 50, maxTs: 10 }], [], []] };
    expect(readyTimes([8_000], spec, { ...before, fires: [] }).get(8_000)).toBe(1_050);
    // Partition 1 holds until 1,500, and partition 0 went idle at 1,100: from 1,500 every partition
    // is idle, so the window waits for partition 0's next delivery, at 5,000.
    const later = { ...again, partitions: [[{ atMs: 100, maxTs: 8_200 }, { atMs: 5_000, maxTs: 8_300 }], [{ atMs: 500, maxTs: 10 }], [], []] };
    expect(readyTimes([8_000], spec, { ...later, fires: [] }).get(8_000)).toBe(5_000);
  });

  it("across source subtasks, the valve flushes the largest watermark when the last one goes idle", () => {
    // Subtask 0 reads partition 0, which passes the bound at 100 and then falls silent (idle at
    // 1,100); subtask 1 reads partition 1, which delivers at 600 without passing it (idle at 1,600).
    const two: Omit<TimelinessInput, 'fires'> = {
      partitions: [[{ atMs: 100, maxTs: 8_200 }], [{ atMs: 600, maxTs: 10 }]],
      sources: [[0], [1]],
      startMs: 0,
      endOfInputMs: 10_000,
      firstFaultMs: Number.POSITIVE_INFINITY,
    };
    // Subtask 0 passed at 100; subtask 1 holds until it goes idle at 1,600, when every subtask is
    // idle: the flush takes subtask 0's watermark, past 7,999.
    expect(readyTimes([8_000], spec, { ...two, fires: [] }).get(8_000)).toBe(1_600);
    // Read by one subtask, the same partitions wait for the end: with both idle nothing moves.
    expect(readyTimes([8_000], spec, { ...two, sources: [[0, 1]], fires: [] }).get(8_000)).toBe(10_000);
  });

  it("a window's deadline counts from its first record's arrival when that comes after the watermark could pass", () => {
    // Ready at 1,010 (see the first case); the window's only record reached the log at 3,000.
    const arrived = { ...base, firstArrival: () => 3_000 };
    expect(checkTimeliness(spec, { ...arrived, fires: [fire(3_150)] }).ok).toBe(true);
    const held = checkTimeliness(spec, { ...arrived, fires: [fire(3_300)] });
    expect(held.ok).toBe(false);
    expect(held.detail).toContain('by 1,010 ms (bound 100 ms, idle after 1000 ms) and its first record reached the log at 3,000 ms: held back 300 ms');
    // A record that arrives only after the first fault: the window's firing is the fault's to delay (seed 7,336, heavy).
    const r = checkTimeliness(spec, { ...base, firstArrival: () => 7_826, firstFaultMs: 7_601, fires: [fire(7_839)] });
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/^0 on-time firings judged/);
  });

  it('does not judge windows ready only after the first fault', () => {
    const r = checkTimeliness(spec, { ...base, firstFaultMs: 1_100, fires: [fire(5_000)] });
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/^0 on-time firings judged/);
  });

  it('end to end: sessions passes; with idle-not-chained the idle source holds the sessions back', () => {
    const settings = { scenario: 'sessions', seed: 1, events: 400, guarantee: 'exactly-once' as const, faults: 'none' as const };
    const good = runScenario({ ...settings, bugs: [] }).checks.find((c) => c.name === 'watermark.timeliness')!;
    expect(good.ok).toBe(true);
    expect(good.detail).toMatch(/^[1-9][\d,]* on-time firings judged/);
    const bad = runScenario({ ...settings, bugs: ['idle-not-chained'] }).checks.find((c) => c.name === 'watermark.timeliness')!;
    expect(bad.ok).toBe(false);
    expect(bad.detail).toMatch(/held back [\d,]+ ms/);
  });
});

describe('TimelinessTrace', () => {
  const ev = (seq: number, t: number, kind: string, fields: Record<string, unknown>): TraceEvent => ({ seq, t, p: 'tm-0', kind, ...fields });
  const win = { task: 'window[0]', attempt: 0, key: 'k19', start: 0, end: 1_000 };

  it('a first firing on a late record is not an on-time firing, nor, after a restore, an on-time firing of that window; other first firings are', () => {
    const trace = new TimelinessTrace('input', 1, new Set());
    trace.onEvent(ev(0, 1_310, 'window.fire', { ...win, key: 'k6', wm: 1_051, firing: 0 }));
    trace.onEvent(ev(1, 1_607, 'window.late', { ...win, id: 150, wm: 1_190 }));
    trace.onEvent(ev(2, 1_607, 'window.fire', { ...win, wm: 1_190, firing: 0 }));
    // The same window in the next attempt (after a restore, so after a fault) fires on time, when the
    // restored watermark lets the replayed record in on time: not an on-time firing held back.
    trace.onEvent(ev(3, 5_000, 'window.fire', { ...win, attempt: 1, wm: 1_190, firing: 0 }));
    // Another window of that attempt, which no late record joined, is judged.
    trace.onEvent(ev(4, 5_010, 'window.fire', { ...win, key: 'k7', attempt: 1, wm: 1_190, firing: 0 }));
    expect(trace.input([]).fires).toEqual([
      { t: 1_310, key: 'k6', start: 0, end: 1_000 },
      { t: 5_010, key: 'k7', start: 0, end: 1_000 },
    ]);
  });

  it('a window whose record was dropped past allowed lateness fires on time only after a restore: not judged; its neighbours are', () => {
    const trace = new TimelinessTrace('input', 1, new Set());
    trace.onEvent(ev(0, 3_347, 'record.late', { task: 'window[0]', attempt: 0, id: 330, key: 'k10', ts: 1_999, wm: 2_377 }));
    // After the restore the replayed record is on time and fires [1,000, 2,000) of k10.
    trace.onEvent(ev(1, 4_333, 'window.fire', { ...win, key: 'k10', start: 1_000, end: 2_000, attempt: 1, wm: 4_111, firing: 0 }));
    // The next window of the same key, another task's k10, and another key are judged.
    trace.onEvent(ev(2, 4_340, 'window.fire', { ...win, key: 'k10', start: 2_000, end: 3_000, attempt: 1, wm: 4_111, firing: 0 }));
    trace.onEvent(ev(3, 4_341, 'window.fire', { ...win, task: 'window[1]', key: 'k10', start: 1_000, end: 2_000, attempt: 1, wm: 4_111, firing: 0 }));
    trace.onEvent(ev(4, 4_342, 'window.fire', { ...win, key: 'k11', start: 1_000, end: 2_000, attempt: 1, wm: 4_111, firing: 0 }));
    expect(trace.input([]).fires).toEqual([
      { t: 4_340, key: 'k10', start: 2_000, end: 3_000 },
      { t: 4_341, key: 'k10', start: 1_000, end: 2_000 },
      { t: 4_342, key: 'k11', start: 1_000, end: 2_000 },
    ]);
  });

  it('a sliding window a late record was kept out of fires on time only after a restore: not judged; the record\'s other windows are', () => {
    const trace = new TimelinessTrace('input', 1, new Set());
    const w = { task: 'window[1]', key: 'k3', firing: 0 };
    // Attempt 0: the record at ts 118 came after [-1,500, 500) closed, and joined its later windows only.
    trace.onEvent(ev(0, 1_290, 'window.skip', { task: 'window[1]', attempt: 0, id: 118, key: 'k3', start: -1_500, end: 500, wm: 972 }));
    trace.onEvent(ev(1, 1_400, 'window.fire', { ...w, attempt: 0, start: -1_000, end: 1_000, wm: 1_050 }));
    // Attempt 1 replays from the start: [-1,500, 500) now holds the record and fires on time.
    trace.onEvent(ev(2, 7_524, 'window.fire', { ...w, attempt: 1, start: -1_500, end: 500, wm: 7_305 }));
    trace.onEvent(ev(3, 7_525, 'window.fire', { ...w, attempt: 1, start: -1_000, end: 1_000, wm: 7_305 }));
    expect(trace.input([]).fires).toEqual([
      { t: 1_400, key: 'k3', start: -1_000, end: 1_000 },
      { t: 7_525, key: 'k3', start: -1_000, end: 1_000 },
    ]);
  });

  it('a session fired in an attempt after the first is not judged; attempt 0\'s sessions and other windows of later attempts are', () => {
    const trace = new TimelinessTrace('input', 1, new Set(), true);
    const s = { task: 'sessions[1]', key: 'k1', firing: 0 };
    // Attempt 0: [88, 588) fires and is cleared; the record at 470 then makes [470, 970) of its own.
    trace.onEvent(ev(0, 867, 'window.fire', { ...s, attempt: 0, start: 88, end: 588, wm: 638 }));
    trace.onEvent(ev(1, 1_212, 'window.fire', { ...s, attempt: 0, start: 470, end: 970, wm: 986 }));
    // Attempt 1, restored from before the clean-up: the replayed 470 merges into [88, 970); a
    // session of the same bounds as in attempt 0, and another key's, fire again or anew. None is
    // judged: after the fault, the records form the sessions the replay's reading lets them form.
    trace.onEvent(ev(2, 4_702, 'window.fire', { ...s, attempt: 1, start: 88, end: 970, wm: 986 }));
    trace.onEvent(ev(3, 4_800, 'window.fire', { ...s, attempt: 1, start: 470, end: 970, wm: 1_900 }));
    trace.onEvent(ev(4, 4_801, 'window.fire', { ...s, key: 'k2', attempt: 2, start: 88, end: 970, wm: 986 }));
    expect(trace.input([]).fires).toEqual([
      { t: 867, key: 'k1', start: 88, end: 588 },
      { t: 1_212, key: 'k1', start: 470, end: 970 },
    ]);
    // Tumbling or sliding windows (no `sessions`): a later attempt's first firing is judged.
    const fixed = new TimelinessTrace('input', 1, new Set());
    fixed.onEvent(ev(0, 4_702, 'window.fire', { ...win, attempt: 1, wm: 1_190, firing: 0 }));
    expect(fixed.input([]).fires).toEqual([{ t: 4_702, key: 'k19', start: 0, end: 1_000 }]);
  });

  it('learns which partitions each source subtask reads from its fetches; a partition two sources read leaves them as one', () => {
    const trace = new TimelinessTrace('input', 4, new Set());
    trace.onEvent(ev(0, 100, 'source.fetch', { task: 'source[0]', attempt: 0, partition: 0, bound: 100, maxTs: 50 }));
    trace.onEvent(ev(1, 110, 'source.fetch', { task: 'source[1]', attempt: 0, partition: 1, bound: 100, maxTs: 60 }));
    trace.onEvent(ev(2, 120, 'source.fetch', { task: 'source[0]', attempt: 1, partition: 2, bound: 100, maxTs: 70 }));
    trace.onEvent(ev(3, 130, 'source.fetch', { task: 'source[0]', attempt: 1, partition: 0, bound: 100, maxTs: 80 }));
    expect(trace.input([]).sources).toEqual([[0, 2], [1]]);
    trace.onEvent(ev(4, 140, 'source.fetch', { task: 'other[0]', attempt: 0, partition: 1, bound: 100, maxTs: 90 }));
    expect(trace.input([]).sources).toBeUndefined();
  });

  it("knows when each window's first record reached the log: the k-th append of a partition is its k-th batch", () => {
    const trace = new TimelinessTrace('input', 2, new Set());
    trace.onEvent(ev(0, 100, 'log.append', { topic: 'input', partition: 0, baseOffset: 0, count: 2 }));
    trace.onEvent(ev(1, 150, 'log.append', { topic: 'input', partition: 1, baseOffset: 0, count: 1 }));
    trace.onEvent(ev(2, 180, 'log.append', { topic: 'output', partition: 0, baseOffset: 0, count: 1 }));
    trace.onEvent(ev(3, 400, 'log.append', { topic: 'input', partition: 0, baseOffset: 2, count: 1 }));
    const input = trace.input([
      { partition: 0, records: [{ key: 'a', ts: 1_500 }, { key: 'b', ts: 200 }] },
      { partition: 1, records: [{ key: 'a', ts: 900 }] },
      { partition: 0, records: [{ key: 'a', ts: 950 }] },
    ]);
    expect(input.partitions).toEqual([[{ atMs: 100, maxTs: 1_500 }, { atMs: 400, maxTs: 950 }], [{ atMs: 150, maxTs: 900 }]]);
    const first = input.firstArrival!;
    expect(first('a', 0, 1_000)).toBe(150);
    expect(first('a', 950, 1_000)).toBe(400);
    expect(first('a', 1_000, 2_000)).toBe(100);
    expect(first('b', 0, 1_000)).toBe(100);
    expect(first('b', 1_000, 2_000)).toBe(Number.POSITIVE_INFINITY);
    // A key no record has (a pipeline keyed by something else): not known, so the window is judged from ready(e).
    expect(first('c', 0, 1_000)).toBe(Number.NEGATIVE_INFINITY);
  });
});
