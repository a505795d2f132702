/**
 * What this proves: session windows merge end to end exactly as the worked
 * examples of SEMANTICS.md (window-assignment examples, from Flink's
 * EventTimeSessionWindows and TimeWindow.mergeWindows) say: events at 0,
 * 1000 and 2500 with gap 3000 make one session [0, 5500); events at 0 and
 * 3000 touch ([0,3000) and [3000,6000) intersect in Flink) and make one
 * session [0, 6000); and, beyond the examples, a one-millisecond gap keeps
 * two sessions, merging does not depend on arrival order, an event between
 * two sessions bridges them, and a late event within the allowed lateness
 * bridges two sessions that already fired.
 *
 * How: each example is a script played by a scripted source into keyBy →
 * session window → count → two-phase-commit sink; the committed sessions
 * (key, start, end, count, firing, contributing ids) are compared exactly,
 * and the standard checkers judge every run.
 *
 * Teeth: an engine that merged only overlapping (not touching) windows —
 * the planted bug `session-merge-off-by-one` — gives two sessions for
 * [0, 3000], which only `session.structure` fails; the planted bug `session-merge-loses-side`
 * (the state of one of two merged sessions discarded) gives a bridged
 * session of count 2 instead of 3.
 */
import { describe, expect, it } from 'vitest';
import { session } from '../../../../src/stream/assigners.ts';
import { countAggregate } from '../../../../src/engines/flink/operators/aggregates.ts';
import { script, type Script } from '../../../../src/engines/flink/script.ts';
import { sinkWindowResults } from '../../../../scenarios/types.ts';
import { runScripted, type ScriptedPipeline } from './helpers.ts';

const GAP_MS = 3_000;

function sessions(name: string, s: Script, latenessMs = 0): ScriptedPipeline {
  return {
    name,
    script: s,
    window: { assigner: session(GAP_MS), aggregate: 'count', allowedLatenessMs: latenessMs },
    build(source, _env, sizes) {
      const counts = source.keyBy((r) => r.key).window(session(GAP_MS)).allowedLateness(latenessMs).sideOutputLateData('late').aggregate(countAggregate, 'sessions', sizes.parallelism);
      sinkWindowResults(counts, sizes.parallelism);
    },
  };
}

const at = (...ts: number[]): Script => script().add(...ts.map((t) => ({ key: 'u', ts: t }))).advanceWatermarkToInfinity();

describe('session merging, through the whole engine (SEMANTICS.md examples)', () => {
  it('[0, 1000, 2500] with gap 3000 is one session [0, 5500)', () => {
    const r = runScripted(sessions('session-merge', at(0, 1_000, 2_500)));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual([{ key: 'u', start: 0, end: 5_500, value: 3, firing: 0, ids: [0, 1, 2] }]);
    expect(r.output.find((o) => o.type === 'window')?.ts).toBe(5_499);
  });

  it('[0, 3000] touch and merge into [0, 6000); [0, 3001] stay two sessions', () => {
    const touching = runScripted(sessions('session-touch', at(0, 3_000)));
    expect(touching.failed).toEqual([]);
    expect(touching.results).toEqual([{ key: 'u', start: 0, end: 6_000, value: 2, firing: 0, ids: [0, 1] }]);
    const apart = runScripted(sessions('session-apart', at(0, 3_001)));
    expect(apart.failed).toEqual([]);
    expect(apart.results.map((x) => [x.start, x.end, x.value])).toEqual([[0, 3_000, 1], [3_001, 6_001, 1]]);
  });

  it('the planted bug session-merge-off-by-one keeps [0, 3000] apart, and only session.structure notices', () => {
    const bug = runScripted(sessions('session-touch', at(0, 3_000)), { bugs: ['session-merge-off-by-one'] });
    expect(bug.results.map((x) => [x.start, x.end, x.value])).toEqual([[0, 3_000, 1], [3_000, 6_000, 1]]);
    expect(bug.failed).toHaveLength(1);
    expect(bug.failed[0]).toMatch(/^session\.structure: key u session \[0,3000\) and \[3000,6000\) should be one session: record 0 \(ts 0\) and record 1 \(ts 3000\) are 3000 ms apart/);
  });

  it('merges the same way when the events arrive out of order behind a watermark', () => {
    const s = script()
      .add({ key: 'u', ts: 2_500 })
      // Behind this watermark, but their proto-sessions end after it: on time, and they merge.
      .advanceWatermarkTo(2_000)
      .add({ key: 'u', ts: 0 }, { key: 'u', ts: 1_000 })
      .advanceWatermarkToInfinity();
    const r = runScripted(sessions('session-out-of-order', s));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual([{ key: 'u', start: 0, end: 5_500, value: 3, firing: 0, ids: [0, 1, 2] }]);
  });

  it('a late event within the allowed lateness bridges two fired sessions into one, fired at once', () => {
    const s = script()
      .add({ key: 'u', ts: 0 }, { key: 'u', ts: 4_000 })
      .advanceWatermarkTo(7_000) // fires [0,3000) and [4000,7000)
      .add({ key: 'u', ts: 2_000 }) // [2000,5000) touches both: merged [0,7000), cleanup 6999 + 5000 > 7000
      .advanceWatermarkToInfinity();
    const r = runScripted(sessions('session-late-bridge', s, 5_000));
    expect(r.failed).toEqual([]);
    expect(r.results).toEqual([
      { key: 'u', start: 0, end: 3_000, value: 1, firing: 0, ids: [0] },
      { key: 'u', start: 0, end: 7_000, value: 3, firing: 0, ids: [0, 1, 2] },
      { key: 'u', start: 4_000, end: 7_000, value: 1, firing: 0, ids: [1] },
    ]);
    expect(r.late).toEqual([]);
  });

  it('an event between two sessions bridges them; a planted merge that loses one side is told apart', () => {
    // [0,3000) and [4000,7000), then [2000,5000) touches both: one merge of two existing sessions.
    const bridge = at(0, 4_000, 2_000);
    const good = runScripted(sessions('session-bridge', bridge));
    expect(good.failed).toEqual([]);
    expect(good.results).toEqual([{ key: 'u', start: 0, end: 7_000, value: 3, firing: 0, ids: [0, 1, 2] }]);
    const bug = runScripted(sessions('session-bridge', bridge), { bugs: ['session-merge-loses-side'] });
    expect(bug.results.map((x) => [x.start, x.end, x.value])).toEqual([[0, 7_000, 2]]);
    expect(bug.failed.some((f) => f.startsWith('exactly-once'))).toBe(true);
  });
});
