/**
 * The Spark engine's stateful operators on scripted micro-batches, without a
 * world: each batch is a map task over the given rows (`mapPartition`) and the
 * reduce task of its one shuffle partition (`runStateful`) on the state the
 * batch before left, with the late and eviction watermarks the driver would
 * give it. The cases follow Spark's own suites (StreamingSessionWindowSuite,
 * StreamingJoinSuite, StreamingDeduplicationSuite,
 * FlatMapGroupsWithStateSuite), with timestamps in ms; each asserts the exact
 * output, what was dropped as late and what state is left.
 */
import { describe, expect, it } from 'vitest';
import { count, joinWatermarkSides, planProblem, session_window, spark, sum, watermarkOps, window, type DataStreamWriter, type JoinType, type Row } from '../../../src/engines/spark/dsl.ts';
import { mapPartition, runStateful } from '../../../src/engines/spark/operators.ts';
import type { WindowResult } from '../../../src/stream/records.ts';

/** A query run batch by batch on one shuffle partition. */
function batches(writer: DataStreamWriter) {
  const plan = writer.plan;
  expect(planProblem(plan)).toBeUndefined();
  let state: unknown[] | null = null;
  let batch = 0;
  let id = 0;
  return {
    /** Runs one batch; `rows` without ids get the next ones. */
    run(rows: Row[], wm: { late: number; evict: number; timestampMs?: number }, bugs?: { outerEarly?: boolean }) {
      const input = rows.map((r) => ({ id: id++, ...r }));
      const { stats, shuffle } = mapPartition(plan, 1, input);
      const traced: { kind: string; fields: Record<string, unknown> }[] = [];
      const r = runStateful(plan, state, shuffle[0]!, { batch: batch++, wmLate: wm.late, wmEvict: wm.evict, timestampMs: wm.timestampMs ?? 0, ...(bugs ? { bugs } : {}), trace: (kind, fields) => traced.push({ kind, fields }) });
      state = r.state;
      const late = traced.filter((t) => t.kind === 'spark.late').map((t) => String(t.fields.ids));
      const unstored = traced.filter((t) => t.kind === 'spark.join.unstored').map((t) => String(t.fields.ids));
      const timedOut = traced.filter((t) => t.kind === 'spark.timeout').map((t) => String(t.fields.key));
      const outer = traced.filter((t) => t.kind === 'spark.join.outer').map((t) => String(t.fields.ids));
      return { out: r.out, late, unstored, outer, timedOut, stats, state: r.state, timeouts: r.timeouts };
    },
  };
}

const sessionOf = (r: unknown): string => {
  const w = r as WindowResult;
  return `${w.key}[${w.start},${w.end})=${w.value}#${w.firing}`;
};

