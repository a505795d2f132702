/**
 * What this proves: a failed check's detail leads to the step that shows
 * it — the event a `(seq N)` names, the second firing of a window
 * "committed twice", the first late decision about a record, the arrival of
 * a record no event names, or else the end of the run.
 *
 * How: hand-written verdicts over a recorded trace (the oracle is the
 * trace itself: the chosen event must carry the named seq, key, window or
 * record), and the real verdict of an at-least-once crash run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TraceIndex } from '../../../src/tui/model/trace-index.ts';
import { locateViolations } from '../../../src/tui/model/violations.ts';
import { CRASH_ALO, recording, replayOf, WORDCOUNT } from '../helpers.ts';
import type { Recording } from '../../../src/tui/recording.ts';

let rec: Recording;
let index: TraceIndex;

beforeAll(async () => {
  rec = await recording(WORDCOUNT);
  index = new TraceIndex(rec.events);
});

const failed = (detail: string) => [{ name: 'x', ok: false, detail }];

describe('locateViolations', () => {
  it('ignores checks that passed', () => {
    expect(locateViolations([{ name: 'x', ok: true, detail: '(seq 5)' }], index)).toEqual([]);
  });

  it('goes to the event a detail names by seq', () => {
    const [v] = locateViolations(failed('task window[0] attempt 0 output: watermark went back (seq 1234)'), index);
    expect(index.events[v!.index]!.seq).toBe(1234);
  });

  it('goes to the first late decision about a named record', () => {
    const late = index.events[index.positions('record.late')[0]!]!;
    const [v] = locateViolations(failed(`record ${late.id as number} (key k, ts 1) is in the late output twice`), index);
    expect(index.events[v!.index]).toBe(late);
  });

  it('goes to the arrival of a record no event names, when the input is known', () => {
    const [v] = locateViolations(failed('record 100000 (key k4, ts 999) is in no result (lost)'), index, (id) => (id === 100000 ? 1500 : undefined));
    expect(index.events[v!.index]!.t).toBeLessThanOrEqual(1500);
    expect(index.events[v!.index + 1]!.t).toBeGreaterThan(1500);
    expect(v!.why).toMatch(/written to the input log at 1500 ms/);
  });

  it('falls back to the end of the run', () => {
    const [v] = locateViolations(failed('something else entirely'), index);
    expect(v!.index).toBe(index.length - 1);
  });

  it('shows an at-least-once duplicate at the firing that wrote the window again', async () => {
    const replay = await replayOf(CRASH_ALO);
    expect(replay.violations.map((v) => v.check)).toContain('exactly-once');
    const v = replay.violations.find((x) => x.check === 'exactly-once')!;
    const m = /key (\S+) window \[(\d+),(\d+)\) firing (\d+) was committed twice/.exec(v.detail)!;
    expect(m).not.toBeNull();
    const e = replay.index.events[v.index]!;
    expect(e).toMatchObject({ kind: 'window.fire', key: m[1], start: Number(m[2]), end: Number(m[3]), firing: Number(m[4]) });
    expect(e.attempt).toBe(1);
  });
});
