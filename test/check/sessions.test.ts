/**
 * The session-structure judge (`session.structure`).
 *
 * Unit tests on hand-made inputs prove: sessions built as Flink builds them
 * pass (touching records — exactly one gap apart — belong together); a
 * session split into two pieces that touch or overlap fails, naming both and
 * the records that tie them; the split passes when one piece had been cleaned
 * up (watermark at or past its `end - 1 + lateness`) before the other's
 * nearby records arrived, and fails one millisecond before that; a piece lost
 * in a restart from no state excuses it too, but not when its records were
 * processed again in that attempt; wrong bounds and a session holding two
 * groups more than a gap apart fail; a session superseded by a later, bigger
 * firing is not judged against it.
 *
 * Properties (fast-check, pinned seed), over random timestamps of one key and
 * a random gap: (1) the batch sessionization of the timestamps (sort, cut
 * where the next one is more than a gap after the previous), every record
 * arriving on time, passes; (2) cutting any one of those sessions in two
 * between any two neighbours fails (unless both pieces get the same bounds,
 * which the output cannot tell from one window committed twice); (3) the
 * same cut passes when every
 * record of the right piece arrived at the left piece's cleanup watermark,
 * and fails when they arrived one millisecond earlier.
 *
 * End to end: the planted bug `session-merge-off-by-one` (touching windows
 * not merged) fails `session.structure` on sessions seed 2 with no faults,
 * and no other check notices; the same seed passes without the bug.
 */
import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { checkSessionStructure, type SessionArrival } from '../../src/check/sessions.ts';
import { session } from '../../src/stream/assigners.ts';
import type { InputRecord, WindowResult } from '../../src/stream/records.ts';
import type { WindowSpec } from '../../src/check/types.ts';
import { run, failed } from '../explore/helpers.ts';

const GAP = 500;
const LATENESS = 300;
const spec: WindowSpec = { assigner: session(GAP), aggregate: 'count', allowedLatenessMs: LATENESS };

/** Records of key `k` at the given timestamps, ids 0, 1, 2, … */
function records(tss: number[], key = 'k'): InputRecord[] {
  return tss.map((ts, id) => ({ id, ts, key, value: 1 }));
}

/** A committed session of `ids` (its bounds as given, or the right ones). */
function result(input: InputRecord[], ids: number[], opts: { firing?: number; start?: number; end?: number } = {}): WindowResult {
  const tss = ids.map((id) => input[id]!.ts);
  const start = opts.start ?? Math.min(...tss);
  const end = opts.end ?? Math.max(...tss) + GAP;
  return { type: 'window', key: input[ids[0]!]!.key, start, end, value: ids.length, firing: opts.firing ?? 0, ids: [...ids].sort((a, b) => a - b), ts: end - 1 };
}

/** Every record arrived at watermark `ts - 51` (on time) in attempt 0, unless `wm` says otherwise. */
function arrivals(input: InputRecord[], wm: Record<number, number> = {}, more: Partial<SessionArrival> = {}): Map<number, SessionArrival> {
  return new Map(input.map((r) => [r.id, { wm: wm[r.id] ?? r.ts - 51, attempt: 0, freshStart: true, ...more }]));
}

