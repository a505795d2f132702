/**
 * The exactly-once window oracle can pass and can fail. Each case builds the
 * committed output of a run: a correct one (from the batch reference, or a
 * hand-made run with late firings and late records), then plants one
 * realistic mistake — an at-least-once replay committing a result twice, a
 * lost record, a record both in a window and in the late output, a wrong
 * aggregate, a sliding window missing a record it must hold, a record sent
 * to the late output while its window was open — and asserts the verdict
 * fails and names the record or window.
 */
import { describe, expect, it } from 'vitest';
import { checkExactlyOnceWindows, type WindowSpec } from '../../src/check/index.ts';
import type { LateRecord } from '../../src/stream/records.ts';
import { session, sliding, tumbling } from '../../src/stream/assigners.ts';
import { rec, result, resultsFromReference } from './helpers.ts';

const TUMBLING: WindowSpec = { assigner: tumbling(1000), aggregate: 'sum', allowedLatenessMs: 500 };
const SLIDING: WindowSpec = { assigner: sliding(3000, 1000), aggregate: 'count', allowedLatenessMs: 0 };
const SESSION: WindowSpec = { assigner: session(100), aggregate: 'count', allowedLatenessMs: 0 };

const input = [
  rec(0, 10, 'a', 5), rec(1, 990, 'a', 7), rec(2, 1500, 'a', 1), rec(3, 20, 'b', 2), rec(4, 2999, 'b', 4), rec(5, 400, 'a', 3),
];
const late = (id: number, watermark: number): LateRecord => ({ type: 'late', id, key: input[id]!.key, ts: input[id]!.ts, watermark, record: input[id] });