describe('session windows (StreamingSessionWindowSuite)', () => {
  const query = (mode: 'append' | 'complete' = 'append') =>
    spark.readStream('in').withWatermark('ts', 10).groupBy(session_window('ts', 10), 'key').agg(count()).writeStream('out').outputMode(mode);

  it('append: sessions that overlap or touch merge into [min, max + gap); a session is emitted once the eviction watermark reaches its end, and removed', () => {
    const q = batches(query());
    // a: 10 and 15 overlap, 25 touches [10, 25); b alone; nothing has ended at watermark 0.
    const b0 = q.run([{ key: 'a', ts: 10 }, { key: 'a', ts: 15 }, { key: 'b', ts: 30 }, { key: 'a', ts: 25 }], { late: 0, evict: 0 });
    expect(b0.out).toEqual([]);
    expect(b0.stats).toEqual([{ max: 30, count: 4 }]);
    // No-data batch at watermark 30 − 10 = 20: no session has ended yet (a ends at 35).
    expect(q.run([], { late: 0, evict: 20 }).out).toEqual([]);
    // b at 60 moves the watermark to 50 for the next batch: a [10, 35) and b [30, 40) end before it.
    expect(q.run([{ key: 'b', ts: 60 }], { late: 20, evict: 20 }).out).toEqual([]);
    const b3 = q.run([], { late: 20, evict: 50 });
    expect(b3.out.map(sessionOf)).toEqual(['a[10,35)=3#0', 'b[30,40)=1#0']);
    expect(b3.state).toHaveLength(1);
  });

  it('a row is late iff ts + gap <= the late watermark; one that touches an emitted session starts a new one', () => {
    const q = batches(query());
    q.run([{ key: 'a', ts: 10 }, { key: 'b', ts: 100 }], { late: 0, evict: 0 });
    expect(q.run([], { late: 0, evict: 20 }).out.map(sessionOf)).toEqual(['a[10,20)=1#0']);
    // Late watermark 20: 10 + 10 = 20 is late, 11 + 10 = 21 is not; 11 and 15 overlap the emitted
    // [10, 20), which is gone from state, so they make a session of their own.
    const b2 = q.run([{ key: 'a', ts: 10 }, { key: 'a', ts: 11 }, { key: 'a', ts: 15 }], { late: 20, evict: 20 });
    expect(b2.late).toEqual(['2']);
    expect(b2.out).toEqual([]);
    expect(q.run([], { late: 20, evict: 25 }).out.map(sessionOf)).toEqual(['a[11,25)=2#0']);
  });

  it('complete: every session every batch, firing counted per session bounds, nothing evicted, late rows still filtered', () => {
    const q = batches(query('complete'));
    expect(q.run([{ key: 'a', ts: 10 }], { late: 0, evict: 0 }).out.map(sessionOf)).toEqual(['a[10,20)=1#0']);
    expect(q.run([], { late: 100, evict: 100 }).out.map(sessionOf)).toEqual(['a[10,20)=1#1']);
    // SessionWindowStateStoreRestoreExec filters its input in every output mode: 5 + 10 <= 100 is
    // late and does not reach [10, 20); 95 + 10 > 100 is not, and starts a session of its own.
    const b3 = q.run([{ key: 'a', ts: 5 }, { key: 'a', ts: 95 }], { late: 100, evict: 100 });
    expect(b3.late).toEqual(['1']);
    expect(b3.out.map(sessionOf)).toEqual(['a[10,20)=1#2', 'a[95,105)=1#0']);
  });

  it('update mode is refused for session windows', () => {
    const w = spark.readStream('in').withWatermark('ts', 10).groupBy(session_window('ts', 10), 'key').agg(sum('value')).writeStream('out').outputMode('update');
    expect(planProblem(w.plan)).toMatch(/Update output mode not supported for session window/);
  });
});