describe('checkSessionStructure', () => {
  // 0, 300, 800 (300 apart, then exactly one gap), then 1301 (501 after 800: a new session).
  const input = records([0, 300, 800, 1_301]);

  it('passes Flink\'s sessions: records exactly one gap apart are one session', () => {
    const r = checkSessionStructure(input, [result(input, [0, 1, 2]), result(input, [3])], spec, arrivals(input));
    expect(r).toEqual({
      name: 'session.structure',
      ok: true,
      detail: '2 final sessions of 1 key, each one group of records at most 500 ms apart with bounds [min ts, max ts + 500); no two of a key touch or overlap',
    });
  });

  it('fails two touching sessions that should have merged, naming the records that tie them', () => {
    const r = checkSessionStructure(input, [result(input, [0, 1]), result(input, [2]), result(input, [3])], spec, arrivals(input));
    expect(r.ok).toBe(false);
    expect(r.detail).toBe(
      'key k session [0,800) and [800,1300) should be one session: record 1 (ts 300) and record 2 (ts 800) are 500 ms apart, at most the gap of 500 ms, ' +
        'and neither was gone before the other\'s records arrived (record 2 arrived at watermark 749 in attempt 0, before [0,800) was cleaned up at watermark 1099; ' +
        'record 1 arrived at watermark 249 in attempt 0, before [800,1300) was cleaned up at watermark 1599)',
    );
  });

  it('passes the split when one session had been cleaned up before the other\'s nearby records arrived, not a millisecond earlier', () => {
    const split = [result(input, [0, 1]), result(input, [2]), result(input, [3])];
    // [0,800) is cleaned up at watermark 799 + 300 = 1099; record 2 (ts 800) arrives then: a straggler starts a new session.
    const ok = checkSessionStructure(input, split, spec, arrivals(input, { 2: 1_099 }));
    expect(ok.ok).toBe(true);
    expect(ok.detail).toContain('1 pair of a key that touch or overlap, each because one was gone (cleaned up, or lost in a restart from no state) before the other\'s records arrived');
    const bad = checkSessionStructure(input, split, spec, arrivals(input, { 2: 1_098 }));
    expect(bad.ok).toBe(false);
    expect(bad.detail).toContain('record 2 arrived at watermark 1098 in attempt 0, before [0,800) was cleaned up at watermark 1099');
  });

  it('passes overlapping sessions when the later one formed after the earlier was cleaned up (a late record reaching back)', () => {
    // [0,500) fired and was cleaned up at 799; then 400 (late) and 800 arrive: [400,1300) overlaps it.
    const late = records([0, 400, 800]);
    const results = [result(late, [0]), result(late, [1, 2])];
    expect(checkSessionStructure(late, results, spec, arrivals(late, { 1: 850, 2: 820 })).ok).toBe(true);
    // Only the records within a gap of the other session must have come after its cleanup: 800 is 800 from 0.
    expect(checkSessionStructure(late, results, spec, arrivals(late, { 1: 850, 2: 100 })).ok).toBe(true);
    expect(checkSessionStructure(late, results, spec, arrivals(late, { 1: 798, 2: 820 })).ok).toBe(false);
    // A record in both sessions is never excused.
    const both = checkSessionStructure(late, [result(late, [0, 1]), result(late, [1, 2])], spec, arrivals(late, { 1: 850, 2: 820 }));
    expect(both.ok).toBe(false);
    expect(both.detail).toContain('record 1 (ts 400) is in both');
  });

  it('a session lost in a restart from no state excuses the split, unless its records were processed again', () => {
    const split = [result(input, [0, 1]), result(input, [2]), result(input, [3])];
    const lost = new Map(arrivals(input));
    lost.set(2, { wm: Number.MIN_SAFE_INTEGER, attempt: 1, freshStart: true });
    expect(checkSessionStructure(input, split, spec, lost).ok).toBe(true);
    lost.set(2, { wm: Number.MIN_SAFE_INTEGER, attempt: 1, freshStart: false });
    const restored = checkSessionStructure(input, split, spec, lost);
    expect(restored.ok).toBe(false);
    expect(restored.detail).toContain('record 2 arrived at watermark -inf in attempt 1');
    lost.set(2, { wm: Number.MIN_SAFE_INTEGER, attempt: 1, freshStart: true });
    lost.set(1, { wm: 700, attempt: 1, freshStart: true });
    expect(checkSessionStructure(input, split, spec, lost).ok).toBe(false);
  });

  it('a record with no traced arrival never excuses a split', () => {
    const split = [result(input, [0, 1]), result(input, [2]), result(input, [3])];
    const none = new Map<number, SessionArrival>();
    const r = checkSessionStructure(input, split, spec, none);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('record 2 has no traced arrival');
  });

  it('fails bounds that are not [min ts, max ts + gap)', () => {
    const r = checkSessionStructure(input, [result(input, [0, 1, 2], { end: 1_299 }), result(input, [3])], spec, arrivals(input));
    expect(r.ok).toBe(false);
    expect(r.detail).toBe('key k session [0,1299) holds 3 records with timestamps 0 … 800: its bounds should be [0,1300)');
  });

  it('fails a session holding two groups more than a gap apart', () => {
    const r = checkSessionStructure(input, [result(input, [0, 1, 2, 3])], spec, arrivals(input));
    expect(r.ok).toBe(false);
    expect(r.detail).toBe('key k session [0,1801) holds two sessions: record 2 (ts 800) and record 3 (ts 1301) are 501 ms apart, more than the gap of 500 ms, with no record between them');
  });

  it('judges final sessions only: a firing superseded by a later, bigger session is not split from it', () => {
    const results = [result(input, [0, 1]), result(input, [0, 1, 2]), result(input, [3])];
    expect(checkSessionStructure(input, results, spec, arrivals(input)).ok).toBe(true);
    // Emitted the other way round, the smaller one is final too, and the two overlap.
    expect(checkSessionStructure(input, [results[1]!, results[0]!, results[2]!], spec, arrivals(input)).ok).toBe(false);
  });

  it('keys are judged apart: touching sessions of two keys are fine', () => {
    const two = [...records([0], 'a'), { id: 1, ts: 500, key: 'b', value: 1 }];
    expect(checkSessionStructure(two, [result(two, [0]), result(two, [1])], spec, arrivals(two)).ok).toBe(true);
  });
});