describe('checkExactlyOnceWindows', () => {
  it('passes a run equal to the reference, with a one-line summary', () => {
    const v = checkExactlyOnceWindows(input, resultsFromReference(input, TUMBLING), [], TUMBLING, { canBeLate: false });
    expect(v).toEqual({ name: 'exactly-once', ok: true, detail: '6 records accounted for in 4 results (0 of them updates to an earlier result), 0 late' });
  });

  it('passes late firings and late records', () => {
    // Record 5 came after [0,1000) fired on time (late firing 1); record 4 came after everything closed.
    const results = [
      result('a', 0, 1000, [0, 1], 12), result('b', 0, 1000, [3], 2), result('a', 1000, 2000, [2], 1),
      result('a', 0, 1000, [0, 1, 5], 15, 1),
    ];
    const v = checkExactlyOnceWindows(input, results, [late(4, 3499)], TUMBLING, { canBeLate: true });
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toContain('(1 of them updates to an earlier result), 1 late');
  });

  it('fails a result committed twice (at-least-once replay)', () => {
    const results = resultsFromReference(input, TUMBLING);
    results.push({ ...results[1]! });
    const v = checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true });
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('result key a window [1000,2000) firing 0 was committed twice');
  });

  it('fails a lost record, even where records may be late', () => {
    const results = resultsFromReference(input, TUMBLING).map((r) =>
      r.key === 'a' && r.start === 0 ? result('a', 0, 1000, [0, 5], 8) : r);
    const v = checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true });
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('record 1 (key a, ts 990) is in no result and not in the late output (lost)');
  });

  it('counts a pending record (its window not yet closed when the job ended) as pending, not lost; any other stays lost', () => {
    // Record 2 was taken into [1000,2000) after a restart and no later record closed the window.
    const results = resultsFromReference(input, TUMBLING).filter((r) => !(r.key === 'a' && r.start === 1000));
    const v = checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true, pending: new Set([2]) });
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toContain('1 pending');
    const lost = checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true, pending: new Set([1]) });
    expect(lost.detail).toBe('record 2 (key a, ts 1500) is in no result and not in the late output (lost)');
  });

  it('counts the records a window left out when it started afresh over a value its store hid (a judged reset), not lost; nothing else', () => {
    // Window a [0,1000) fired with records 0, 1 and 5; after a restore its store hid that value and
    // the window started afresh with record 5 alone (firing 2).
    const results = [
      result('a', 0, 1000, [0, 1], 12), result('a', 0, 1000, [0, 1, 5], 15, 1), result('b', 0, 1000, [3], 2),
      result('a', 1000, 2000, [2], 1), result('b', 2000, 3000, [4], 4), result('a', 0, 1000, [5], 3, 2),
    ];
    const reset = { key: 'a', start: 0, end: 1000, firing: 2, ids: [0, 1, 5] };
    const v = checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true, resets: [reset] });
    expect(v.ok, v.detail).toBe(true);
    expect(v.detail).toContain('2 left out of a window its store\'s retention made start afresh');
    // Without the reset: records 0 and 1 are lost, and the firings do not accumulate.
    const plain = checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true });
    expect(plain.detail).toBe('record 0 is in result key a window [0,1000) firing 1 but not in firing 2 (and 2 more problems)');
    // A reset of another window excuses nothing here; nor does one at a firing after the drop.
    expect(checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true, resets: [{ ...reset, key: 'b' }] }).ok).toBe(false);
    expect(checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true, resets: [{ ...reset, firing: 3 }] }).ok).toBe(false);
  });

  it('a reset of a sliding window excuses only that window: the record must still be in its later-closing ones', () => {
    // Record 2 (ts 1500) belongs to three windows of its key; the middle one, [0,3000), started afresh without it.
    const results = resultsFromReference(input, SLIDING).map((r) => (r.key === 'a' && r.start === 0 ? { ...r, ids: r.ids.filter((id) => id !== 2), value: r.value - 1 } : r));
    const withReset = (rs: typeof results) => checkExactlyOnceWindows(input, rs, [], SLIDING, { canBeLate: true, resets: [{ key: 'a', start: 0, end: 3000, firing: 0, ids: [2] }] });
    expect(withReset(results).ok, withReset(results).detail).toBe(true);
    // Missing from its last-closing window too: lost, reset or not.
    const gone = results.filter((r) => !(r.key === 'a' && r.start === 1000));
    expect(withReset(gone).detail).toContain('record 2 (key a, ts 1500) is missing from the final result of its last-closing window [1000,4000) (lost)');
  });

  it('fails a record both in a window and in the late output', () => {
    const v = checkExactlyOnceWindows(input, resultsFromReference(input, TUMBLING), [late(2, 3000)], TUMBLING, { canBeLate: true });
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('record 2 (key a, ts 1500) is both in the late output and in result key a window [1000,2000) firing 0');
  });

  it('fails a record in the late output twice, or sent there while its window was open', () => {
    const results = resultsFromReference(input, TUMBLING).filter((r) => r.key !== 'a' || r.start !== 1000);
    const twice = checkExactlyOnceWindows(input, results, [late(2, 3000), late(2, 3000)], TUMBLING, { canBeLate: true });
    expect(twice.detail).toBe('record 2 is in the late output twice');
    // Window [1000,2000) with 500 ms lateness accepts records until watermark 2498.
    const early = checkExactlyOnceWindows(input, results, [late(2, 2498)], TUMBLING, { canBeLate: true });
    expect(early.ok).toBe(false);
    expect(early.detail).toContain('went to the late output at watermark 2498, but window [1000,2000) was on time until watermark 2498');
    expect(checkExactlyOnceWindows(input, results, [late(2, 2499)], TUMBLING, { canBeLate: true }).ok).toBe(true);
  });

  it('fails a wrong aggregate value', () => {
    const results = resultsFromReference(input, TUMBLING);
    results[0] = { ...results[0]!, value: results[0]!.value + 1 };
    const v = checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true });
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('result key a window [0,1000) firing 0 has value 16, but its 3 records give sum 15');
  });

  it('fails results that lie about their records', () => {
    const check = (ids: number[], start = 0): string =>
      checkExactlyOnceWindows(input, [result('a', start, start + 1000, ids, 0)], [], { ...TUMBLING, aggregate: 'count' }, { canBeLate: true }).detail;
    expect(check([0, 0])).toMatch(/^result key a window \[0,1000\) firing 0 contains record 0 twice/);
    expect(check([1, 0])).toMatch(/ids are not ascending at record 0/);
    expect(check([0, 3])).toMatch(/contains record 3 of key b/);
    expect(check([2])).toMatch(/contains record 2 with ts 1500, which does not belong to that window/);
    expect(check([0, 77])).toMatch(/contains record 77, which is not in the input/);
    expect(check([])).toMatch(/is empty/);
  });

  it('fails a late firing that lost a record of an earlier firing', () => {
    const results = [
      ...resultsFromReference(input, TUMBLING).filter((r) => r.key !== 'a' || r.start !== 0),
      result('a', 0, 1000, [0, 1], 12), result('a', 0, 1000, [0, 5], 8, 1),
    ];
    const v = checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true });
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^record 1 is in result key a window \[0,1000\) firing 0 but not in firing 1/);
  });

  it('when nothing can be late, fails a late record even if it is accounted for', () => {
    const results = resultsFromReference(input, TUMBLING).filter((r) => r.key !== 'b' || r.start !== 2000);
    expect(checkExactlyOnceWindows(input, results, [late(4, 5000)], TUMBLING, { canBeLate: true }).ok).toBe(true);
    const v = checkExactlyOnceWindows(input, results, [late(4, 5000)], TUMBLING, { canBeLate: false });
    expect(v.detail).toBe('record 4 is in the late output, but the workload has no late records (and 1 more problem)');
  });
});