describe('stream-stream inner join (StreamingJoinSuite, time range with watermark)', () => {
  // left.key = right.key AND right.ts BETWEEN left.ts AND left.ts + 10, watermark delay 5 on both sides.
  const query = () => {
    const all = spark.readStream('in');
    const left = all.where((r) => r.side === 'L').withWatermark('ts', 5);
    const right = all.where((r) => r.side === 'R').withWatermark('ts', 5);
    return left.join(right, { key: 'key', time: 'ts', lowerMs: 0, upperMs: 10 }, (l, r) => ({ pair: `${String(l.name)}+${String(r.name)}` })).writeStream('out');
  };
  const pairs = (out: unknown[]): string[] => out.map((o) => (o as { pair: string }).pair);

  it('each side keeps its own watermark statistics, over the rows its filter kept', () => {
    const q = batches(query());
    expect(watermarkOps(query().plan)).toHaveLength(2);
    expect(q.run([{ side: 'L', key: 'a', ts: 20, name: 'l20' }, { side: 'R', key: 'a', ts: 7, name: 'r7' }], { late: 0, evict: 0 }).stats).toEqual([{ max: 20, count: 1 }, { max: 7, count: 1 }]);
  });

  it('a new row probes the other side\'s state and this batch\'s earlier side; pairs only within [lower, upper]', () => {
    const q = batches(query());
    const b0 = q.run([
      { side: 'L', key: 'a', ts: 10, name: 'l10' },
      { side: 'R', key: 'a', ts: 15, name: 'r15' },
      { side: 'R', key: 'a', ts: 21, name: 'r21' },
      { side: 'R', key: 'b', ts: 12, name: 'rb12' },
    ], { late: 0, evict: 0 });
    expect(pairs(b0.out)).toEqual(['l10+r15']);
    // A later left row finds the right rows in state; a right row 9 ms before it does not match.
    expect(pairs(q.run([{ side: 'L', key: 'a', ts: 11, name: 'l11' }, { side: 'R', key: 'a', ts: 10, name: 'r10' }], { late: 0, evict: 0 }).out)).toEqual(['l11+r15', 'l11+r21', 'l10+r10']);
  });

  it('rows at or behind the late watermark are dropped; state is evicted below each side\'s state watermark', () => {
    const q = batches(query());
    q.run([{ side: 'L', key: 'a', ts: 10, name: 'l10' }, { side: 'R', key: 'a', ts: 30, name: 'r30' }], { late: 0, evict: 0 });
    // Eviction watermark 25: left rows with ts <= 25 − 10 − 1 = 14 and right rows with ts <= 25 + 0 − 1 = 24 go.
    const b1 = q.run([], { late: 0, evict: 25 });
    expect(b1.state).toEqual([expect.objectContaining({ side: 1, ts: 30 })]);
    // Late watermark 25: a right row at 25 is dropped, one at 26 joins nothing (l10 is gone, as it could only match up to 20).
    const b2 = q.run([{ side: 'R', key: 'a', ts: 25, name: 'r25' }, { side: 'L', key: 'a', ts: 26, name: 'l26' }], { late: 25, evict: 25 });
    expect(b2.late).toEqual(['2']);
    expect(pairs(b2.out)).toEqual(['l26+r30']);
  });

  it('a covered left row is stored all the same (this batch\'s right rows probe it) and evicted; a covered right row that matched is not stored (SPARK-49829)', () => {
    const q = batches(query());
    // Late watermark 0, eviction 40: l20 is not late and is covered (20 <= 40 − 11), but it is stored, so
    // r25 of the same batch (processed after the left side) finds it; r25 is covered (25 <= 39) and matched,
    // so it is not stored; at the end of the batch l20 is evicted.
    const b = q.run([{ side: 'L', key: 'a', ts: 20, name: 'l20' }, { side: 'R', key: 'a', ts: 25, name: 'r25' }], { late: 0, evict: 40 });
    expect(pairs(b.out)).toEqual(['l20+r25']);
    expect(b.unstored).toEqual(['1']);
    expect(b.state).toEqual([]);
  });

  it('is refused in update and complete mode', () => {
    expect(planProblem(query().outputMode('update').plan)).toMatch(/only in Append output mode/);
  });
});