/** Batch sessions of sorted timestamps: groups of neighbours at most `gap` apart, as index ranges. */
function groups(tss: number[], gap: number): number[][] {
  const out: number[][] = [];
  tss.forEach((ts, i) => {
    const last = out[out.length - 1];
    if (last && ts - tss[last[last.length - 1]!]! <= gap) last.push(i);
    else out.push([i]);
  });
  return out;
}

describe('checkSessionStructure properties', () => {
  const cases = fc
    .record({
      tss: fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 2, maxLength: 40 }),
      gap: fc.integer({ min: 1, max: 2_000 }),
      pick: fc.nat(),
      cut: fc.nat(),
    })
    .map(({ tss, gap, pick, cut }) => ({ tss: [...tss].sort((a, b) => a - b), gap, pick, cut }));

  const specOf = (gap: number): WindowSpec => ({ assigner: session(gap), aggregate: 'count', allowedLatenessMs: LATENESS });
  const sessionOf = (input: InputRecord[], ids: number[], gap: number): WindowResult => {
    const start = input[ids[0]!]!.ts;
    const end = input[ids[ids.length - 1]!]!.ts + gap;
    return { type: 'window', key: 'k', start, end, value: ids.length, firing: 0, ids, ts: end - 1 };
  };

  test.prop([cases])('batch sessions pass; any cut of one fails; the cut passes only once the left piece was cleaned up', ({ tss, gap, pick, cut }) => {
    const input = records(tss);
    const onTime = new Map(input.map((r) => [r.id, { wm: r.ts - gap - LATENESS, attempt: 0, freshStart: true }]));
    const gs = groups(tss, gap);
    const all = gs.map((g) => sessionOf(input, g, gap));
    expect(checkSessionStructure(input, all, specOf(gap), onTime).ok).toBe(true);

    const multi = gs.filter((g) => g.length > 1);
    if (multi.length === 0) return;
    const g = multi[pick % multi.length]!;
    const at = 1 + (cut % (g.length - 1));
    const left = sessionOf(input, g.slice(0, at), gap);
    const right = sessionOf(input, g.slice(at), gap);
    // Two pieces with the same bounds (all timestamps equal) are one window to the output: exactly-once reports the repeat.
    if (left.start === right.start && left.end === right.end) return;
    const split = [...all.filter((s) => s.ids[0] !== g[0]), left, right];
    expect(checkSessionStructure(input, split, specOf(gap), onTime).ok).toBe(false);

    const cleanup = left.end - 1 + LATENESS;
    const after = new Map(onTime);
    for (const id of g.slice(at)) after.set(id, { wm: cleanup, attempt: 0, freshStart: true });
    expect(checkSessionStructure(input, split, specOf(gap), after).ok).toBe(true);
    for (const id of g.slice(at)) after.set(id, { wm: cleanup - 1, attempt: 0, freshStart: true });
    expect(checkSessionStructure(input, split, specOf(gap), after).ok).toBe(false);
  });
});

describe('session.structure end to end', () => {
  it('catches session-merge-off-by-one on sessions seed 2 where no other check does; the seed passes without it', () => {
    const bad = run({ scenario: 'sessions', seed: 2, bugs: ['session-merge-off-by-one'] });
    expect(failed(bad).map((f) => f.split(':')[0])).toEqual(['session.structure']);
    expect(bad.checks.find((c) => c.name === 'session.structure')!.detail).toMatch(/^key k3 session \[5671,6773\) and \[6773,7980\) should be one session: .* are 500 ms apart/);
    const good = run({ scenario: 'sessions', seed: 2 });
    expect(failed(good)).toEqual([]);
    expect(good.checks.find((c) => c.name === 'session.structure')!.detail).toMatch(/^[1-9][\d,]* final sessions of 30 keys/);
  });
});