/**
 * The `at-least-once` verdict (`atLeastOnce`): the same accounting, failing only on a loss. What a
 * replay makes — a result committed twice, records counted more than once, a record late in one
 * attempt and counted in another, a replayed attempt's firing without what a failed one's held —
 * is counted, not failed; a window holds a record when any of its results does; a record no result
 * of a window it must be in holds, and not late, still fails it.
 */
describe('checkExactlyOnceWindows, at least once', () => {
  const ALO = { canBeLate: true, atLeastOnce: true } as const;

  it('passes what a replay makes, and counts it', () => {
    const results = resultsFromReference(input, TUMBLING);
    // Committed twice, and counted twice: [0,1000) of a again with value 20 (record 5 counted twice).
    results.push({ ...results[1]! }, { ...results[0]!, value: 20 });
    const v = checkExactlyOnceWindows(input, results, [late(2, 3000), late(2, 3000)], TUMBLING, ALO);
    expect(checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true }).ok).toBe(false);
    expect(v).toEqual({
      name: 'at-least-once', ok: true,
      detail: '6 records accounted for in 4 results (0 of them updates to an earlier result), 1 late; none lost, 5 problems of replayed records (counted more than once, committed twice), as at-least-once allows',
    });
    expect(checkExactlyOnceWindows(input, resultsFromReference(input, TUMBLING), [], TUMBLING, ALO).detail).toMatch(/none lost, nothing counted twice$/);
  });

  it('holds a record in a window when any of its results does: a stale result committed after a newer one loses nothing', () => {
    // The replay fired [0,1000) of a with record 1, then the failed attempt's zombie committed its older firing without it.
    const results = [...resultsFromReference(input, TUMBLING).filter((r) => r.key !== 'a' || r.start !== 0), result('a', 0, 1000, [0, 1, 5], 15), result('a', 0, 1000, [0, 5], 8)];
    expect(checkExactlyOnceWindows(input, results, [], TUMBLING, { canBeLate: true }).ok).toBe(false);
    const v = checkExactlyOnceWindows(input, results, [], TUMBLING, ALO);
    expect(v.ok, v.detail).toBe(true);
    // Without the result that held record 1, it is lost.
    const lost = checkExactlyOnceWindows(input, results.filter((r) => r.value !== 15), [], TUMBLING, ALO);
    expect(lost.detail).toBe('record 1 (key a, ts 990) is in no result and not in the late output (lost)');
  });

  it('asks of a sliding record its last-closing window; a hole before it is a replay\'s', () => {
    const results = resultsFromReference(input, SLIDING);
    // Record 2 (ts 1500) belongs to [-1000,2000), [0,3000), [1000,4000): drop it from the middle one, then the last one's result.
    const without = (start: number) => results.map((r) => (r.key === 'a' && r.start === start ? { ...r, ids: r.ids.filter((id) => id !== 2), value: r.value - 1 } : r));
    expect(checkExactlyOnceWindows(input, without(0), [], SLIDING, { canBeLate: true }).detail).toMatch(/^record 2 \(key a, ts 1500\) is in window \[-1000,2000\) but missing from the later-closing window \[0,3000\) \(lost\)/);
    expect(checkExactlyOnceWindows(input, without(0), [], SLIDING, ALO).ok).toBe(true);
    // [1000,4000) of a holds record 2 alone: without it, the window has no result.
    const v = checkExactlyOnceWindows(input, results.filter((r) => r.key !== 'a' || r.start !== 1000), [], SLIDING, ALO);
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^record 2 \(key a, ts 1500\) is missing from the final result of its last-closing window \[1000,4000\) \(lost\)/);
  });

  it('fails a lost record, and a record in no result at all', () => {
    const results = resultsFromReference(input, TUMBLING).map((r) => (r.key === 'a' && r.start === 0 ? result('a', 0, 1000, [0, 5], 8) : r));
    const v = checkExactlyOnceWindows(input, results, [], TUMBLING, ALO);
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('record 1 (key a, ts 990) is in no result and not in the late output (lost)');
    // A record late too early is not excused either: it was dropped from a window still open.
    const early = checkExactlyOnceWindows(input, resultsFromReference(input, TUMBLING).filter((r) => r.key !== 'a' || r.start !== 1000), [late(2, 2498)], TUMBLING, ALO);
    expect(early.ok).toBe(false);
  });
});