describe('stream-stream outer and semi joins (StreamingOuterJoinSuite, StreamingLeftSemiJoinSuite)', () => {
  // left.key = right.key AND right.ts BETWEEN left.ts AND left.ts + 10, watermark delay 5 on both sides.
  const query = (type: JoinType, watermarks: [boolean, boolean] = [true, true]) => {
    const all = spark.readStream('in');
    const l = all.where((r) => r.side === 'L');
    const r = all.where((r) => r.side === 'R');
    return (watermarks[0] ? l.withWatermark('ts', 5) : l)
      .join(watermarks[1] ? r.withWatermark('ts', 5) : r, { key: 'key', time: 'ts', lowerMs: 0, upperMs: 10 }, (a, b) => ({ pair: `${a ? String(a.name) : 'null'}+${b ? String(b.name) : 'null'}` }), type)
      .writeStream('out');
  };
  const pairs = (out: unknown[]): string[] => out.map((o) => (o as { pair?: string }).pair ?? String((o as Row).name));

  it('left outer: a left row that never matched is emitted with nulls when the eviction watermark passes its range (ts <= wm − upper − 1); a matched one is not', () => {
    const q = batches(query('left_outer'));
    const b0 = q.run([{ side: 'L', key: 'a', ts: 10, name: 'l10' }, { side: 'L', key: 'b', ts: 10, name: 'lb10' }, { side: 'R', key: 'a', ts: 15, name: 'r15' }], { late: 0, evict: 0 });
    expect(pairs(b0.out)).toEqual(['l10+r15']);
    // Watermark 20: left rows up to 20 − 11 = 9 go; none yet (10 could still meet a right row at 20).
    expect(q.run([], { late: 0, evict: 20 }).out).toEqual([]);
    // Watermark 21: l10 and lb10 leave; only lb10 never matched.
    const b2 = q.run([], { late: 20, evict: 21 });
    expect(pairs(b2.out)).toEqual(['lb10+null']);
    expect(b2.outer).toEqual(['1']);
    // Right rows up to 21 − 1 = 20 left too, silently (a left outer join emits no right row alone).
    expect(b2.state).toEqual([]);
  });

  it('right outer: a right row that never matched is emitted with nulls once ts <= wm + lower − 1', () => {
    const q = batches(query('right_outer'));
    q.run([{ side: 'R', key: 'a', ts: 30, name: 'r30' }, { side: 'L', key: 'a', ts: 25, name: 'l25' }, { side: 'R', key: 'b', ts: 30, name: 'rb30' }], { late: 0, evict: 0 });
    expect(pairs(q.run([], { late: 0, evict: 30 }).out)).toEqual([]);
    expect(pairs(q.run([], { late: 30, evict: 31 }).out)).toEqual(['null+rb30']);
  });

  it('full outer: a row matched in an earlier batch is never emitted with nulls when it leaves (the matched flag, SPARK-26154)', () => {
    const q = batches(query('full_outer'));
    q.run([{ side: 'L', key: 'a', ts: 10, name: 'l10' }], { late: 0, evict: 0 });
    expect(pairs(q.run([{ side: 'R', key: 'a', ts: 12, name: 'r12' }], { late: 0, evict: 0 }).out)).toEqual(['l10+r12']);
    const b = q.run([], { late: 0, evict: 40 });
    expect(b.out).toEqual([]);
    expect(b.state).toEqual([]);
  });

  it('full outer: rows the state watermark already covers are stored, probed by this batch, and emitted alone at its end if unmatched', () => {
    const q = batches(query('full_outer'));
    // Eviction watermark 40: left rows <= 29 and right rows <= 39 are covered. lb20 is stored (a left row
    // always is) and leaves unmatched; rc25 matched nothing and is stored to be emitted alone; r25 matched
    // l20 and, covered, is not stored.
    const b = q.run([
      { side: 'L', key: 'a', ts: 20, name: 'l20' }, { side: 'L', key: 'b', ts: 20, name: 'lb20' },
      { side: 'R', key: 'a', ts: 25, name: 'r25' }, { side: 'R', key: 'c', ts: 25, name: 'rc25' },
    ], { late: 0, evict: 40 });
    expect(pairs(b.out)).toEqual(['l20+r25', 'lb20+null', 'null+rc25']);
    expect(b.unstored).toEqual(['2']);
    expect(b.state).toEqual([]);
  });

  it('left semi: a left row is emitted once, at its first match, from either side\'s pass; a matched left row is not stored', () => {
    const q = batches(query('left_semi'));
    const b0 = q.run([{ side: 'L', key: 'a', ts: 10, name: 'l10' }, { side: 'L', key: 'a', ts: 11, name: 'l11' }, { side: 'R', key: 'a', ts: 15, name: 'r15' }], { late: 0, evict: 0 });
    expect(pairs(b0.out)).toEqual(['l10', 'l11']);
    // r16 matches only left rows that have not matched yet: none. l12 matches r15 and r16 but is emitted once.
    expect(pairs(q.run([{ side: 'R', key: 'a', ts: 16, name: 'r16' }, { side: 'L', key: 'a', ts: 12, name: 'l12' }], { late: 0, evict: 0 }).out)).toEqual(['l12']);
    expect(q.run([], { late: 0, evict: 0 }).state.filter((e) => (e as { side: number }).side === 0)).toHaveLength(2);
  });

  it('the planted bug spark-outer-join-early: an unmatched row is emitted alone at the end of its batch, then joined by a later partner', () => {
    const q = batches(query('left_outer'));
    expect(pairs(q.run([{ side: 'L', key: 'a', ts: 10, name: 'l10' }], { late: 0, evict: 0 }, { outerEarly: true }).out)).toEqual(['l10+null']);
    expect(pairs(q.run([{ side: 'R', key: 'a', ts: 15, name: 'r15' }], { late: 0, evict: 0 }, { outerEarly: true }).out)).toEqual(['l10+r15']);
    expect(q.run([], { late: 0, evict: 30 }, { outerEarly: true }).out).toEqual([]);
  });

  it('with a watermark on one side only, the analyzer accepts the outer join, but no side has a state watermark: nothing is evicted, no row is emitted with nulls', () => {
    // Spark's getOneSideStateWatermarkPredicate needs a watermark on the side itself, and
    // getStateValueWatermark one on the other side: with one watermark, neither side gets a predicate.
    for (const [type, watermarks, alone] of [['left_outer', [false, true], 'l10+null'], ['full_outer', [true, false], 'l10+null'], ['right_outer', [true, false], 'null+rb10']] as const) {
      const q = batches(query(type, [...watermarks]));
      q.run([{ side: 'L', key: 'a', ts: 10, name: 'l10' }, { side: 'R', key: 'b', ts: 10, name: 'rb10' }], { late: 0, evict: 0 });
      const b = q.run([], { late: 0, evict: 100 });
      expect(pairs(b.out), `${type} ${String(watermarks)}`).not.toContain(alone);
      expect(b.out).toEqual([]);
      expect(b.state, `${type} ${String(watermarks)}`).toHaveLength(2);
    }
    // With both watermarks the same batch evicts both rows and emits the preserved side's with nulls.
    const both = batches(query('full_outer'));
    both.run([{ side: 'L', key: 'a', ts: 10, name: 'l10' }, { side: 'R', key: 'b', ts: 10, name: 'rb10' }], { late: 0, evict: 0 });
    expect(pairs(both.run([], { late: 0, evict: 100 }).out)).toEqual(['l10+null', 'null+rb10']);
  });

  it('an outer join needs a watermark on the side that waits for a partner\'s range (from the other side\'s watermark)', () => {
    expect(planProblem(query('left_outer', [true, false]).plan)).toBe('Stream-stream LeftOuter join between two streaming DataFrame/Datasets is not supported without a watermark in the join keys, or a watermark on the nullable side and an appropriate range condition');
    expect(planProblem(query('left_outer', [false, true]).plan)).toBeUndefined();
    expect(planProblem(query('right_outer', [false, true]).plan)).toMatch(/Stream-stream RightOuter join/);
    expect(planProblem(query('left_semi', [true, false]).plan)).toMatch(/Stream-stream LeftSemi join/);
    expect(planProblem(query('full_outer', [true, false]).plan)).toBeUndefined();
    expect(planProblem(query('full_outer', [false, false]).plan)).toMatch(/Stream-stream FullOuter join/);
    expect(planProblem(query('full_outer').outputMode('update').plan)).toMatch(/only in Append output mode/);
  });
});

describe('stream-stream join, a watermark on another column than the join\'s time column', () => {
  // left.key = right.key AND right.ts BETWEEN left.ts AND left.ts + 10; the left watermark is on ts,
  // the right one on its own column `seen`.
  const query = (type: JoinType = 'inner') => {
    const all = spark.readStream('in');
    const left = all.where((r) => r.side === 'L').withWatermark('ts', 5);
    const right = all.where((r) => r.side === 'R').withWatermark('seen', 5);
    return left.join(right, { key: 'key', time: 'ts', lowerMs: 0, upperMs: 10 }, (l, r) => ({ pair: `${l ? String(l.name) : 'null'}+${r ? String(r.name) : 'null'}` }), type).writeStream('out');
  };
  const pairs = (out: unknown[]): string[] => out.map((o) => (o as { pair: string }).pair);

  it('each side\'s watermark is on the column of its last withWatermark; only the side whose partner\'s watermark the range condition names has a state watermark', () => {
    expect(joinWatermarkSides(query().plan)).toEqual({ column: ['ts', 'seen'], onTime: [true, false], evicts: [false, true] });
  });

  it('the late filter compares a row\'s watermark column: a right row is late by `seen`, whatever its `ts`', () => {
    const q = batches(query());
    q.run([{ side: 'L', key: 'a', ts: 20, name: 'l20' }], { late: 0, evict: 0 });
    // Late watermark 20: r25 (seen 15) is late; r22 (seen 30) is not, and joins l20.
    const b = q.run([{ side: 'R', key: 'a', ts: 25, seen: 15, name: 'r25' }, { side: 'R', key: 'a', ts: 22, seen: 30, name: 'r22' }], { late: 20, evict: 0 });
    expect(b.late).toEqual(['1']);
    expect(pairs(b.out)).toEqual(['l20+r22']);
  });

  it('the right side\'s state watermark, solved for its time column, bounds its `seen` column; the left side keeps its rows', () => {
    const q = batches(query());
    q.run([{ side: 'L', key: 'a', ts: 10, name: 'l10' }, { side: 'R', key: 'b', ts: 15, seen: 15, name: 'r15' }, { side: 'R', key: 'b', ts: 30, seen: 100, name: 'r30' }], { late: 0, evict: 0 });
    // Eviction watermark 40: right rows with seen <= 40 + 0 − 1 = 39 leave (r15; r30 stays, though its ts is 30).
    // The left side has no state watermark (the right watermark is on seen, which the condition does not name).
    const b = q.run([], { late: 0, evict: 40 });
    expect(b.state).toEqual([expect.objectContaining({ side: 0, ts: 10 }), expect.objectContaining({ side: 1, ts: 30 })]);
  });

  it('a left outer join needs the right watermark on the time column, a right outer join the left one', () => {
    expect(planProblem(query('left_outer').plan)).toMatch(/Stream-stream LeftOuter join/);
    expect(planProblem(query('right_outer').plan)).toBeUndefined();
  });
});