describe('checkExactlyOnceWindows, sliding', () => {
  // Record 0 at ts 2400 belongs to [0,3000), [1000,4000), [2000,5000), closing in that order.
  const one = [rec(0, 2400)];
  it('passes a record that joined only its still-open windows (a suffix)', () => {
    const results = [result('a', 1000, 4000, [0], 1), result('a', 2000, 5000, [0], 1)];
    expect(checkExactlyOnceWindows(one, results, [], SLIDING, { canBeLate: true }).ok).toBe(true);
  });
  it('fails a record missing from its last-closing window', () => {
    const v = checkExactlyOnceWindows(one, [result('a', 0, 3000, [0], 1), result('a', 1000, 4000, [0], 1)], [], SLIDING, { canBeLate: true });
    expect(v.detail).toBe('record 0 (key a, ts 2400) is missing from the final result of its last-closing window [2000,5000) (lost)');
  });
  it('fails a record that skipped a window between two it joined', () => {
    const v = checkExactlyOnceWindows(one, [result('a', 0, 3000, [0], 1), result('a', 2000, 5000, [0], 1)], [], SLIDING, { canBeLate: true });
    expect(v.detail).toBe('record 0 (key a, ts 2400) is in window [0,3000) but missing from the later-closing window [1000,4000) (lost)');
  });
});

describe('checkExactlyOnceWindows, sessions', () => {
  const clicks = [rec(0, 0), rec(1, 50), rec(2, 150), rec(3, 400)];
  it('treats a session re-emitted after a merge as superseding the smaller one', () => {
    // [0,150) fired; then record 2 (ts 150) touched it: the merged [0,250) replaces it.
    const results = [result('a', 0, 150, [0, 1], 2), result('a', 400, 500, [3], 1), result('a', 0, 250, [0, 1, 2], 3)];
    expect(checkExactlyOnceWindows(clicks, results, [], SESSION, { canBeLate: false }).ok).toBe(true);
  });
  it('keeps an overlapping session that does not hold the smaller one\'s records as a separate session', () => {
    const results = [result('a', 0, 150, [0, 1], 2), result('a', 40, 250, [2], 1), result('a', 400, 500, [3], 1)];
    const v = checkExactlyOnceWindows(clicks, results, [], SESSION, { canBeLate: true });
    expect(v.detail).toMatch(/result key a window \[40,250\) firing 0 is not the session of its records: expected \[150,250\)/);
  });
  it('fails a record counted in two final sessions', () => {
    const results = [result('a', 0, 150, [0, 1], 2), result('a', 50, 250, [1, 2], 2), result('a', 400, 500, [3], 1)];
    const v = checkExactlyOnceWindows(clicks, results, [], SESSION, { canBeLate: true });
    expect(v.ok).toBe(false);
    expect(v.detail).toBe('record 1 (key a, ts 50) is in 2 final sessions of its key (twice)');
  });
  it('fails a session that differs from the reference when nothing can be late', () => {
    const results = [result('a', 0, 150, [0, 1], 2), result('a', 150, 250, [2], 1), result('a', 400, 500, [3], 1)];
    const v = checkExactlyOnceWindows(clicks, results, [], SESSION, { canBeLate: false });
    expect(v.detail).toBe('key a window [0,250) of the reference (3 records) has no final result (and 2 more problems)');
  });
});