describe('dropDuplicates (StreamingDeduplicationSuite)', () => {
  it('with a watermark on a dedup column: first rows pass, late rows are dropped, state at or behind the eviction watermark is removed', () => {
    const q = batches(spark.readStream('in').withWatermark('ts', 10).dropDuplicates(['ts']).writeStream('out'));
    const ts = (out: unknown[]): number[] => out.map((r) => (r as { ts: number }).ts);
    expect(ts(q.run([1, 2, 3, 3, 2].map((t) => ({ ts: t })), { late: 0, evict: 0 }).out)).toEqual([1, 2, 3]);
    // Watermark 25 − 10 = 15 after 25: 10 is late; the state for 1..3 is evicted.
    expect(ts(q.run([{ ts: 25 }], { late: 0, evict: 0 }).out)).toEqual([25]);
    const b = q.run([{ ts: 10 }, { ts: 25 }, { ts: 16 }], { late: 15, evict: 15 });
    expect(ts(b.out)).toEqual([16]);
    expect(b.late).toEqual(['6']);
    expect((b.state as [string, number][]).map(([k]) => k)).toEqual(['[16]', '[25]']);
  });

  it('dropDuplicatesWithinWatermark: a key is a duplicate until its first row\'s ts + delay is at or behind the eviction watermark', () => {
    const q = batches(spark.readStream('in').withWatermark('ts', 5).dropDuplicatesWithinWatermark(['key']).writeStream('out'));
    const names = (out: unknown[]): string[] => out.map((r) => String((r as { name: string }).name));
    expect(names(q.run([{ key: 'a', ts: 10, name: 'a10' }, { key: 'a', ts: 12, name: 'a12' }], { late: 0, evict: 0 }).out)).toEqual(['a10']);
    // expiresAt 15: still held at eviction watermark 14, gone at 15.
    expect(names(q.run([{ key: 'a', ts: 20, name: 'a20' }], { late: 0, evict: 14 }).out)).toEqual([]);
    expect(q.run([], { late: 14, evict: 15 }).state).toEqual([]);
    expect(names(q.run([{ key: 'a', ts: 21, name: 'a21' }], { late: 15, evict: 15 }).out)).toEqual(['a21']);
  });

  it('dropDuplicatesWithinWatermark needs a watermark', () => {
    expect(planProblem(spark.readStream('in').dropDuplicatesWithinWatermark(['key']).writeStream('out').plan)).toMatch(/needs a watermark/);
  });
});

describe('flatMapGroupsWithState (FlatMapGroupsWithStateSuite, update mode, no timeout)', () => {
  // The suite's running count: each group emits (key, count); at 3 the state is removed.
  const query = () =>
    spark.readStream('in').groupByKey((r) => String(r.key)).flatMapGroupsWithState<number>('update', (key, rows, state) => {
      const n = (state.getOption() ?? 0) + rows.length;
      if (n >= 3) {
        state.remove();
        return [{ key, count: -1 }];
      }
      state.update(n);
      return [{ key, count: n }];
    }).writeStream('out').outputMode('update');
  const shown = (out: unknown[]): string[] => out.map((r) => `${String((r as Row).key)}:${String((r as Row).count)}`);

  it('calls the function once per key with the batch\'s rows, in key order, and keeps or removes its state', () => {
    const q = batches(query());
    expect(shown(q.run([{ key: 'b' }, { key: 'a' }], { late: 0, evict: 0 }).out)).toEqual(['a:1', 'b:1']);
    expect(shown(q.run([{ key: 'a' }, { key: 'b' }, { key: 'a' }], { late: 0, evict: 0 }).out)).toEqual(['a:-1', 'b:2']);
    const b = q.run([{ key: 'a' }], { late: 100, evict: 100 });
    expect(shown(b.out)).toEqual(['a:1']);
    expect(b.state).toEqual([['a', 1, -1], ['b', 2, -1]]);
    expect(b.late).toEqual([]);
  });

  it('keeps a change to the state object only when the state is written (update, remove or a new timeout), as Spark writes the row it deserialized', () => {
    // The function changes its state object in place and calls update() only when asked to; a row
    // with `touch` sets a timeout instead, which writes the state (changed object included).
    const q = batches(
      spark.readStream('in').groupByKey((r) => String(r.key)).flatMapGroupsWithState<{ n: number }>('update', 'ProcessingTimeTimeout', (key, rows, state) => {
        const s = state.getOption();
        if (s === undefined) {
          state.update({ n: rows.length });
          return [{ key, count: rows.length }];
        }
        s.n += rows.length;
        if (rows.some((r) => r.write === true)) state.update(s);
        if (rows.some((r) => r.touch === true)) state.setTimeoutDuration(1_000);
        return [{ key, count: s.n }];
      }).writeStream('out').outputMode('update'),
    );
    q.run([{ key: 'a' }], { late: 0, evict: 0 });
    // Changed in place, not written: the next batch sees the stored 1 again.
    expect(shown(q.run([{ key: 'a' }], { late: 0, evict: 0 }).out)).toEqual(['a:2']);
    const kept = q.run([{ key: 'a' }, { key: 'a' }], { late: 0, evict: 0 });
    expect(shown(kept.out)).toEqual(['a:3']);
    expect(kept.state).toEqual([['a', { n: 1 }, -1]]);
    // A new timeout writes the state, with the change made to it.
    const timed = q.run([{ key: 'a', touch: true }], { late: 0, evict: 0, timestampMs: 10 });
    expect(timed.state).toEqual([['a', { n: 2 }, 1_010]]);
    // update() writes it too; the state object of a call is its own, never the stored entry.
    const written = q.run([{ key: 'a', write: true, touch: true }], { late: 0, evict: 0, timestampMs: 20 });
    expect(shown(written.out)).toEqual(['a:3']);
    expect(written.state).toEqual([['a', { n: 3 }, 1_020]]);
    expect(timed.state).toEqual([['a', { n: 2 }, 1_010]]);
  });

  it('refuses complete mode and a mode other than the function\'s', () => {
    expect(planProblem(query().outputMode('complete').plan)).toMatch(/complete output mode is not supported/);
    expect(planProblem(query().outputMode('append').plan)).toMatch(/must match/);
  });
});

describe('watermark operators', () => {
  it('take their statistics where withWatermark stands: after a filter it sees only the rows kept', () => {
    const plan = spark.readStream('in').where((r) => r.key !== 'x').withWatermark('ts', 1).groupBy(session_window('ts', 5), 'key').agg(count()).writeStream('out').plan;
    expect(mapPartition(plan, 1, [{ id: 0, key: 'a', ts: 3 }, { id: 1, key: 'x', ts: 99 }]).stats).toEqual([{ max: 3, count: 1 }]);
  });
});

describe('one watermark per stream, on the column it is meant for (EventTimeWatermarkSuite, UnsupportedOperationsSuite)', () => {
  it('refuses a second withWatermark on a stream, as Spark does by default ("Redefining watermark is disallowed")', () => {
    const twice = spark.readStream('in').withWatermark('ts', 5).withWatermark('seen', 5);
    const agg = twice.groupBy(window('ts', 10), 'key').agg(count()).writeStream('out').outputMode('update');
    expect(planProblem(agg.plan)).toMatch(/^Redefining watermark is disallowed: this stream already has withWatermark\('ts', …\)/);
    // On a join's side too: each side keeps its own, once.
    const all = spark.readStream('in');
    const joined = all.withWatermark('ts', 5).join(all.withWatermark('ts', 5).withWatermark('ts', 9), { key: 'key', time: 'ts', lowerMs: 0, upperMs: 10 }, (l, r) => ({ l, r }));
    expect(planProblem(joined.writeStream('out').plan)).toMatch(/^Redefining watermark is disallowed/);
    // One on each side of a join is not a redefinition.
    const sides = all.withWatermark('ts', 5).join(all.withWatermark('ts', 5), { key: 'key', time: 'ts', lowerMs: 0, upperMs: 10 }, (l, r) => ({ l, r }));
    expect(planProblem(sides.writeStream('out').plan)).toBeUndefined();
  });

  const onSeen = (mode: 'append' | 'update') =>
    spark.readStream('in').withWatermark('seen', 5).groupBy(window('ts', 10), 'key').agg(count()).writeStream('out').outputMode(mode);

  it('refuses append mode when the watermark is not on the window\'s column', () => {
    expect(planProblem(onSeen('append').plan)).toBe("append output mode with a streaming aggregation needs the watermark on its window's column 'ts', not on 'seen'");
  });

  it('in update mode, an aggregation whose window column carries no watermark filters nothing and keeps every window', () => {
    const q = batches(onSeen('update'));
    q.run([{ key: 'a', ts: 3, seen: 3 }], { late: 0, evict: 0 });
    // Watermarks far past the window [0, 10): a row in it is neither late nor is the window evicted.
    const b = q.run([{ key: 'a', ts: 4, seen: 100 }], { late: 50, evict: 95 });
    expect(b.late).toEqual([]);
    expect(b.out).toEqual([expect.objectContaining({ key: 'a', start: 0, end: 10, value: 2 })]);
    expect(b.state).toHaveLength(1);
    // With the watermark on the window's column the same rows are late and the window gone.
    const on = batches(spark.readStream('in').withWatermark('ts', 5).groupBy(window('ts', 10), 'key').agg(count()).writeStream('out').outputMode('update'));
    on.run([{ key: 'a', ts: 3, seen: 3 }], { late: 0, evict: 0 });
    const c = on.run([{ key: 'a', ts: 4, seen: 100 }], { late: 50, evict: 95 });
    expect(c.late).toEqual(['1']);
    expect(c.state).toEqual([]);
  });
});
